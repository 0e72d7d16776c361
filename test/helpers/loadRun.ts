import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateStateMachineCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import {
  DynamoCapacityLedger,
  DynamoIncidentStore,
  ensureIncidentTable,
  StepFunctionsPlaybookStarter,
} from '@tourniquet/aws';
import {
  createPlanner,
  PLAYBOOK_NAMES,
  parseConfig,
  type TriageResult,
  triage,
} from '@tourniquet/core';
import {
  DYNAMODB_FAULT_KINDS,
  type FaultProxy,
  LOCAL_CREDENTIALS,
  startFaultProxy,
  startMoto,
} from '@tourniquet/testkit';
import { IncidentRecordingStarter } from '@tourniquet/tickets';
import { loadEvent } from './events';

export interface LoadResult {
  findings: number;
  pods: number;
  seconds: number;
  executionsByPlaybook: Record<string, number>;
  incidents: number;
  capped: number;
  sfnCalls: number;
  dynamoCalls: number;
  /** Incident store requests to DynamoDB (moto): reads, writes, and findings that failed. */
  storeReads: number;
  storeWrites: number;
  failed: number;
  /** Incidents in the store afterwards, and the findings they recorded (deliveries). */
  storedIncidents: number;
  recordedFindings: number;
  /** TransactionConflict answers the fault proxy gave the incident store instead of moto's. */
  conflictsInjected: number;
  /** Every DynamoDB and Step Functions request of the run by command, with the time it took. */
  requests: Record<string, RequestKind>;
  results: TriageResult[];
}

export interface RequestKind {
  count: number;
  /** Milliseconds from sending to the answer, summed (the SDK's retries included). */
  ms: number;
}

/** How far a run is, handed to `progress` every `progressEveryMs`. */
export interface LoadProgress {
  done: number;
  failed: number;
  findings: number;
  seconds: number;
}

/** Times the requests a client sends, by command, into what `kinds` gives (nothing: not timed). */
function timing(
  client: { middlewareStack: { add: (middleware: any, options: any) => void } },
  kinds: () => Record<string, RequestKind> | undefined,
): void {
  client.middlewareStack.add(
    (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: unknown) => {
        const into = kinds();
        if (!into) return next(args);
        const command = context.commandName ?? 'unknown';
        into[command] ??= { count: 0, ms: 0 };
        const kind = into[command];
        const start = performance.now();
        try {
          return await next(args);
        } finally {
          kind.count++;
          kind.ms += performance.now() - start;
        }
      },
    { step: 'initialize', name: 'timeCalls' },
  );
}

