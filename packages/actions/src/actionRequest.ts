import type { AwsClients } from '@tourniquet/aws';
import type { Finding, TourniquetConfig } from '@tourniquet/core';
import type { KubeAdapter } from '@tourniquet/kube';
import { z } from 'zod';
import { InvalidParametersError } from './errors';
import { getAction } from './registry';
import type { ActionOutcome, ResolveOutcome } from './types';

/** What a playbook Task sends to an action Lambda. */
export const actionRequestSchema = z.object({
  /** `resolve`: report the concrete target apply would act on, changing nothing. */
  mode: z.enum(['apply', 'verify', 'undo', 'resolve']).default('apply'),
  incidentKey: z.string().min(1),
  action: z.string().min(1),
  /** The plan step's subject (a Target); validated by the action's own schema. */
  target: z.record(z.string(), z.unknown()),
  dryRun: z.boolean().default(false),
  finding: z
    .object({ cluster: z.string().nullable(), region: z.string(), lastSeen: z.string() })
    .passthrough()
    .nullable()
    .default(null),
  /** The `undo` value a previous apply returned (mode undo). */
  saved: z.unknown().optional(),
  /**
   * The concrete target on-call approved (mode apply of an approved step): the `resolved` value
   * of the resolve run before the approval request. Apply fails closed when it differs.
   */
  approvedTarget: z.string().nullable().optional(),
});
export type ActionRequest = z.input<typeof actionRequestSchema>;

/** Where an action request finds its clients: built once per warm Lambda (or per local world). */
export interface ActionRuntime {
  config: TourniquetConfig;
  aws(region: string): AwsClients;
  kube(cluster: string): Promise<KubeAdapter>;
  now?: () => Date;
}

export type ActionResponse =
  | ActionOutcome
  | ResolveOutcome
  | { action: string; status: 'verified'; target: string; detail: string };

/** Validates a request, builds the action context and runs apply, verify, undo or resolve. */
export async function runActionRequest(
  input: unknown,
  runtime: ActionRuntime,
): Promise<ActionResponse> {
  const parsed = actionRequestSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(request)'}: ${i.message}`,
    );
    throw new InvalidParametersError(`invalid action request: ${problems.join('; ')}`);
  }
  const request = parsed.data;
  const action = getAction(request.action);
  const finding = request.finding as Omit<Finding, 'raw'> | null;
  const clusterName = finding?.cluster ?? null;
  const cluster = runtime.config.clusters.find((c) => c.name === clusterName) ?? null;
  const region = cluster?.region ?? finding?.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const ctx = {
    incidentKey: request.incidentKey,
    dryRun:
      request.dryRun || runtime.config.dryRun || runtime.config.dryRunActions.includes(action.name),
    config: runtime.config,
    cluster,
    clusterName,
    finding,
    aws: runtime.aws(region),
    kube: () => {
      if (!clusterName)
        throw new InvalidParametersError(
          `${action.name} needs a cluster, but the finding names none`,
        );
      return runtime.kube(clusterName);
    },
    now: runtime.now ?? (() => new Date()),
    ...(request.approvedTarget !== undefined ? { approvedTarget: request.approvedTarget } : {}),
  };
  if (request.mode === 'resolve') return action.resolve(ctx, request.target);
  if (request.mode === 'verify') {
    await action.verify(ctx, request.target);
    return {
      action: action.name,
      status: 'verified',
      target: JSON.stringify(request.target),
      detail: 'state holds',
    };
  }
  if (request.mode === 'undo') return action.undo(ctx, request.target, request.saved ?? null);
  // Parse → apply → verify: a change is only reported once it reads back as holding.
  const outcome = await action.apply(ctx, request.target);
  if (outcome.status === 'applied') await action.verify(ctx, request.target);
  return outcome;
}
