import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  type ApprovalRequest,
  type AslDefinition,
  type AslState,
  createPlanner,
  functionArnsFor,
  normaliseEvent,
  parseConfig,
  playbookDefinition,
  playbookInput,
} from '@tourniquet/core';
import { sampleApprovalRequest } from '@tourniquet/slack/testkit';
import { REPO_ROOT } from './events';

export interface MotoAccess {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/**
 * moto runs state machines only when told to, and its interpreter can run just one execution
 * per account and region (it deep-copies the backend, which then holds a running execution's
 * locks). So each scenario gets its own account through moto's `x-moto-account-id` header.
 */
export async function enableStepFunctionsExecution(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/config`, {
    method: 'POST',
    body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }),
  });
  if (!response.ok) throw new Error(`moto config: HTTP ${response.status}`);
}

export function accountClients(aws: MotoAccess, account: string, region = aws.region) {
  const config = { endpoint: aws.endpoint, region, credentials: aws.credentials };
  const sfn = new SFNClient(config);
  const sqs = new SQSClient(config);
  const header = (next: (args: any) => Promise<any>) => async (args: any) => {
    args.request.headers['x-moto-account-id'] = account;
    return next(args);
  };
  sfn.middlewareStack.add(header as never, { step: 'build', name: 'motoAccount' });
  // The interpreter's SQS integration calls moto's default account, so the queue lives there.
  return { sfn, sqs };
}

/**
 * A playbook's own "Request approval" state — payload, TimeoutSeconds, Catch — with the Lambda
 * invocation swapped for SQS (moto runs no Lambda): the execution waits on the same task token,
 * and the queue hands the test the exact payload the Lambda would get.
 */
function approvalGateDefinition(
  queueUrl: string,
  playbook: 'contain-pod' | 'release' = 'contain-pod',
) {
  const full = playbookDefinition(playbook, functionArnsFor('tourniquet'));
  // contain-pod asks in a branch of the Parallel state that runs the steps; release at the top.
  const branches = Object.values(full.States).flatMap(
    (state) => (state as AslState & { Branches?: AslDefinition[] }).Branches ?? [],
  );
  const gate = [full, ...branches].find((b) => b.States['Request approval'])?.States[
    'Request approval'
  ] as AslState & {
    Parameters: { Payload: Record<string, unknown> };
  };
  const { Retry: _retry, ...state } = gate;
  return {
    Comment: `${playbook}'s approval gate (Lambda replaced by SQS for moto)`,
    StartAt: 'Request approval',
    States: {
      'Request approval': {
        ...state,
        Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
        Parameters: { QueueUrl: queueUrl, MessageBody: gate.Parameters.Payload },
      },
      Approved: { Type: 'Pass', Result: 'approved', ResultPath: '$.approvalStatus', End: true },
      'Approval denied': {
        Type: 'Pass',
        Result: 'denied',
        ResultPath: '$.approvalStatus',
        End: true,
      },
      'Approval timed out': {
        Type: 'Pass',
        Result: 'timed-out',
        ResultPath: '$.approvalStatus',
        End: true,
      },
      'Approval failed': { Type: 'Fail', Error: 'Tourniquet.Escalated' },
    },
  };
}

function samplePlaybookInput() {
  const event = JSON.parse(
    readFileSync(
      join(REPO_ROOT, 'events', 'guardduty', 'runtime-reverse-shell-payments.json'),
      'utf8',
    ),
  );
  const config = parseConfig(
    JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')),
  );
  return {
    ...playbookInput(createPlanner(config).plan(normaliseEvent(event))),
    results: sampleApprovalRequest().results,
  };
}

export interface WaitingExecution {
  executionArn: string;
  /** What the approval Lambda would be invoked with (read from the queue). */
  request: ApprovalRequest;
}

/** A playbook's approval gate as a state machine in moto, with the queue its request goes to. */
export async function createApprovalGate(
  clients: { sfn: SFNClient; sqs: SQSClient },
  name: string,
  playbook: 'contain-pod' | 'release' = 'contain-pod',
): Promise<{ stateMachineArn: string; queueUrl: string }> {
  const { QueueUrl } = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: `${name}-approvals` }),
  );
  const { stateMachineArn } = await clients.sfn.send(
    new CreateStateMachineCommand({
      name,
      roleArn: 'arn:aws:iam::111122223333:role/tourniquet-playbooks',
      definition: JSON.stringify(approvalGateDefinition(QueueUrl as string, playbook)),
    }),
  );
  return { stateMachineArn: stateMachineArn as string, queueUrl: QueueUrl as string };
}

/** The approval request the gate's execution sent (what the approval Lambda would get). */
export async function nextApprovalRequest(
  clients: { sqs: SQSClient },
  queueUrl: string,
): Promise<ApprovalRequest> {
  // Short polls: moto handles one request at a time (startMoto), and the interpreter's own
  // SendMessage to this queue would queue behind a long poll until it timed out.
  for (let attempt = 0; attempt < 600; attempt++) {
    const { Messages } = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0, MaxNumberOfMessages: 1 }),
    );
    const body = Messages?.[0]?.Body;
    if (body) return JSON.parse(body);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no approval request arrived on ${queueUrl}`);
}

/** Starts an execution of the approval gate and returns once it waits on its task token. */
export async function startWaitingExecution(
  clients: { sfn: SFNClient; sqs: SQSClient },
  name: string,
): Promise<WaitingExecution> {
  const { stateMachineArn, queueUrl } = await createApprovalGate(clients, name);
  const { executionArn } = await clients.sfn.send(
    new StartExecutionCommand({
      stateMachineArn,
      name: `${name}-1`,
      input: JSON.stringify(samplePlaybookInput()),
    }),
  );
  return {
    executionArn: executionArn as string,
    request: await nextApprovalRequest(clients, queueUrl),
  };
}

export async function executionStatus(sfn: SFNClient, executionArn: string) {
  const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  return { status: d.status, output: d.output ? JSON.parse(d.output) : null };
}

/** Waits until the execution leaves RUNNING (moto runs it on a thread) and returns how it ended. */
export async function executionEnd(sfn: SFNClient, executionArn: string) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const state = await executionStatus(sfn, executionArn);
    if (state.status !== 'RUNNING') return state;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`execution ${executionArn} is still running`);
}
