import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import { awsClientConfig, StepFunctionsPlaybookStarter } from '@tourniquet/aws';
import { createPlanner, type PlaybookStarter, parseConfig } from '@tourniquet/core';
import { jsonEnv } from './lib/env';
import { logger, metrics, tracer } from './lib/powertools';
import { createTriageHandler } from './lib/triageHandler';

const planner = createPlanner(parseConfig(jsonEnv('TOURNIQUET_CONFIG', {})));
const starter: PlaybookStarter = new StepFunctionsPlaybookStarter({
  client: tracer.captureAWSv3Client(new SFNClient(awsClientConfig())),
  stateMachines: jsonEnv('PLAYBOOK_STATE_MACHINES') as Record<string, string>,
});

export const handler = middy(
  createTriageHandler({ planner, starter, logger, metrics, unit: MetricUnit }),
)
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(parser({ schema: EventBridgeSchema, safeParse: true }));
