import type { ActionName } from '@tourniquet/core';
import { type ActionResponse, type ActionRuntime, runActionRequestWith } from './actionRequest';
import { blockWebIdentity } from './actions/blockWebIdentity';
import { captureEvidence } from './actions/captureEvidence';
import { cordonNode } from './actions/cordonNode';
import { disablePublicEndpoint } from './actions/disablePublicEndpoint';
import { enableControlPlaneLogging } from './actions/enableControlPlaneLogging';
import { isolateNode } from './actions/isolateNode';
import { isolatePod } from './actions/isolatePod';
import { labelPod } from './actions/labelPod';
import { protectNode } from './actions/protectNode';
import { quarantineInstanceProfile } from './actions/quarantineInstanceProfile';
import { requireImdsv2 } from './actions/requireImdsv2';
import { revokeOpenIngress } from './actions/revokeOpenIngress';
import { revokeRoleSessions } from './actions/revokeRoleSessions';
import type { Action } from './types';

/** Every response action, by name. open-ticket belongs to the ticket sinks. */
export const ACTIONS = {
  'label-pod': labelPod,
  'isolate-pod': isolatePod,
  'capture-evidence': captureEvidence,
  'protect-node': protectNode,
  'cordon-node': cordonNode,
  'isolate-node': isolateNode,
  'quarantine-instance-profile': quarantineInstanceProfile,
  'revoke-role-sessions': revokeRoleSessions,
  'block-web-identity': blockWebIdentity,
  'require-imdsv2': requireImdsv2,
  'disable-public-endpoint': disablePublicEndpoint,
  'enable-control-plane-logging': enableControlPlaneLogging,
  'revoke-open-ingress': revokeOpenIngress,
} as const satisfies Partial<Record<ActionName, { name: ActionName }>>;

export type RegisteredActionName = keyof typeof ACTIONS;

export function getAction(name: string): Action<unknown> {
  if (!Object.hasOwn(ACTIONS, name)) {
    throw new Error(`unknown action '${name}'; known: ${Object.keys(ACTIONS).join(', ')}`);
  }
  return ACTIONS[name as RegisteredActionName] as unknown as Action<unknown>;
}

/** Runs a request for any registered action (local runs and tests; each Lambda runs one). */
export function runActionRequest(input: unknown, runtime: ActionRuntime): Promise<ActionResponse> {
  return runActionRequestWith(input, runtime, getAction);
}