/** Counts the requests a client sends (store writes and StartExecution calls). */
function counting<T extends { middlewareStack: { add: (middleware: any, options: any) => void } }>(
  client: T,
): { client: T; count: () => number } {
  let calls = 0;
  client.middlewareStack.add(
    (next: (a: unknown) => unknown) => async (args: unknown) => {
      calls++;
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return { client, count: () => calls };
}

const STORE_READS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand']);

/** Counts the incident store's DynamoDB requests by kind (reads, writes), retries included. */
function countingStore(client: DynamoDBClient) {
  const counts = { reads: 0, writes: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (STORE_READS.has(context.commandName ?? '')) counts.reads++;
      else counts.writes++;
      return next(args);
    },
    { step: 'initialize', name: 'countStoreCalls' },
  );
  return counts;
}

/**
 * `findings` findings over `pods` pods of one cluster, through triage as deployed: the
 * blast-radius ledger and the incident store in DynamoDB (moto, each with its own counted
 * client), the incident recording starter (every finding and execution on the incident) and
 * the real Step Functions starter, `concurrency` at a time. Each pod's findings arrive one
 * after another (`findings / pods` in a row), so the findings in flight share pods and race
 * on the same incidents, as a burst on a compromised workload does.
 */
export async function loadRun(options: {
  findings: number;
  pods: number;
  maxPodsPerHour: number;
  concurrency?: number;
  /**
   * Share (0–1) of the incident store's writes answered as DynamoDB answers a write that meets
   * another transaction (TransactionCanceledException / TransactionConflictException), through
   * the fault proxy in front of moto, which never gives that answer itself.
   */
  conflictRate?: number;
  /** Called every `progressEveryMs` (default 5 s) while findings are in flight. */
  progress?: (progress: LoadProgress) => void;
  progressEveryMs?: number;
}): Promise<LoadResult> {
  const moto = await startMoto({ accountId: '111122223333' });
  let proxy: FaultProxy | null = null;
  try {
    if (options.conflictRate) {
      proxy = await startFaultProxy({
        target: moto.endpoint,
        rate: options.conflictRate,
        kinds: DYNAMODB_FAULT_KINDS,
      });
    }
    const aws = { region: 'us-east-1', endpoint: moto.endpoint, credentials: LOCAL_CREDENTIALS };
    const sfn = counting(new SFNClient(aws));
    const dynamo = counting(new DynamoDBClient(aws));
    await ensureIncidentTable(dynamo.client, 'incidents');
    const storeClient = new DynamoDBClient({ ...aws, endpoint: proxy?.url ?? moto.endpoint });
    const storeCalls = countingStore(storeClient);
    // Only the findings' own requests: not the setup before them nor the counting after.
    let requests: Record<string, RequestKind> | undefined;
    const timed: Record<string, RequestKind> = {};
    for (const client of [sfn.client, dynamo.client, storeClient]) timing(client, () => requests);
    const store = new DynamoIncidentStore({ client: storeClient, tableName: 'incidents' });
    const stateMachines: Record<string, string> = {};
    for (const name of PLAYBOOK_NAMES) {
      const { stateMachineArn } = await sfn.client.send(
        new CreateStateMachineCommand({
          name: `tourniquet-${name}`,
          roleArn: 'arn:aws:iam::111122223333:role/tourniquet-playbooks',
          definition: JSON.stringify({
            StartAt: 'Wait',
            States: { Wait: { Type: 'Wait', Seconds: 3600, End: true } },
          }),
        }),
      );
      stateMachines[name] = stateMachineArn as string;
    }
    const baseSfnCalls = sfn.count();
    const baseDynamoCalls = dynamo.count();
    const planner = createPlanner(
      parseConfig({
        clusters: [
          {
            name: 'prod-eks-01',
            account: '111122223333',
            region: 'us-east-1',
            quarantineSecurityGroups: { 'vpc-0a1b2c3d4e5f67890': 'sg-0badc0ffee0000001' },
          },
        ],
        blastRadius: { maxPodsPerHour: options.maxPodsPerHour, maxNodesPerHour: 3 },
      }),
    );
    const starter = new IncidentRecordingStarter(
      new StepFunctionsPlaybookStarter({ client: sfn.client, stateMachines }),
      { store, actor: 'triage' },
    );
    const ledger = DynamoCapacityLedger.forIncidentTable(dynamo.client, 'incidents');
    const template = loadEvent('guardduty/runtime-reverse-shell-payments.json');
    const at = new Date();
    const results: TriageResult[] = [];
    let failed = 0;
    let done = 0;
    const perPod = Math.max(1, Math.floor(options.findings / options.pods));
    let next = 0;
    const start = performance.now();
    requests = timed;
    const worker = async () => {
      for (let i = next++; i < options.findings; i = next++) {
        const event = structuredClone(template);
        event.id = `load-${i}`;
        const pod = Math.floor(i / perPod) % options.pods;
        const nth = i % perPod;
        // Two findings per pod, each re-published with a growing count.
        event.detail.id = `finding-${pod}-${nth % 2}`;
        event.detail.service.count = 1 + Math.floor(nth / 2);
        const workload = event.detail.resource.kubernetesDetails.kubernetesWorkloadDetails;
        workload.name = `payments-api-${pod}`;
        workload.uid = null;
        try {
          results.push(await triage(event, planner, starter, at, ledger));
        } catch {
          failed++;
        }
        done++;
      }
    };
    const report = options.progress;
    const ticker = report
      ? setInterval(
          () =>
            report({
              done,
              failed,
              findings: options.findings,
              seconds: (performance.now() - start) / 1000,
            }),
          options.progressEveryMs ?? 5000,
        )
      : undefined;
    try {
      await Promise.all(Array.from({ length: options.concurrency ?? 50 }, worker));
    } finally {
      clearInterval(ticker);
    }
    const seconds = (performance.now() - start) / 1000;
    requests = undefined;
    const sfnCalls = sfn.count() - baseSfnCalls;
    const dynamoCalls = dynamo.count() - baseDynamoCalls;
    const { reads: storeReads, writes: storeWrites } = storeCalls;
    const executionsByPlaybook: Record<string, number> = {};
    for (const name of PLAYBOOK_NAMES) {
      let total = 0;
      let token: string | undefined;
      do {
        const page = await sfn.client.send(
          new ListExecutionsCommand({
            stateMachineArn: stateMachines[name],
            nextToken: token,
            maxResults: 1000,
          }),
        );
        total += page.executions?.length ?? 0;
        token = page.nextToken;
      } while (token);
      executionsByPlaybook[name] = total;
    }
    const heads = await store.list();
    const recordedFindings = heads.reduce(
      (n, h) => n + Object.values(h.findings).reduce((m, f) => m + f.deliveries, 0),
      0,
    );
    return {
      conflictsInjected: proxy?.stats.faults['transaction-conflict'] ?? 0,
      storeReads,
      storeWrites,
      failed,
      storedIncidents: heads.length,
      recordedFindings,
      findings: options.findings,
      pods: options.pods,
      seconds,
      executionsByPlaybook,
      incidents: new Set(results.map((r) => r.plan.incidentKey)).size,
      capped: new Set(results.filter((r) => r.capped).map((r) => r.plan.incidentKey)).size,
      sfnCalls,
      dynamoCalls,
      requests: timed,
      results,
    };
  } finally {
    await proxy?.stop();
    await moto.stop();
  }
}
