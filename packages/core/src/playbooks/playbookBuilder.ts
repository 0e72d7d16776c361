import type { ActionName } from '../actions';
import { conditionKey, STEP_CONDITIONS } from '../policy/stepConditions';
import {
  type AfterTask,
  type AslDefinition,
  CONDITIONS,
  capitalised,
  conditionHolds,
  ERRORS,
  RETRY,
  recordFailure,
  STATE_NAMES,
} from './asl';
import { ChainBuilder } from './chainBuilder';
import { APPROVAL_STATE_NAME, FAILURE_KEYS } from './serviceContracts';
import { stepKey } from './stepKey';

/** Playbooks from chains: the parallel branches, conditional steps, the ticket and the close. */
export class PlaybookBuilder extends ChainBuilder {
  /** A builder for a Parallel branch: its own states, the same functions and failure keys. */
  branch(): PlaybookBuilder {
    return new PlaybookBuilder(this.functions, this.options, this.failureKeys);
  }

  /**
   * The automatic steps, the approval request and the ticket at once: branch one runs the steps
   * that need no approval, branch two resolves the targets needing approval and asks for it, so
   * on-call reads the request while the pod is being isolated instead of after evidence is
   * captured; branch three opens the ticket (a paging sink pages), so the first step's Lambda
   * (isolate-pod) is the first the execution invokes. The branches write disjoint parts of the
   * state (`results` vs `resolved`, `approval*`, `escalation` vs `ticket`) and the first two
   * may record `failures`; the join merges them back into one state.
   */
  parallelSteps(
    actions: readonly ActionName[],
    next: string,
    otherwise: string = STATE_NAMES.updateTicket,
  ): string {
    const auto = this.branch();
    auto.states['Automatic steps done'] = { Type: 'Succeed' };
    const autoStart = auto.actionChain(
      actions,
      'auto',
      'apply',
      'Automatic steps done',
      auto.pageWhenConditionHolds(''),
    );
    const approval = this.branch();
    approval.states['Approval settled'] = { Type: 'Succeed' };
    const gate = approval.approvalGate('Approval settled');
    const approvalStart = approval.resolveChain(actions, gate);
    const ticket = this.branch();
    ticket.states['Ticket opened'] = { Type: 'Succeed' };
    const ticketStart = ticket.openTicket('Ticket opened');
    const join = 'Join branches';
    this.failureKeys.add(FAILURE_KEYS.runSteps);
    this.states[STATE_NAMES.runSteps] = {
      Type: 'Parallel',
      Branches: [
        { StartAt: autoStart, States: auto.states },
        { StartAt: approvalStart, States: approval.states },
        { StartAt: ticketStart, States: ticket.states },
      ],
      ResultSelector: {
        'state.$': '$[0]',
        patch: {
          'resolved.$': '$[1].resolved',
          'approvalStatus.$': '$[1].approvalStatus',
          'approvalDecision.$': '$[1].approvalDecision',
          'escalation.$': '$[1].escalation',
          'ticket.$': '$[2].ticket',
          // Shallow merge suffices: a step key is written by one branch only.
          'failures.$': 'States.JsonMerge($[0].failures, $[1].failures, false)',
        },
      },
      // No ResultPath: the default (`$`) makes the selected result the state's output.
      Catch: recordFailure(FAILURE_KEYS.runSteps, STATE_NAMES.updateTicket),
      Next: join,
    };
    this.states[join] = {
      Type: 'Pass',
      Parameters: { 'state.$': 'States.JsonMerge($.state, $.patch, false)' },
      OutputPath: '$.state',
      Next: 'Approved?',
    };
    this.states['Approved?'] = {
      Type: 'Choice',
      Choices: [{ Variable: '$.approvalStatus', StringEquals: 'approved', Next: next }],
      Default: otherwise,
    };
    return STATE_NAMES.runSteps;
  }

