import { randomBytes } from 'node:crypto';
import { type HttpSimulator, type SimulatorRequest, startHttpSimulator } from './httpSimulator';

/** An integration (routing) key: 32 characters, as PagerDuty issues them. */
export const PAGERDUTY_SIMULATOR_ROUTING_KEY = 'R0CAL5IMULAT0RR0UT1NGKEY00000001';

const SEVERITIES = ['critical', 'error', 'warning', 'info'];
const ACTIONS = ['trigger', 'acknowledge', 'resolve'];

export interface PagerDutyAlert {
  dedupKey: string;
  /** PagerDuty opens a new incident when a resolved dedup key triggers again. */
  incidentNumber: number;
  status: 'triggered' | 'acknowledged' | 'resolved';
  summary: string;
  severity: string;
  events: Array<{ action: string; summary: string | null; at: string }>;
}

export interface PagerDutySimulator extends HttpSimulator {
  alerts: Map<string, PagerDutyAlert>;
  /** Every incident PagerDuty would have opened (one per page storm), in order. */
  incidents: PagerDutyAlert[];
}

/**
 * PagerDuty Events API v2 (`POST /v2/enqueue`): the routing key authenticates, triggers are
 * de-duplicated by `dedup_key` (an open alert absorbs later triggers; a resolved one is
 * reopened as a new incident), acknowledge and resolve need the key. 202 on success, 400 with
 * `errors` on an invalid event, like the real endpoint.
 */
export async function startPagerDutySimulator(
  options: { routingKey?: string } = {},
): Promise<PagerDutySimulator> {
  const routingKey = options.routingKey ?? PAGERDUTY_SIMULATOR_ROUTING_KEY;
  const alerts = new Map<string, PagerDutyAlert>();
  const incidents: PagerDutyAlert[] = [];

  const invalid = (errors: string[]) => ({
    status: 400,
    json: { status: 'invalid event', message: 'Event object is invalid', errors },
  });

  const enqueue = (request: SimulatorRequest) => {
    const event = request.json() as {
      routing_key?: string;
      event_action?: string;
      dedup_key?: string;
      payload?: { summary?: string; source?: string; severity?: string };
    };
    const errors: string[] = [];
    if (event.routing_key !== routingKey) errors.push("'routing_key' is invalid");
    if (!ACTIONS.includes(event.event_action ?? '')) errors.push("'event_action' is invalid");
    if (
      event.dedup_key !== undefined &&
      (typeof event.dedup_key !== 'string' || event.dedup_key.length > 255)
    )
      errors.push("'dedup_key' must be a string of at most 255 characters");
    if (event.event_action === 'trigger') {
      const p = event.payload;
      if (!p?.summary || p.summary.length > 1024)
        errors.push("'payload.summary' is missing or too long");
      if (!p?.source) errors.push("'payload.source' is missing");
      if (!SEVERITIES.includes(p?.severity ?? '')) errors.push("'payload.severity' is invalid");
    } else if (event.event_action && !event.dedup_key) {
      errors.push(`'dedup_key' is required for ${event.event_action}`);
    }
    if (errors.length > 0) return invalid(errors);

    const dedupKey = event.dedup_key ?? randomBytes(16).toString('hex');
    const at = new Date().toISOString();
    const alert = alerts.get(dedupKey);
    if (event.event_action === 'trigger') {
      if (!alert || alert.status === 'resolved') {
        const opened: PagerDutyAlert = {
          dedupKey,
          incidentNumber: incidents.length + 1,
          status: 'triggered',
          summary: event.payload?.summary ?? '',
          severity: event.payload?.severity ?? 'error',
          events: [],
        };
        alerts.set(dedupKey, opened);
        incidents.push(opened);
      }
      alerts
        .get(dedupKey)
        ?.events.push({ action: 'trigger', summary: event.payload?.summary ?? null, at });
    } else if (alert && alert.status !== 'resolved') {
      // Acknowledge/resolve for an unknown or resolved key is accepted and ignored, as PagerDuty does.
      alert.status = event.event_action === 'acknowledge' ? 'acknowledged' : 'resolved';
      alert.events.push({ action: event.event_action as string, summary: null, at });
    }
    return {
      status: 202,
      json: { status: 'success', message: 'Event processed', dedup_key: dedupKey },
    };
  };

  const simulator = await startHttpSimulator('pagerduty', (request) =>
    request.method === 'POST' && request.path === '/v2/enqueue'
      ? enqueue(request)
      : {
          status: 404,
          json: { status: 'not found', message: `no route ${request.method} ${request.path}` },
        },
  );
  return Object.assign(simulator, { alerts, incidents });
}
