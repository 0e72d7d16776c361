import {
  ERRORS,
  type IncidentEvent,
  type IncidentHead,
  type IncidentStore,
  type TicketOperation,
  updateIncident,
} from '@tourniquet/core';
import {
  PermanentTicketError,
  TicketCreationInProgressError,
  TicketError,
  TransientTicketError,
} from './errors';
import type {
  TicketDocument,
  TicketRef,
  TicketSink,
  TicketSubject,
  TicketUpdate,
} from './ticketSink';
import { ticketRefOf } from './ticketSubject';

export interface SyncContext {
  store: IncidentStore;
  key: string;
  actor: string;
  now: () => Date;
  /** How long a creation claim holds before another invocation may take it over. */
  claimLeaseMs: number;
  newClaimId: () => string;
}

export interface SyncPlan {
  update: TicketUpdate & { operation: 'comment' | 'page' };
  /** Open a ticket when the incident has none at this sink (false: only update an existing one). */
  create: boolean;
  acknowledge: boolean;
  resolve: boolean;
}

export interface SyncResult {
  sink: TicketSink;
  ref: TicketRef | null;
  created: boolean;
  error: TicketError | null;
}

/**
 * Brings one sink up to date with the incident: exactly one ticket (claim → create → record),
 * then the update, acknowledgement and resolution it still lacks. Every sink call that fails
 * is recorded on the incident before the error is returned; every one that succeeds is
 * recorded with its id, so a retried step repeats only what failed.
 */
export async function syncSink(
  ctx: SyncContext,
  sink: TicketSink,
  subject: TicketSubject,
  document: TicketDocument,
  plan: SyncPlan,
): Promise<SyncResult> {
  const change = (decide: (head: IncidentHead | null) => IncidentEvent[]) =>
    updateIncident(ctx.store, ctx.key, decide, { actor: ctx.actor, now: ctx.now });
  const record = (events: IncidentEvent[]) => (events.length > 0 ? change(() => events) : null);
  const notes = (list: readonly string[]): IncidentEvent[] =>
    list.map((note) => ({ type: 'ticket-note', sink: sink.name, note }));
  const call = async <T>(operation: TicketOperation, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      const e = asTicketError(error, `${sink.name} ${operation}`);
      await record([
        {
          type: 'ticket-failed',
          sink: sink.name,
          operation,
          error: e.message,
          retryable: isTransient(e),
        },
      ]);
      throw e;
    }
  };
  const post = async (
    postId: string,
    operation: 'comment' | 'page' | 'acknowledge' | 'resolve',
    summary: string,
    work: () => Promise<string[]>,
  ) => {
    const said = await call(operation, work);
    return record([
      { type: 'ticket-posted', sink: sink.name, postId, operation, summary },
      ...notes(said),
    ]);
  };

  try {
    // 1. The claim: a conditional write before anything is created at the sink.
    const claimId = ctx.newClaimId();
    let lookFirst = false;
    let head = await change((h) => {
      const ticket = h?.tickets[sink.name];
      if (!plan.create || ticket?.state === 'open' || ticket?.state === 'resolved') return [];
      if (ticket?.state === 'creating' && ticket.claim && !expired(ticket.claim.at, ctx)) {
        throw new TicketCreationInProgressError(
          `${sink.name}: another invocation is creating the ticket for ${ctx.key}; retry to update it`,
        );
      }
      // A failed or abandoned attempt may have created the ticket before it failed.
      lookFirst = ticket !== undefined;
      return [{ type: 'ticket-claimed', sink: sink.name, claimId }];
    });

    // 2. Create under our claim (or adopt what the earlier attempt left), then record it.
    let created = false;
    const claimed = head?.tickets[sink.name];
    if (claimed?.state === 'creating' && claimed.claim?.id === claimId) {
      let ref = lookFirst ? await call('find', () => sink.find(subject)) : null;
      let said: string[] = [];
      if (!ref) {
        const opened = await call('open', () => sink.open(subject, document));
        ref = opened.ref;
        said = opened.notes;
        created = true;
      }
      const made = ref;
      head = await change((h) => {
        const t = h?.tickets[sink.name];
        if (t?.state === 'creating' && t.claim?.id === claimId) {
          return [
            {
              type: 'ticket-opened',
              sink: sink.name,
              claimId,
              ticketId: made.id,
              apiId: made.apiId,
              url: made.url,
              postId: plan.update.id,
              adopted: !created,
            },
            ...notes(said),
          ];
        }
        // Our claim ran out while we were creating and someone else took over: say so, so a
        // human can merge the two, rather than silently keeping one.
        return notes([
          `claim expired while creating: ${made.id} may duplicate ${t?.ticketId ?? 'another ticket'}`,
        ]);
      });
    }

    const ref = ticketRefOf(head, sink.name);
    const ticket = head?.tickets[sink.name];
    if (!ref || !ticket) return { sink, ref: null, created: false, error: null };

    // 3. The update (a new ticket already carries it; a page still has to go out).
    const { update } = plan;
    if (!ticket.posted.includes(update.id)) {
      head = await post(update.id, update.operation, firstLine(update.text), () =>
        sink[update.operation](ref, subject, update, document),
      );
    } else if (
      created &&
      update.operation === 'page' &&
      !ticket.posted.includes(`${update.id}:page`)
    ) {
      head = await post(`${update.id}:page`, 'page', firstLine(update.text), () =>
        sink.page(ref, subject, update, document),
      );
    }

    // 4. Acknowledge when contained; resolve on release or resolution.
    const current = head?.tickets[sink.name] ?? ticket;
    if (
      plan.acknowledge &&
      sink.acknowledges &&
      !current.acknowledged &&
      current.state === 'open'
    ) {
      head = await post(`ack:${update.id}`, 'acknowledge', 'contained; acknowledged', () =>
        sink.acknowledge(ref, subject),
      );
    }
    if (plan.resolve && current.state !== 'resolved') {
      await post(`resolve:${update.id}`, 'resolve', firstLine(update.text), () =>
        sink.resolve(ref, subject, update, document),
      );
    }
    // Created for this update, now or by an earlier attempt of the same step that then failed.
    return { sink, ref, created: created || ticket.openedWith === update.id, error: null };
  } catch (error) {
    return { sink, ref: null, created: false, error: asTicketError(error, `${sink.name} ticket`) };
  }
}

export function isTransient(error: Error): boolean {
  return error.name === ERRORS.transient;
}

/** Non-ticket errors (the store's, a bug's) keep their message; their retryability follows the name. */
function asTicketError(error: unknown, doing: string): TicketError {
  if (error instanceof TicketError) return error;
  const e = error as Error;
  return isTransient(e)
    ? new TransientTicketError(`${doing}: ${e.message}`, { cause: error })
    : new PermanentTicketError(`${doing}: ${e.name}: ${e.message}`, null, { cause: error });
}

function expired(claimedAt: string, ctx: SyncContext): boolean {
  return ctx.now().getTime() - Date.parse(claimedAt) > ctx.claimLeaseMs;
}

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim()) ?? '').slice(0, 200);
}
