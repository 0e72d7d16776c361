import type { ChangeMeta, IncidentEvent } from './incidentEvents';
import type { IncidentHead, IncidentRecord } from './incidentRecord';
import type { IncidentStatus } from './incidentStatus';

export interface IncidentListFilter {
  status?: IncidentStatus;
  /** Most recently updated first; at most this many. */
  limit?: number;
}

/**
 * Where incidents live: DynamoDB in AWS, a JSON file for local runs, memory in tests. Writes are
 * append-only: `append` adds events (audit entries) to the head they were decided on and
 * succeeds only if the incident is still at that head's version (no head: it must not exist
 * yet), so every state change is a conditional write.
 */
export interface IncidentStore {
  /** The incident item alone (strongly consistent): what a change is decided on. */
  head(key: string): Promise<IncidentHead | null>;
  /** The incident with its action records and its whole audit trail, in order. */
  get(key: string): Promise<IncidentRecord | null>;
  list(filter?: IncidentListFilter): Promise<IncidentHead[]>;
  /** Throws IncidentVersionConflictError when another writer got there first. */
  append(
    key: string,
    base: IncidentHead | null,
    events: readonly IncidentEvent[],
    meta: ChangeMeta,
  ): Promise<IncidentHead>;
}
