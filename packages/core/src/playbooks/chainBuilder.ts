import type { ActionName } from '../actions';
import {
  type AfterTask,
  type AslState,
  CONDITIONS,
  conditionHolds,
  ERRORS,
  RETRY,
  recordFailure,
} from './asl';
import type { PlaybookFunctions, PlaybookOptions } from './functionArns';
import { APPROVAL_STATE_NAME, FAILURE_KEYS } from './serviceContracts';
import { stepKey } from './stepKey';

/**
 * The state chains a playbook is made of: one Task per action behind a Choice on the plan,
 * target resolution, and the approval gate. PlaybookBuilder composes them into playbooks.
 */
export class ChainBuilder {
  readonly states: Record<string, AslState> = {};
  /** Every `$.failures` key a Task of this definition (branches included) can record. */
  protected readonly failureKeys: Set<string>;

  constructor(
    protected readonly functions: PlaybookFunctions,
    protected readonly options: PlaybookOptions,
    failureKeys?: Set<string>,
  ) {
    this.failureKeys = failureKeys ?? new Set();
  }

  protected catchTo(key: string, next: string) {
    this.failureKeys.add(key);
    return recordFailure(key, next);
  }

  /**
   * A chain of `Choice → Task` pairs, one per action: the Task runs only when the plan has that
   * step with the given approval mode, so one definition serves every plan of the playbook.
   * A Task that fails for good is recorded in `$.failures.<key>` and the chain goes on: the
   * steps are independent, so one failure never holds back the containment the others give.
   * Returns the name of the chain's first state.
   */
  actionChain(
    actions: readonly ActionName[],
    approval: 'auto' | 'required',
    mode: 'apply' | 'undo',
    next: string,
    afterTask?: AfterTask,
  ): string {
    let following = next;
    for (const action of [...actions].reverse()) {
      const key = stepKey(action);
      const suffix = mode === 'undo' ? ' (undo)' : approval === 'required' ? ' (approved)' : '';
      const task = `${action}${suffix}`;
      const check = `Plan has ${action}${suffix}?`;
      const afterwards = afterTask ? afterTask(action, following) : following;
      this.states[task] = {
        Type: 'Task',
        Resource: this.functions.actions[action as Exclude<ActionName, 'open-ticket'>],
        Parameters: {
          mode,
          action,
          'incidentKey.$': '$.incidentKey',
          // Undo takes no target: it restores what the action's journal holds for the incident.
          ...(mode === 'apply' ? { 'target.$': `$.actions.${key}.subject` } : {}),
          'dryRun.$': `$.actions.${key}.dryRun`,
          'finding.$': '$.finding',
          // What on-call approved: the apply refuses a target that now resolves otherwise.
          ...(mode === 'apply' && approval === 'required'
            ? { 'approvedTarget.$': `$.resolved.${key}.resolved` }
            : {}),
        },
        ResultPath: `$.results.${key}`,
        Retry: RETRY,
        Catch: this.catchTo(key, afterwards),
        Next: afterwards,
      };
      const conditions: unknown[] = [{ Variable: `$.actions.${key}`, IsPresent: true }];
      const choices: unknown[] = [];
      if (mode === 'apply') {
        conditions.push({ Variable: `$.actions.${key}.approval`, StringEquals: approval });
        // An automatic conditional step runs here once its condition holds (the earlier step
        // ran before it in this chain); one needing approval is asked for on its own, later.
        if (approval === 'auto') {
          for (const condition of CONDITIONS) {
            choices.push({
              And: [
                ...conditions,
                { Variable: `$.actions.${key}.onlyIf`, IsPresent: true },
                { Variable: `$.actions.${key}.onlyIf`, StringEquals: condition },
                ...conditionHolds(condition),
              ],
              Next: task,
            });
          }
        }
        conditions.push({ Not: { Variable: `$.actions.${key}.onlyIf`, IsPresent: true } });
      }
      // A step whose target could not be resolved was not shown to on-call: it does not run.
      if (mode === 'apply' && approval === 'required')
        conditions.push({ Not: { Variable: `$.failures.${key}`, IsPresent: true } });
      this.states[check] = {
        Type: 'Choice',
        Choices: [{ And: conditions, Next: task }, ...choices],
        Default: following,
      };
      following = check;
    }
    return following;
  }

