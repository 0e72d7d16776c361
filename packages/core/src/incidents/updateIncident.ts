import { setTimeout as sleep } from 'node:timers/promises';
import { IncidentBusyError, IncidentVersionConflictError } from './errors';
import type { IncidentEvent } from './incidentEvents';
import type { IncidentHead } from './incidentRecord';
import type { IncidentStore } from './incidentStore';

const BASE_BACKOFF_MS = 5;
const MAX_BACKOFF_MS = 1000;

export interface UpdateOptions {
  actor: string;
  now?: () => Date;
  attempts?: number;
}

/**
 * Read → decide → conditional append, again on conflict. `decide` sees the current head (null
 * when the incident does not exist) and returns the events to add; it runs again on the fresh
 * head after a conflict, so a decision is always made on the state it is written against.
 * Returns the head after the change (or unchanged when `decide` returned nothing).
 */
export async function updateIncident(
  store: IncidentStore,
  key: string,
  decide: (head: IncidentHead | null) => IncidentEvent[] | Promise<IncidentEvent[]>,
  options: UpdateOptions,
): Promise<IncidentHead | null> {
  const attempts = options.attempts ?? 10;
  const now = options.now ?? (() => new Date());
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const head = await store.head(key);
    const events = await decide(head);
    if (events.length === 0) return head;
    try {
      return await store.append(key, head, events, {
        actor: options.actor,
        at: now().toISOString(),
      });
    } catch (error) {
      if (!(error instanceof IncidentVersionConflictError)) throw error;
      // Exponential backoff with full jitter (capped), so writers that collided spread out
      // instead of colliding again in lock step.
      await sleep(Math.random() * Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** attempt));
    }
  }
  throw new IncidentBusyError(`incident ${key} kept changing: gave up after ${attempts} attempts`);
}
