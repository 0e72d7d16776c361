import type { ActionName } from '../actions';
import { type AslDefinition, PlaybookBuilder } from './asl';
import type { PlaybookFunctions, PlaybookOptions } from './functionArns';

export const STATE_MACHINE_NAMES = [
  'contain-pod',
  'contain-node',
  'revoke-identity',
  'remediate-config',
  'ticket-only',
  'release',
] as const;
export type StateMachineName = (typeof STATE_MACHINE_NAMES)[number];

/**
 * Every action each playbook can run, in execution order. Evidence and isolation come before
 * anything destructive; which of them need approval is up to the plan (config).
 */
export const PLAYBOOK_ACTIONS: Readonly<
  Record<Exclude<StateMachineName, 'release'>, readonly ActionName[]>
> = {
  'contain-pod': [
    'label-pod',
    'isolate-pod',
    'capture-evidence',
    'protect-node',
    'cordon-node',
    'isolate-node',
    'revoke-role-sessions',
  ],
  'contain-node': [
    'capture-evidence',
    'protect-node',
    'cordon-node',
    'isolate-node',
    'revoke-role-sessions',
  ],
  'revoke-identity': ['revoke-role-sessions', 'block-web-identity'],
  'remediate-config': [
    'require-imdsv2',
    'disable-public-endpoint',
    'enable-control-plane-logging',
    'revoke-open-ingress',
  ],
  'ticket-only': [],
};

/** What `release` can undo, in undo order (reverse of containment). */
export const RELEASE_ACTIONS: readonly ActionName[] = [
  'block-web-identity',
  'revoke-role-sessions',
  'isolate-node',
  'cordon-node',
  'protect-node',
  'isolate-pod',
  'label-pod',
];

export const DEFAULT_PLAYBOOK_OPTIONS: PlaybookOptions = { approvalTimeoutSeconds: 900 };

/**
 * The playbook as ASL (JSONPath): steps without approval first, then the concrete targets of the
 * group that needs approval, then one approval for that group, then the group, then the ticket. Every Task retries transient errors with
 * backoff and jitter and catches everything else to the escalation path.
 */
export function playbookDefinition(
  name: StateMachineName,
  functions: PlaybookFunctions,
  options: PlaybookOptions = DEFAULT_PLAYBOOK_OPTIONS,
): AslDefinition {
  const b = new PlaybookBuilder(functions, options);
  const ticket = b.ticketAndEscalation();
  if (name === 'release') {
    const undo = b.actionChain(RELEASE_ACTIONS, 'required', 'undo', ticket);
    const gate = b.approvalGate(undo, ticket);
    return b.build(
      'Tourniquet release: lift a quarantine after approval (restore what the step journal recorded)',
      gate,
    );
  }
  const actions = PLAYBOOK_ACTIONS[name];
  const approved = b.actionChain(actions, 'required', 'apply', ticket);
  const gate = b.approvalGate(approved, ticket);
  const resolve = b.resolveChain(actions, gate);
  const start = b.actionChain(actions, 'auto', 'apply', resolve);
  return b.build(`Tourniquet ${name} playbook`, start);
}