  /**
   * Before the approval request, every step that needs approval resolves its concrete target
   * (mode `resolve`, which changes nothing) into `$.resolved.<key>`: on-call approves the role
   * ARN, instance or ENIs that will be acted on, and the approved apply is bound to it.
   */
  /**
   * The Task that resolves `action`'s target (mode `resolve`) into `$.resolved.<key>`; a failure
   * is caught to `catchNext`, success goes on to `next`.
   */
  protected resolveTask(action: ActionName, catchNext: string, next: string): AslState {
    const key = stepKey(action);
    return {
      Type: 'Task',
      Resource: this.functions.actions[action as Exclude<ActionName, 'open-ticket'>],
      Parameters: {
        mode: 'resolve',
        action,
        'incidentKey.$': '$.incidentKey',
        'target.$': `$.actions.${key}.subject`,
        'dryRun.$': `$.actions.${key}.dryRun`,
        'finding.$': '$.finding',
      },
      ResultPath: `$.resolved.${key}`,
      Retry: RETRY,
      Catch: this.catchTo(key, catchNext),
      Next: next,
    };
  }

  resolveChain(actions: readonly ActionName[], next: string): string {
    let following = next;
    for (const action of [...actions].reverse()) {
      const key = stepKey(action);
      const task = `${action} (resolve)`;
      const check = `Plan has ${action} to resolve?`;
      this.states[task] = this.resolveTask(action, following, following);
      this.states[check] = {
        Type: 'Choice',
        Choices: [
          {
            And: [
              { Variable: `$.actions.${key}`, IsPresent: true },
              { Variable: `$.actions.${key}.approval`, StringEquals: 'required' },
              // A conditional step is resolved and asked for once its condition holds.
              { Not: { Variable: `$.actions.${key}.onlyIf`, IsPresent: true } },
            ],
            Next: task,
          },
        ],
        Default: following,
      };
      following = check;
    }
    return following;
  }

  /**
   * One approval for the whole group of steps needing it: waitForTaskToken with a timeout.
   * Every outcome sets `$.approvalStatus` and goes on to `settled` (an expiry pages on-call
   * first); whether the group runs is decided from that status.
   */
  approvalGate(settled: string): string {
    const request = APPROVAL_STATE_NAME;
    const status = (name: string, result: string, next = settled) => {
      this.states[name] = {
        Type: 'Pass',
        Result: result,
        ResultPath: '$.approvalStatus',
        Next: next,
      };
    };
    this.states['Needs approval?'] = {
      Type: 'Choice',
      Choices: [{ Variable: '$.approval.required', BooleanEquals: true, Next: request }],
      Default: settled,
    };
    this.failureKeys.add(FAILURE_KEYS.approval);
    this.states[request] = {
      Type: 'Task',
      Resource: `arn:${this.options.partition ?? 'aws'}:states:::lambda:invoke.waitForTaskToken`,
      Parameters: {
        FunctionName: this.functions.approval,
        Payload: {
          'taskToken.$': '$$.Task.Token',
          'executionArn.$': '$$.Execution.Id',
          'incidentKey.$': '$.incidentKey',
          'playbook.$': '$.playbook',
          'actions.$': '$.approval.actions',
          'steps.$': '$.steps',
          'resolved.$': '$.resolved',
          'finding.$': '$.finding',
          'results.$': '$.results',
          expiresInSeconds: this.options.approvalTimeoutSeconds,
        },
      },
      TimeoutSeconds: this.options.approvalTimeoutSeconds,
      ResultPath: '$.approvalDecision',
      Retry: RETRY,
      Catch: [
        { ErrorEquals: [ERRORS.denied], ResultPath: '$.approvalDecision', Next: 'Approval denied' },
        {
          ErrorEquals: [ERRORS.timeout],
          ResultPath: '$.approvalDecision',
          Next: 'Approval timed out',
        },
        ...recordFailure(FAILURE_KEYS.approval, 'Approval failed'),
      ],
      Next: 'Approved',
    };
    status('Approved', 'approved');
    status('Approval denied', 'denied');
    status('Approval failed', 'failed');
    status('Approval timed out', 'timed-out', 'Page on-call (approval expired)');
    this.states['Page on-call (approval expired)'] = {
      Type: 'Task',
      Resource: this.functions.escalate,
      Parameters: {
        reason: 'approval-expired',
        'incidentKey.$': '$.incidentKey',
        'playbook.$': '$.playbook',
        'actions.$': '$.approval.actions',
        'finding.$': '$.finding',
        'results.$': '$.results',
      },
      ResultPath: '$.escalation',
      Retry: RETRY,
      Catch: this.catchTo(FAILURE_KEYS.page, settled),
      Next: settled,
    };
    return 'Needs approval?';
  }
}
