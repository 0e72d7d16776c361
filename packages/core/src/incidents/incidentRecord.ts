import type { EscalationReason } from '../playbooks/serviceContracts';
import type { IncidentStatus } from './incidentStatus';

/** An action outcome as a playbook reports it (`ActionOutcome` of @tourniquet/actions). */
export interface RecordedOutcome {
  stepKey: string;
  action: string;
  status: string;
  target: string;
  detail: string;
  changes: string[];
  undo: unknown;
  data: Record<string, unknown> | null;
}

/** A finding that joined the incident. GuardDuty re-publishes one finding with a growing count. */
export interface FindingSighting {
  id: string;
  origin: string;
  type: string;
  title: string;
  severity: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  /** Deliveries of this finding Tourniquet recorded (EventBridge events). */
  deliveries: number;
  /** Security Hub (ASFF) id of the source finding when it has one: the GuardDuty finding ARN. */
  securityHubId: string | null;
}

/** The plan an execution ran, without the finding (that is in `findings`). */
export interface IncidentPlan {
  playbook: string;
  reason: string;
  steps: Array<{ action: string; target: string; approval: string; dryRun: boolean }>;
  skipped: Array<{ action: string; reason: string }>;
}

export interface ExecutionRecord {
  name: string;
  /** Empty while only joins are recorded (a racing start is recorded just after). */
  playbook: string;
  at: string;
  /** Findings that arrived while it ran and joined it instead of starting another. */
  joined: number;
  /** Set while a finding holds the right to start it (see `execution-claimed`). */
  claimedBy?: string | null;
  arn?: string | null;
  /** When its run was recorded (the playbook's closing step): it no longer absorbs findings. */
  endedAt?: string | null;
}

export interface IncidentApproval {
  decision: 'approved' | 'denied' | 'expired';
  /** Who decided; null when nobody did (expired). */
  by: string | null;
  at: string;
  actions: string[];
}

export interface EscalationRecord {
  id: string;
  reason: EscalationReason;
  error: string | null;
  cause: string | null;
  at: string;
}

/**
 * The incident's ticket at one sink. `creating` is a claim: whoever holds it is the only one
 * allowed to create the ticket, which is how two racing invocations never create two tickets.
 */
export interface TicketState {
  sink: string;
  state: 'creating' | 'open' | 'resolved' | 'failed';
  /** Human-facing id (Jira key, ServiceNow number, PagerDuty dedup key, ASFF id). */
  ticketId: string | null;
  /** The id the sink's API addresses it by (ServiceNow sys_id); usually the same. */
  apiId: string | null;
  url: string | null;
  claim: { id: string; at: string } | null;
  /** The update the ticket was opened with: a retried step still knows it created the ticket. */
  openedWith: string | null;
  acknowledged: boolean;
  /** Updates already posted (comments, pages): a retried step does not post them twice. */
  posted: string[];
  failures: number;
  lastError: string | null;
}

/** The incident item: current state and the small collections that define it. */
export interface IncidentHead {
  key: string;
  /** Short label-safe id (`tq-…`), the one on every resource Tourniquet touched. */
  id: string;
  /** Sequence number of the last audit entry; every change moves it by one per entry. */
  version: number;
  status: IncidentStatus;
  title: string;
  severity: string;
  account: string;
  region: string;
  cluster: string | null;
  /** What is affected, e.g. `pod payments/payments-api-7d9f8b6c5-x2kqp`. */
  subject: string;
  createdAt: string;
  updatedAt: string;
  plan: IncidentPlan | null;
  findings: Record<string, FindingSighting>;
  /** Recent EventBridge event ids, so a redelivered event is not counted twice. */
  deliveries: string[];
  executions: ExecutionRecord[];
  approvals: IncidentApproval[];
  escalations: EscalationRecord[];
  tickets: Record<string, TicketState>;
  /** Steps whose containment is in force now (applied and not undone). */
  inForce: string[];
  /** Playbook runs already recorded (a retried ticket step records its outcomes once). */
  runs: string[];
}

/** One action outcome as the playbook reported it, with the undo data release needs. */
export interface ActionRecord extends RecordedOutcome {
  /** Audit sequence number of the entry that recorded it. */
  seq: number;
  at: string;
  runId: string;
  playbook: string;
  mode: 'apply' | 'undo';
}

/** One append-only audit entry; `seq` is gap-free and ordered per incident. */
export interface IncidentAuditEntry {
  seq: number;
  at: string;
  actor: string;
  type: string;
  summary: string;
  data: Record<string, unknown>;
}

export interface IncidentRecord {
  incident: IncidentHead;
  actions: ActionRecord[];
  audit: IncidentAuditEntry[];
}