  /**
   * After the step a condition reads (isolate-pod), a Choice on its result: when the condition
   * holds (the pod is NOT isolated), on-call is paged at once with the reason, while the other
   * steps go on. `suffix` keeps state names unique between the automatic and approved chains.
   */
  pageWhenConditionHolds(suffix: string): AfterTask {
    return (action, next) => {
      let following = next;
      for (const condition of CONDITIONS) {
        if (STEP_CONDITIONS[condition].after !== action) continue;
        const key = conditionKey(condition);
        const check = `${condition}?${suffix}`;
        const page = `Page on-call (${condition})${suffix}`;
        this.states[page] = {
          Type: 'Task',
          Resource: this.functions.escalate,
          Parameters: {
            reason: condition,
            'incidentKey.$': '$.incidentKey',
            'playbook.$': '$.playbook',
            'steps.$': '$.steps',
            'finding.$': '$.finding',
            'results.$': '$.results',
          },
          ResultPath: `$.pages.${key}`,
          Retry: RETRY,
          Catch: this.catchTo(`page${capitalised(key)}`, following),
          Next: following,
        };
        this.states[check] = {
          Type: 'Choice',
          Choices: [{ And: conditionHolds(condition), Next: page }],
          Default: following,
        };
        following = check;
      }
      return following;
    };
  }

