import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/** Built once per cold start and shared by every handler module. */
export const logger = new Logger({ serviceName: 'tourniquet' });
export const metrics = new Metrics({ namespace: 'Tourniquet', serviceName: 'tourniquet' });
export const tracer = new Tracer({ serviceName: 'tourniquet' });
