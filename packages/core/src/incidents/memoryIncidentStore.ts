import { applyEvents } from './applyEvents';
import { IncidentVersionConflictError } from './errors';
import type { ChangeMeta, IncidentEvent } from './incidentEvents';
import type { IncidentHead, IncidentRecord } from './incidentRecord';
import type { IncidentListFilter, IncidentStore } from './incidentStore';

/**
 * Incidents in memory, with the same version check as DynamoDB. The base of the local file
 * store; `snapshot`/`restore` move its whole content in and out.
 */
export class MemoryIncidentStore implements IncidentStore {
  protected readonly records = new Map<string, IncidentRecord>();

  async head(key: string): Promise<IncidentHead | null> {
    const record = this.records.get(key);
    return record ? structuredClone(record.incident) : null;
  }

  async get(key: string): Promise<IncidentRecord | null> {
    const record = this.records.get(key);
    return record ? structuredClone(record) : null;
  }

  async list(filter: IncidentListFilter = {}): Promise<IncidentHead[]> {
    return [...this.records.values()]
      .map((r) => r.incident)
      .filter((i) => !filter.status || i.status === filter.status)
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.key.localeCompare(b.key))
      .slice(0, filter.limit ?? Number.POSITIVE_INFINITY)
      .map((i) => structuredClone(i));
  }

  async append(
    key: string,
    base: IncidentHead | null,
    events: readonly IncidentEvent[],
    meta: ChangeMeta,
  ): Promise<IncidentHead> {
    const current = this.records.get(key) ?? null;
    const expectedVersion = base?.version ?? 0;
    if ((current?.incident.version ?? 0) !== expectedVersion) {
      throw new IncidentVersionConflictError(key, expectedVersion);
    }
    const applied = applyEvents(base, key, events, meta);
    this.records.set(key, {
      incident: applied.head,
      actions: [...(current?.actions ?? []), ...applied.actions],
      audit: [...(current?.audit ?? []), ...applied.audit],
    });
    await this.persist();
    return structuredClone(applied.head);
  }

  snapshot(): IncidentRecord[] {
    return [...this.records.values()].map((r) => structuredClone(r));
  }

  restore(records: readonly IncidentRecord[]): void {
    this.records.clear();
    for (const record of records) this.records.set(record.incident.key, structuredClone(record));
  }

  /** Called after every append; the file store writes itself out here. */
  protected async persist(): Promise<void> {}
}
