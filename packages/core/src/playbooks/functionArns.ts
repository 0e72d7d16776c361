import { ACTION_NAMES, type ActionName } from '../actions';

/** The Lambda functions a playbook calls, by role. infra/ passes real ARNs; local runs use these shapes. */
export interface PlaybookFunctions {
  /** One function per action (open-ticket excluded: see `ticket`). */
  actions: Readonly<Record<Exclude<ActionName, 'open-ticket'>, string>>;
  /** Posts the approval request; the execution waits for its task token. */
  approval: string;
  /** Opens or updates the incident's ticket. */
  ticket: string;
  /** Pages on-call and records on the ticket what failed. */
  escalate: string;
}

export interface PlaybookOptions {
  /** How long an approval request stands before it is denied and escalated. */
  approvalTimeoutSeconds: number;
  /** ARN partition of the service integrations (`aws`, `aws-cn`, `aws-us-gov`); default `aws`. */
  partition?: string;
}

/** ARNs in the shape AWS gives them, for local runs and tests. */
export function functionArnsFor(
  prefix: string,
  region = 'us-east-1',
  account = '111122223333',
): PlaybookFunctions {
  const arn = (name: string) => `arn:aws:lambda:${region}:${account}:function:${prefix}-${name}`;
  const actions = {} as Record<Exclude<ActionName, 'open-ticket'>, string>;
  for (const name of ACTION_NAMES) if (name !== 'open-ticket') actions[name] = arn(name);
  return {
    actions,
    approval: arn('request-approval'),
    ticket: arn('open-ticket'),
    escalate: arn('escalate'),
  };
}
