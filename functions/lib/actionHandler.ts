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
} from '@tourniquet/aws';
import { parseConfig } from '@tourniquet/core';
import { EksKubeConnector } from '@tourniquet/kube';
import { jsonEnv, requiredEnv } from './env';
import { incidentsClient } from './incidentRuntime';
import { logger, metrics, tracer } from './powertools';

/** Clients and cluster connections live for the warm Lambda: built on first use, then reused. */
function awsRuntime(): ActionRuntime {
  const config = parseConfig(jsonEnv('TOURNIQUET_CONFIG', {}));
  const clients = new Map<string, AwsClients>();
  const connectors = new Map<string, EksKubeConnector>();
  const credentials = defaultProvider();
  const aws = (region: string) => {
    let c = clients.get(region);
    if (!c) {
      c = createAwsClients(region);
      clients.set(region, c);
    }
    return c;
  };
  const journal = new DynamoActionJournal({
    client: incidentsClient(),
    tableName: requiredEnv('INCIDENTS_TABLE'),
  });
  return {
    config,
    aws,
    journal,
    kube: async (cluster) => {
      const region =
        config.clusters.find((c) => c.name === cluster)?.region ??
        process.env.AWS_REGION ??
        'us-east-1';
      let connector = connectors.get(region);
      if (!connector) {
        const eks = tracer.captureAWSv3Client(new EKSClient(awsClientConfig({ region })));
        connector = new EksKubeConnector(new ClusterConnectionCache(eks), region, credentials);
        connectors.set(region, connector);
      }
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
