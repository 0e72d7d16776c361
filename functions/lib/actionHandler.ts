import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { EKSClient } from '@aws-sdk/client-eks';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import middy from '@middy/core';
import {
  type ActionRuntime,
  type RegisteredActionName,
  runActionRequest,
} from '@tourniquet/actions';
import {
  type AwsClients,
  awsClientConfig,
  ClusterConnectionCache,
  createAwsClients,
  DynamoActionJournal,
  type MemberSession,
  memberCredentialsFrom,
} from '@tourniquet/aws';
import { parseConfig } from '@tourniquet/core';
import { EksKubeConnector } from '@tourniquet/kube';
import { jsonEnv, requiredEnv } from './env';
import { incidentsClient } from './incidentRuntime';
import { logger, metrics, tracer } from './powertools';

/**
 * A member session's clients and connections are kept for the warm Lambda too, but only for the
 * last few incidents: each incident has its own session name.
 */
const MEMBER_CACHE_LIMIT = 32;

function bounded<V>(map: Map<string, V>, key: string, make: () => V): V {
  let value = map.get(key);
  if (!value) {
    if (map.size >= MEMBER_CACHE_LIMIT) map.delete(map.keys().next().value as string);
    value = make();
    map.set(key, value);
  }
  return value;
}

/** Clients and cluster connections live for the warm Lambda: built on first use, then reused. */
function awsRuntime(): ActionRuntime {
  const config = parseConfig(jsonEnv('TOURNIQUET_CONFIG', {}));
  const clients = new Map<string, AwsClients>();
  const connectors = new Map<string, EksKubeConnector>();
  const credentials = defaultProvider();
  // The hub function's own credentials assume the member role; STS answers in any region.
  const members = memberCredentialsFrom(credentials, {
    wrap: (sts) => tracer.captureAWSv3Client(sts),
  });
  const placeOf = (region: string, member?: MemberSession | null) =>
    member ? `${region}\n${member.roleArn}\n${member.sessionName}` : region;
  const aws = (region: string, member?: MemberSession | null) =>
    bounded(clients, placeOf(region, member), () =>
      createAwsClients(region, member ? { credentials: members.provider(member) } : {}),
    );
  const journal = new DynamoActionJournal({
    client: incidentsClient(),
    tableName: requiredEnv('INCIDENTS_TABLE'),
  });
  return {
    config,
    aws,
    journal,
    kube: async (cluster, member) => {
      const region =
        config.clusters.find((c) => c.name === cluster && (!member || c.account === member.account))
          ?.region ??
        process.env.AWS_REGION ??
        'us-east-1';
      const connector = bounded(connectors, placeOf(region, member), () => {
        const identity = member ? members.provider(member) : credentials;
        const eks = tracer.captureAWSv3Client(
          new EKSClient({ ...awsClientConfig({ region }), credentials: identity }),
        );
        return new EksKubeConnector(new ClusterConnectionCache(eks), region, identity);
      });
      return connector.adapterFor(cluster);
    },
  };
}

/**
 * The Lambda for one action: middy + Powertools around `runActionRequest`. The request names
 * its action; a request for another action than this function's is refused, so each function
 * keeps only its own least-privilege role.
 */
export function createActionHandler(
  name: RegisteredActionName,
  runtime: ActionRuntime = awsRuntime(),
) {
  return middy(async (event: { action?: string; incidentKey?: string; mode?: string }) => {
    if (event?.action !== name) {
      throw new Error(`this function runs ${name}, not ${String(event?.action)}`);
    }
    logger.setCorrelationId(event.incidentKey);
    const outcome = await runActionRequest(event, runtime);
    logger.info('action finished', { action: name, mode: event.mode ?? 'apply', outcome });
    metrics.addDimension('action', name);
    metrics.addMetric(`Action_${outcome.status}`, MetricUnit.Count, 1);
    return outcome;
  })
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics))
    .use(injectLambdaContext(logger, { clearState: true }));
}
