import type { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { ApprovalLog } from '@tourniquet/slack';

/** Powertools' Logger behind the packages' small logging interface. */
export function approvalLog(logger: Logger): ApprovalLog {
  const attrs = (attributes?: Record<string, unknown>) => (attributes ?? {}) as LogAttributes;
  return {
    info: (message, attributes) => logger.info(message, attrs(attributes)),
    warn: (message, attributes) => logger.warn(message, attrs(attributes)),
    error: (message, attributes) => logger.error(message, attrs(attributes)),
  };
}
