/** Where an incident stands. Order is the usual life of an incident, not a strict sequence. */
export const INCIDENT_STATUSES = [
  'open',
  'awaiting-approval',
  'contained',
  'escalated',
  'released',
  'resolved',
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/**
 * Moves the store accepts. Two rules carry the weight: a contained incident never silently goes
 * back to `open` (a late approval denial does not undo isolation that is in force), and a
 * resolved incident only reopens — a retried or late step cannot un-resolve it.
 */
const TRANSITIONS: Readonly<Record<IncidentStatus, readonly IncidentStatus[]>> = {
  open: ['awaiting-approval', 'contained', 'escalated', 'released', 'resolved'],
  'awaiting-approval': ['open', 'contained', 'escalated', 'released', 'resolved'],
  contained: ['awaiting-approval', 'escalated', 'released', 'resolved'],
  escalated: ['open', 'awaiting-approval', 'contained', 'released', 'resolved'],
  released: ['open', 'awaiting-approval', 'contained', 'escalated', 'resolved'],
  resolved: ['open'],
};

export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isIncidentStatus(value: string): value is IncidentStatus {
  return (INCIDENT_STATUSES as readonly string[]).includes(value);
}
