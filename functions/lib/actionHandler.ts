import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { type Action, type ActionRuntime, runActionRequestWith } from '@tourniquet/actions';
import {
  type AwsClientClasses,
  type AwsClients,
  DynamoActionJournal,
  lazyAwsClients,
  type MemberSession,
} from '@tourniquet/aws';
import { METRIC, parseConfig, type TourniquetConfig } from '@tourniquet/core';
import { jsonEnv, requiredEnv } from './env';
import { incidentsClient } from './incidentRuntime';
import { bounded, functionIdentities } from './memberRuntime';
import { countBy } from './metrics';
import { logger, metrics, tracer } from './powertools';
import { traceInvocations } from './tracing';

/** What an action's entry point wires: the SDK clients its action calls, and Kubernetes if it does. */
export interface ActionWiring {
  clients: AwsClientClasses;
  /** Only for actions that call Kubernetes (functions/lib/kubeRuntime.ts: `eksKube`). */
  kube?: (config: TourniquetConfig) => ActionRuntime['kube'];
}

/**
 * The AWS runtime of one action's Lambda: clients per region, each built on first use and kept
 * for the warm container; only the classes the entry point passed are bundled at all.
 */
function awsRuntime(action: Action<unknown>, wiring: ActionWiring): ActionRuntime {
  const config = parseConfig(jsonEnv('TOURNIQUET_CONFIG', {}));
  const clients = new Map<string, AwsClients>();
  const { members, placeOf } = functionIdentities();
  const aws = (region: string, member?: MemberSession | null) =>
    bounded(clients, placeOf(region, member), () =>
      lazyAwsClients(region, wiring.clients, {
        owner: `${action.name}'s function`,
        overrides: member ? { credentials: members.provider(member) } : {},
        wrap: (client) => tracer.captureAWSv3Client(client as never) as typeof client,
      }),
    );
  const journal = new DynamoActionJournal({
    client: incidentsClient(),
    tableName: requiredEnv('INCIDENTS_TABLE'),
  });
  const kube: ActionRuntime['kube'] = wiring.kube
    ? wiring.kube(config)
    : async () => {
        throw new Error(`${action.name}'s function was built without Kubernetes access`);
      };
  return { config, aws, journal, kube };
}

/**
 * The Lambda for one action: middy + Powertools around the request runner, bundling that
 * action alone. The request names its action; a request for another action than this
 * function's is refused, so each function keeps only its own least-privilege role.
 *
 * An entry point in functions/actions/ is three lines: import the action and the SDK client
 * classes it calls (plus `eksKube` if it calls Kubernetes), then
 * `export const handler = createActionHandler(action, { clients: { ec2: EC2Client } })`.
 */
export function createActionHandler(
  action: Action<unknown>,
  wiring: ActionWiring,
  runtime: ActionRuntime = awsRuntime(action, wiring),
) {
  const name = action.name;
  const only = (requested: string) => {
    if (requested !== name) throw new Error(`this function runs ${name}, not ${requested}`);
    return action;
  };
  return middy(async (event: { action?: string; incidentKey?: string; mode?: string }) => {
    if (event?.action !== name) {
      throw new Error(`this function runs ${name}, not ${String(event?.action)}`);
    }
    logger.setCorrelationId(event.incidentKey);
    const outcome = await runActionRequestWith(event, runtime, only);
    logger.info('action finished', { action: name, mode: event.mode ?? 'apply', outcome });
    countBy(metrics, METRIC.ActionOutcome, { action: name, outcome: outcome.status });
    return outcome;
  })
    .use(traceInvocations(tracer))
    .use(logMetrics(metrics))
    .use(injectLambdaContext(logger, { clearState: true }));
}
