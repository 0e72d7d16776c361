import { type ActionName, DESTRUCTIVE_ACTIONS, type PlaybookName } from '../actions';
import type { PlaybookFunctions, PlaybookOptions } from './functionArns';
import { APPROVAL_STATE_NAME } from './serviceContracts';
import { stepKey } from './stepKey';

/** Amazon States Language (JSONPath), just the parts Tourniquet emits. */
export type AslState = Record<string, unknown> & { Type: string };
export interface AslDefinition {
  Comment: string;
  QueryLanguage: 'JSONPath';
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, AslState>;
}

export const ERRORS = {
  transient: 'TransientActionError',
  denied: 'ApprovalDenied',
  timeout: 'States.Timeout',
  all: 'States.ALL',
} as const;

/** Errors worth retrying: ours, and the Lambda service's own transient failures. */
const RETRY = [
  {
    ErrorEquals: [
      ERRORS.transient,
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
    ],
    IntervalSeconds: 1,
    BackoffRate: 2,
    MaxAttempts: 4,
    MaxDelaySeconds: 30,
    JitterStrategy: 'FULL',
  },
];

const ESCALATE = 'Escalate';
const OPEN_TICKET = 'Open ticket';

/** Builds one state machine definition; the per-playbook functions only choose the actions. */
export class PlaybookBuilder {
  readonly states: Record<string, AslState> = {};

  constructor(
    private readonly functions: PlaybookFunctions,
    private readonly options: PlaybookOptions,
  ) {}

  /**
   * A chain of `Choice → Task` pairs, one per action: the Task runs only when the plan has that
   * step with the given approval mode, so one definition serves every plan of the playbook.
   * Returns the name of the chain's first state.
   */
  actionChain(
    actions: readonly ActionName[],
    approval: 'auto' | 'required',
    mode: 'apply' | 'undo',
    next: string,
  ): string {
    let following = next;
    for (const action of [...actions].reverse()) {
      const key = stepKey(action);
      const suffix = mode === 'undo' ? ' (undo)' : approval === 'required' ? ' (approved)' : '';
      const task = `${action}${suffix}`;
      const check = `Plan has ${action}${suffix}?`;
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
        Catch: [{ ErrorEquals: [ERRORS.all], ResultPath: '$.failure', Next: ESCALATE }],
        Next: following,
      };
      const conditions: unknown[] = [{ Variable: `$.actions.${key}`, IsPresent: true }];
      if (mode === 'apply')
        conditions.push({ Variable: `$.actions.${key}.approval`, StringEquals: approval });
      this.states[check] = {
        Type: 'Choice',
        Choices: [{ And: conditions, Next: task }],
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
  resolveChain(actions: readonly ActionName[], next: string): string {
    let following = next;
    for (const action of [...actions].reverse()) {
      const key = stepKey(action);
      const task = `${action} (resolve)`;
      const check = `Plan has ${action} to resolve?`;
      this.states[task] = {
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
        Catch: [{ ErrorEquals: [ERRORS.all], ResultPath: '$.failure', Next: ESCALATE }],
        Next: following,
      };
      this.states[check] = {
        Type: 'Choice',
        Choices: [
          {
            And: [
              { Variable: `$.actions.${key}`, IsPresent: true },
              { Variable: `$.actions.${key}.approval`, StringEquals: 'required' },
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
   * One approval for the whole group of steps needing it: waitForTaskToken with a timeout;
   * denial or timeout skip the group (timeout also pages), approval runs it.
   */
  approvalGate(onApproved: string, onSkipped: string): string {
    const request = APPROVAL_STATE_NAME;
    this.states['Needs approval?'] = {
      Type: 'Choice',
      Choices: [{ Variable: '$.approval.required', BooleanEquals: true, Next: request }],
      Default: onSkipped,
    };
    this.states[request] = {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
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
        { ErrorEquals: [ERRORS.all], ResultPath: '$.failure', Next: ESCALATE },
      ],
      Next: 'Approved',
    };
    this.states.Approved = {
      Type: 'Pass',
      Result: 'approved',
      ResultPath: '$.approvalStatus',
      Next: onApproved,
    };
    this.states['Approval denied'] = {
      Type: 'Pass',
      Result: 'denied',
      ResultPath: '$.approvalStatus',
      Next: onSkipped,
    };
    this.states['Approval timed out'] = {
      Type: 'Pass',
      Result: 'timed-out',
      ResultPath: '$.approvalStatus',
      Next: 'Page on-call (approval expired)',
    };
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
      Catch: [{ ErrorEquals: [ERRORS.all], ResultPath: '$.failure', Next: ESCALATE }],
      Next: onSkipped,
    };
    return 'Needs approval?';
  }

  /** The ticket step every plan ends with, and the one escalation path every Task catches to. */
  ticketAndEscalation(): string {
    this.states[OPEN_TICKET] = {
      Type: 'Task',
      Resource: this.functions.ticket,
      Parameters: {
        'incidentKey.$': '$.incidentKey',
        'playbook.$': '$.playbook',
        'reason.$': '$.reason',
        'finding.$': '$.finding',
        'steps.$': '$.steps',
        'skipped.$': '$.skipped',
        'results.$': '$.results',
        'approvalStatus.$': '$.approvalStatus',
        'dryRun.$': '$.actions.openTicket.dryRun',
      },
      ResultPath: '$.ticket',
      Retry: RETRY,
      Catch: [{ ErrorEquals: [ERRORS.all], ResultPath: '$.failure', Next: ESCALATE }],
      Next: 'Done',
    };
    this.states.Done = { Type: 'Succeed' };
    this.states[ESCALATE] = {
      Type: 'Task',
      Resource: this.functions.escalate,
      Parameters: {
        reason: 'step-failed',
        'incidentKey.$': '$.incidentKey',
        'playbook.$': '$.playbook',
        'failure.$': '$.failure',
        'finding.$': '$.finding',
        'results.$': '$.results',
      },
      ResultPath: '$.escalation',
      Retry: RETRY,
      Catch: [
        { ErrorEquals: [ERRORS.all], ResultPath: '$.escalationFailure', Next: 'Escalation failed' },
      ],
      Next: 'Escalated',
    };
    this.states.Escalated = {
      Type: 'Fail',
      Error: 'Tourniquet.Escalated',
      Cause: 'A step failed: on-call was paged and the ticket says what failed.',
    };
    this.states['Escalation failed'] = {
      Type: 'Fail',
      Error: 'Tourniquet.EscalationFailed',
      Cause: 'A step failed and paging on-call failed too.',
    };
    return OPEN_TICKET;
  }

  build(comment: string, startAt: string): AslDefinition {
    return { Comment: comment, QueryLanguage: 'JSONPath', StartAt: startAt, States: this.states };
  }
}

/** Actions of a playbook that can need approval (by default: the destructive ones). */
export function destructive(actions: readonly ActionName[]): ActionName[] {
  return actions.filter((a) => DESTRUCTIVE_ACTIONS.includes(a));
}

export type { PlaybookName };
