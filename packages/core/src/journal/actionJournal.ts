/**
 * The step journal: what an action is about to change, recorded durably *before* it changes
 * it. The first record for an (incident, action, target) wins, so a retry, a partial failure or
 * a lost response never replaces the pre-incident state with a half-contained one. Release
 * reads only these records: nothing from an execution's input decides what undo writes.
 */
export interface JournalEntry<R = unknown> {
  incidentKey: string;
  action: string;
  /** Rendered target, e.g. `pod/payments/payments-api-7d9f8b6c5-x2kqp`. */
  target: string;
  /** Where the change was made: undo acts there, whatever a release request says. */
  cluster: string | null;
  region: string;
  /** The member account the change was made in (absent: the hub's own account). */
  account?: string;
  /** The target as the action validated and resolved it when it recorded the entry. */
  subject: Record<string, unknown>;
  /** The state before the change: what undo restores, after checking Tourniquet's change is still there. */
  before: R;
  recordedAt: string;
  releasedAt: string | null;
}

export type NewJournalEntry<R = unknown> = Omit<JournalEntry<R>, 'recordedAt' | 'releasedAt'>;

export interface ActionJournal {
  /**
   * Records the entry unless an unreleased one exists for its (incident, action, target);
   * returns the one in force.
   */
  record<R>(entry: NewJournalEntry<R>, now: Date): Promise<JournalEntry<R>>;
  /** One entry, or null. */
  find(incidentKey: string, action: string, target: string): Promise<JournalEntry | null>;
  /** Every entry of an incident (optionally of one action), in the order they were keyed. */
  list(incidentKey: string, action?: string): Promise<JournalEntry[]>;
  /** Marks an entry released: a later release never undoes it again. */
  markReleased(incidentKey: string, action: string, target: string, now: Date): Promise<void>;
}