  /**
   * The planned steps that run only under a condition and need approval (isolate-node when the
   * pod is NOT isolated): once the condition holds, each resolves its concrete target and gets
   * its own approval request; the decision is kept in `$.conditionalApprovals.<key>`. A denial
   * or an expiry leaves the step out (an expiry pages on-call); the chain always goes on to
   * `next`. Returns the chain's first state.
   */
  conditionalSteps(actions: readonly ActionName[], next: string): string {
    let following = next;
    for (const action of [...actions].reverse()) {
      const key = stepKey(action);
      const check = `Escalate to ${action}?`;
      const resolve = `${action} (resolve, escalated)`;
      const request = `${APPROVAL_STATE_NAME} (${action})`;
      const expired = `Page on-call (${action} approval expired)`;
      const task = `${action} (escalated)`;
      this.states[task] = {
        Type: 'Task',
        Resource: this.functions.actions[action as Exclude<ActionName, 'open-ticket'>],
        Parameters: {
          mode: 'apply',
          action,
          'incidentKey.$': '$.incidentKey',
          'target.$': `$.actions.${key}.subject`,
          'dryRun.$': `$.actions.${key}.dryRun`,
          'finding.$': '$.finding',
          'approvedTarget.$': `$.resolved.${key}.resolved`,
        },
        ResultPath: `$.results.${key}`,
        Retry: RETRY,
        Catch: this.catchTo(key, following),
        Next: following,
      };
      this.states[expired] = {
        Type: 'Task',
        Resource: this.functions.escalate,
        Parameters: {
          reason: 'approval-expired',
          'incidentKey.$': '$.incidentKey',
          'playbook.$': '$.playbook',
          actions: [action],
          'finding.$': '$.finding',
          'results.$': '$.results',
        },
        ResultPath: `$.conditionalApprovals.${key}.page`,
        Retry: RETRY,
        Catch: this.catchTo(`page${capitalised(key)}ApprovalExpired`, following),
        Next: following,
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
            actions: [action],
            'steps.$': '$.steps',
            'resolved.$': '$.resolved',
            'finding.$': '$.finding',
            'results.$': '$.results',
            expiresInSeconds: this.options.approvalTimeoutSeconds,
          },
        },
        TimeoutSeconds: this.options.approvalTimeoutSeconds,
        ResultPath: `$.conditionalApprovals.${key}`,
        Retry: RETRY,
        Catch: [
          {
            ErrorEquals: [ERRORS.denied],
            ResultPath: `$.conditionalApprovals.${key}`,
            Next: following,
          },
          {
            ErrorEquals: [ERRORS.timeout],
            ResultPath: `$.conditionalApprovals.${key}`,
            Next: expired,
          },
          ...this.catchTo(`${FAILURE_KEYS.approval}${capitalised(key)}`, following),
        ],
        Next: task,
      };
      this.states[resolve] = this.resolveTask(action, following, request);
      this.states[check] = {
        Type: 'Choice',
        Choices: CONDITIONS.map((condition) => ({
          And: [
            { Variable: `$.actions.${key}`, IsPresent: true },
            { Variable: `$.actions.${key}.approval`, StringEquals: 'required' },
            { Variable: `$.actions.${key}.onlyIf`, IsPresent: true },
            { Variable: `$.actions.${key}.onlyIf`, StringEquals: condition },
            ...conditionHolds(condition),
          ],
          Next: resolve,
        })),
        Default: following,
      };
      following = check;
    }
    return following;
  }

  /**
   * The ticket opens (or the page goes out) as the steps start, so on-call hears of the
   * incident at once; a failure here is only recorded on the ticket state, since the closing
   * update creates the ticket if it is still missing. Returns the opening state.
   */
  openTicket(next: string): string {
    this.states[STATE_NAMES.openTicket] = {
      Type: 'Task',
      Resource: this.functions.ticket,
      Parameters: { phase: 'start', ...this.ticketParameters() },
      ResultPath: '$.ticket',
      Retry: RETRY,
      Catch: [{ ErrorEquals: [ERRORS.all], ResultPath: '$.ticket', Next: next }],
      Next: next,
    };
    return STATE_NAMES.openTicket;
  }

  private ticketParameters() {
    return {
      'incidentKey.$': '$.incidentKey',
      'playbook.$': '$.playbook',
      'reason.$': '$.reason',
      'finding.$': '$.finding',
      'steps.$': '$.steps',
      'skipped.$': '$.skipped',
      'results.$': '$.results',
      'failures.$': '$.failures',
      'approvalStatus.$': '$.approvalStatus',
      'dryRun.$': '$.actions.openTicket.dryRun',
    };
  }

  /**
   * The end of every playbook: the ticket is updated with what ran, then, if any step recorded
   * a failure, one escalation names every failed step and the execution fails
   * (`Tourniquet.Escalated`) so the alarms on failed executions still fire.
   */
  closeAndEscalate(): string {
    this.failureKeys.add(FAILURE_KEYS.ticket);
    this.states[STATE_NAMES.updateTicket] = {
      Type: 'Task',
      Resource: this.functions.ticket,
      Parameters: { phase: 'end', ...this.ticketParameters() },
      // `$.ticket` keeps the opening result (`created` says whether this run opened it).
      ResultPath: '$.ticketUpdate',
      Retry: RETRY,
      Catch: recordFailure(FAILURE_KEYS.ticket, STATE_NAMES.anyFailed),
      Next: STATE_NAMES.anyFailed,
    };
    this.states.Done = { Type: 'Succeed' };
    this.states[STATE_NAMES.escalate] = {
      Type: 'Task',
      Resource: this.functions.escalate,
      Parameters: {
        reason: 'step-failed',
        'incidentKey.$': '$.incidentKey',
        'playbook.$': '$.playbook',
        'failures.$': '$.failures',
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
      Cause: 'A step failed: on-call was paged and the ticket names every failed step.',
    };
    this.states['Escalation failed'] = {
      Type: 'Fail',
      Error: 'Tourniquet.EscalationFailed',
      Cause: 'A step failed and paging on-call failed too.',
    };
    return STATE_NAMES.updateTicket;
  }

  /** Call last: the Choice lists every failure key the states built so far can record. */
  failureCheck(): void {
    this.states[STATE_NAMES.anyFailed] = {
      Type: 'Choice',
      Choices: [
        {
          Or: [...this.failureKeys].map((key) => ({
            Variable: `$.failures.${key}`,
            IsPresent: true,
          })),
          Next: STATE_NAMES.escalate,
        },
      ],
      Default: 'Done',
    };
  }

  build(comment: string, startAt: string): AslDefinition {
    this.failureCheck();
    return { Comment: comment, QueryLanguage: 'JSONPath', StartAt: startAt, States: this.states };
  }
}
