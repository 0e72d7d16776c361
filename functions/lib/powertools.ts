import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { XRayTracer } from '@tourniquet/aws';
import { METRIC_NAMESPACE } from '@tourniquet/core';

/**
 * Built once per cold start and shared by every handler module. Tracing is X-Ray's, without
 * the X-Ray SDK (see docs/decisions.md, "Tracing without the X-Ray SDK"). The service name is the
 * function's own (`tourniquet-triage`, `tourniquet-isolate-pod`): infra sets
 * POWERTOOLS_SERVICE_NAME per function (serviceNameOf in core), which Powertools reads when no
 * name is passed; `tourniquet` only outside Lambda.
 */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME?.trim() || 'tourniquet';
export const logger = new Logger({ serviceName });
export const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName });
export const tracer = new XRayTracer({ serviceName });
