import type { ConfigDetail } from './config';
import {
  isAccountId,
  isNonEmptyString,
  isObject,
  isObjectOrNullish,
  isRegionName,
} from './fieldChecks';
import { timestampValue } from './isoTimestamp';

export const COMPLIANCE = [
  'COMPLIANT',
  'NON_COMPLIANT',
  'NOT_APPLICABLE',
  'INSUFFICIENT_DATA',
] as const;
const COMPLIANCE_TYPES: ReadonlySet<unknown> = new Set(COMPLIANCE);

/**
 * A Config compliance change's `detail` checked by hand against `detailSchema` (config.ts), just
 * as strictly, for the common case of a well-formed event. Returns what the normaliser reads
 * from the schema's result (timestamps normalised), or null for anything the schema must judge
 * with its own messages.
 */
export function configDetailFastPath(detail: Record<string, unknown>): ConfigDetail | null {
  const { resourceId, resourceType, awsRegion, awsAccountId, configRuleName } = detail;
  const { newEvaluationResult, oldEvaluationResult } = detail;
  if (!isNonEmptyString(resourceId) || !isNonEmptyString(resourceType)) return null;
  if (!isRegionName(awsRegion) || !isAccountId(awsAccountId)) return null;
  if (!isNonEmptyString(configRuleName)) return null;
  if (detail.messageType !== 'ComplianceChangeNotification') return null;
  if (!isObject(newEvaluationResult) || !COMPLIANCE_TYPES.has(newEvaluationResult.complianceType))
    return null;
  const { evaluationResultIdentifier } = newEvaluationResult;
  if (!isObjectOrNullish(evaluationResultIdentifier)) return null;
  const resultRecordedTime = nullishTimestamp(newEvaluationResult.resultRecordedTime);
  const orderingTimestamp = nullishTimestamp(evaluationResultIdentifier?.orderingTimestamp);
  const notificationCreationTime = nullishTimestamp(detail.notificationCreationTime);
  if (resultRecordedTime === false || orderingTimestamp === false) return null;
  if (notificationCreationTime === false) return null;
  if (!isObjectOrNullish(oldEvaluationResult)) return null;
  const previous = oldEvaluationResult?.complianceType;
  if (previous != null && !COMPLIANCE_TYPES.has(previous)) return null;
  return {
    resourceId,
    resourceType,
    awsRegion,
    awsAccountId,
    configRuleName,
    messageType: 'ComplianceChangeNotification',
    newEvaluationResult: {
      complianceType:
        newEvaluationResult.complianceType as ConfigDetail['newEvaluationResult']['complianceType'],
      resultRecordedTime,
      evaluationResultIdentifier: evaluationResultIdentifier && { orderingTimestamp },
    },
    oldEvaluationResult: oldEvaluationResult as ConfigDetail['oldEvaluationResult'],
    notificationCreationTime,
  };
}

/** `timestamp.nullish()`: false when the value is neither absent nor a timestamp. */
function nullishTimestamp(value: unknown): string | null | undefined | false {
  if (value == null) return value as null | undefined;
  return timestampValue(value) ?? false;
}
