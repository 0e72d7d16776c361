import type { ActionJournal, JournalEntry, NewJournalEntry } from './actionJournal';

/** The journal in memory: for unit tests and dry local planning. */
export class MemoryActionJournal implements ActionJournal {
  private readonly entries = new Map<string, JournalEntry>();

  private static key(incidentKey: string, action: string, target: string): string {
    return JSON.stringify([incidentKey, action, target]);
  }

  async record<R>(entry: NewJournalEntry<R>, now: Date): Promise<JournalEntry<R>> {
    const key = MemoryActionJournal.key(entry.incidentKey, entry.action, entry.target);
    const existing = this.entries.get(key);
    if (existing && !existing.releasedAt) return structuredClone(existing) as JournalEntry<R>;
    const stored: JournalEntry<R> = {
      ...structuredClone(entry),
      recordedAt: now.toISOString(),
      releasedAt: null,
    };
    this.entries.set(key, stored);
    return structuredClone(stored);
  }

  async find(incidentKey: string, action: string, target: string): Promise<JournalEntry | null> {
    const entry = this.entries.get(MemoryActionJournal.key(incidentKey, action, target));
    return entry ? structuredClone(entry) : null;
  }

  async list(incidentKey: string, action?: string): Promise<JournalEntry[]> {
    return [...this.entries.values()]
      .filter((e) => e.incidentKey === incidentKey && (!action || e.action === action))
      .map((e) => structuredClone(e));
  }

  async markReleased(incidentKey: string, action: string, target: string, now: Date) {
    const entry = this.entries.get(MemoryActionJournal.key(incidentKey, action, target));
    if (entry && !entry.releasedAt) entry.releasedAt = now.toISOString();
  }
}
