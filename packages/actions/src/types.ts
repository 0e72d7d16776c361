import type { AwsClients } from '@tourniquet/aws';
import type {
  ActionJournal,
  ActionName,
  ClusterConfig,
  Finding,
  JournalEntry,
  TourniquetConfig,
} from '@tourniquet/core';
import type * as z from '@tourniquet/core/zod';
import type { KubeAdapter } from '@tourniquet/kube';

export type ActionStatus = 'applied' | 'skipped' | 'dry-run';

/** What one apply or undo did. Failures are thrown as typed errors, never returned. */
export interface ActionOutcome {
  action: ActionName;
  status: ActionStatus;
  target: string;
  detail: string;
  /** Changes made (applied), that would be made (dry-run), or none (skipped). */
  changes: string[];
  /**
   * Where release finds what to restore: a reference to this step's journal entry (the state
   * before the change, recorded before it was made), or null when there is nothing to undo.
   */
  undo: { journal: string } | null;
  /** Action-specific results: mechanisms used, snapshot ids, evidence. */
  data?: Record<string, unknown>;
  /** Skipped because an admin protected the target: the ticket step pages on-call. */
  protected?: true;
}

export interface ActionContext {
  incidentKey: string;
  dryRun: boolean;
  config: TourniquetConfig;
  /** The configured cluster the incident is on (quarantine groups, OIDC issuer), if any. */
  cluster: ClusterConfig | null;
  clusterName: string | null;
  /** The member account the context acts in (through its member role); absent: the hub's own. */
  account?: string;
  /** The finding behind the incident, for evidence and cut-off times. */
  finding: Omit<Finding, 'raw'> | null;
  aws: AwsClients;
  /** Where the state before each change is recorded, before the change is made. */
  journal: ActionJournal;
  /** Connects on first use: not every action talks to Kubernetes. */
  kube: () => Promise<KubeAdapter>;
  now: () => Date;
  /**
   * The concrete target on-call approved (what `resolve` returned before the approval request),
   * for a step that needed approval; apply refuses to act when the target now resolves to
   * anything else. Undefined when the step needed no approval.
   */
  approvedTarget?: string | null;
}

/** What `resolve` found: the concrete thing apply would act on, changing nothing. */
export interface ResolveOutcome {
  action: ActionName;
  status: 'resolved' | 'skipped';
  /** The plan's target, rendered. */
  target: string;
  /** The concrete target (role ARN, instance id, ENIs…), or null when the step would be skipped. */
  resolved: string | null;
  detail: string;
  /** Who else the change reaches (instances and pods sharing a role), for the approval request. */
  impact?: string;
}

/**
 * Current state read from the APIs, or why the action does not apply to this target;
 * `protected`: an admin-set exemption (config, AWS tag, namespace label), which pages on-call.
 */
export type Check<S> = { ok: true; state: S } | { ok: false; reason: string; protected?: true };

export interface Permissions {
  /** IAM actions the action's Lambda role needs. */
  iam: readonly string[];
  /** Kubernetes RBAC rules, as `verb,verb resource` (e.g. `get,patch pods`). */
  kubernetes: readonly string[];
}

export interface ActionMetadata<P> {
  name: ActionName;
  description: string;
  params: z.ZodMiniType<P>;
  permissions: Permissions;
  example: P;
}

/** One response action: check → plan → apply → verify → undo. */
export interface Action<P = unknown> extends ActionMetadata<P> {
  check(ctx: ActionContext, params: P): Promise<Check<unknown>>;
  /** The concrete target apply would act on now, read from the APIs; changes nothing. */
  resolve(ctx: ActionContext, params: P): Promise<ResolveOutcome>;
  /** The changes apply would make now; empty when the target is already in the wanted state. */
  plan(ctx: ActionContext, params: P): Promise<string[]>;
  apply(ctx: ActionContext, params: P): Promise<ActionOutcome>;
  /** Reads the state back; throws VerificationFailedError when it does not hold. */
  verify(ctx: ActionContext, params: P): Promise<void>;
  /**
   * Restores what this action changed for the incident, from its journal entries only (never
   * from the caller), and only where Tourniquet's own change is still in place. Without
   * `entries`, every entry of the incident for this action.
   */
  undo(ctx: ActionContext, entries?: readonly JournalEntry[]): Promise<ActionOutcome>;
}
