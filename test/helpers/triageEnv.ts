import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateStateMachineCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { PLAYBOOK_NAMES } from '@tourniquet/core';
import type { Context } from 'aws-lambda';
import { REPO_ROOT } from './events';
import { TEST_CREDENTIALS } from './moto';

/** The Lambda context the triage handler tests invoke it with. */
export function triageContext(awsRequestId: string): Context {
  return {
    functionName: 'tourniquet-triage',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:tourniquet-triage',
    memoryLimitInMB: '512',
    awsRequestId,
    getRemainingTimeInMillis: () => 30_000,
  } as unknown as Context;
}

/** One state machine per playbook that passes at once, as triage's PLAYBOOK_STATE_MACHINES. */
export async function passingPlaybooks(
  sfn: SFNClient,
  prefix = 'tourniquet',
): Promise<Record<string, string>> {
  const stateMachines: Record<string, string> = {};
  for (const playbook of PLAYBOOK_NAMES) {
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: `${prefix}-${playbook}`,
        roleArn: 'arn:aws:iam::111122223333:role/tourniquet-playbooks',
        definition: JSON.stringify({
          StartAt: 'Done',
          States: { Done: { Type: 'Pass', End: true } },
        }),
      }),
    );
    stateMachines[playbook] = stateMachineArn as string;
  }
  return stateMachines;
}

/** The environment infra/ gives triage, pointed at moto at `endpoint`. */
export function triageEnvironment(options: {
  endpoint: string;
  stateMachines: Record<string, string>;
  incidentsTable: string;
}): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: options.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    TOURNIQUET_CONFIG: readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8'),
    PLAYBOOK_STATE_MACHINES: JSON.stringify(options.stateMachines),
    INCIDENTS_TABLE: options.incidentsTable,
  };
}
