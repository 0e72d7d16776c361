import type { ActionName } from '../actions';
import { PLAYBOOK_ACTION_ORDER, PLAYBOOK_CONDITIONAL_ACTIONS } from '../policy/playbooks';
import type { AslDefinition } from './asl';
import type { PlaybookFunctions, PlaybookOptions } from './functionArns';
import { PlaybookBuilder } from './playbookBuilder';

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
 * Every action each playbook can run, in execution order: the plan's step order
 * (`PLAYBOOK_ACTION_ORDER`, from the step templates), so plans and state machines agree.
 * Isolation and evidence come before anything destructive; which steps need approval is up to
 * the plan (config).
 */
export const PLAYBOOK_ACTIONS: Readonly<
  Record<Exclude<StateMachineName, 'release'>, readonly ActionName[]>
> = PLAYBOOK_ACTION_ORDER;

/** The actions each playbook can plan to run only under a condition (an escalation). */
export const CONDITIONAL_ACTIONS: Readonly<
  Record<Exclude<StateMachineName, 'release'>, readonly ActionName[]>
> = PLAYBOOK_CONDITIONAL_ACTIONS;

/** What `release` can undo, in undo order (reverse of containment). */
export const RELEASE_ACTIONS: readonly ActionName[] = [
  'block-web-identity',
  'revoke-role-sessions',
  'quarantine-instance-profile',
  'isolate-node',
  'cordon-node',
  'protect-node',
  'isolate-pod',
  'label-pod',
];

export const DEFAULT_PLAYBOOK_OPTIONS: PlaybookOptions = { approvalTimeoutSeconds: 900 };

/**
 * The playbook as ASL (JSONPath). In parallel from the start: the steps without approval, in
 * plan order (isolation first, so its Lambda is the first the execution invokes); the concrete
 * targets of the group that needs approval followed by one approval request for that group;
 * and the opening of the ticket. Once all are done and the group is approved, it runs. The
 * ticket is updated at the end. Every Task retries transient errors with backoff and jitter;
 * a Task that still fails is recorded in `$.failures` and the remaining steps run; at the end
 * one escalation names every failed step and the execution fails.
 */
export function playbookDefinition(
  name: StateMachineName,
  functions: PlaybookFunctions,
  options: PlaybookOptions = DEFAULT_PLAYBOOK_OPTIONS,
): AslDefinition {
  const b = new PlaybookBuilder(functions, options);
  const close = b.closeAndEscalate();
  if (name === 'release') {
    const undo = b.actionChain(RELEASE_ACTIONS, 'required', 'undo', close);
    b.states['Release approved?'] = {
      Type: 'Choice',
      Choices: [{ Variable: '$.approvalStatus', StringEquals: 'approved', Next: undo }],
      Default: close,
    };
    const gate = b.approvalGate('Release approved?');
    return b.build(
      'Tourniquet release: lift a quarantine after approval (restore what the step journal recorded)',
      b.openTicket(gate),
    );
  }
  const actions = PLAYBOOK_ACTIONS[name];
  // Escalations (isolate-node when the pod is NOT isolated) are asked for once the group that
  // always needs approval has settled, whatever its decision.
  const escalations = b.conditionalSteps(CONDITIONAL_ACTIONS[name], close);
  const approved = b.actionChain(
    actions,
    'required',
    'apply',
    escalations,
    b.pageWhenConditionHolds(' (approved)'),
  );
  return b.build(`Tourniquet ${name} playbook`, b.parallelSteps(actions, approved, escalations));
}
