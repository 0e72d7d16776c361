import type { CloudTrailDetail } from './cloudtrail';
import {
  isAccountId,
  isNonEmptyString,
  isObject,
  isObjectOrNullish,
  isRegionName,
  isStringOrNullish,
} from './fieldChecks';
import { timestampValue } from './isoTimestamp';

/**
 * A CloudTrail event's `detail` checked by hand against `detailSchema` (cloudtrail.ts), just as
 * strictly, for the common case of a well-formed event. Returns what the normaliser reads from
 * the schema's result (`eventTime` normalised; nested objects, which the schema only checks, are
 * the event's own), or null for anything the schema must judge with its own messages.
 */
export function cloudTrailDetailFastPath(detail: Record<string, unknown>): CloudTrailDetail | null {
  const { eventID, eventName, eventSource, awsRegion, sourceIPAddress } = detail;
  const { recipientAccountId, errorCode, userIdentity, requestParameters } = detail;
  if (!isNonEmptyString(eventID) || !isNonEmptyString(eventName)) return null;
  if (!isNonEmptyString(eventSource) || !isNonEmptyString(sourceIPAddress)) return null;
  if (!isRegionName(awsRegion) || !isStringOrNullish(errorCode)) return null;
  if (recipientAccountId != null && !isAccountId(recipientAccountId)) return null;
  const eventTime = timestampValue(detail.eventTime);
  if (eventTime === null) return null;
  if (!isObject(userIdentity) || !userIdentityHolds(userIdentity)) return null;
  if (!isObjectOrNullish(requestParameters) || !isStringOrNullish(requestParameters?.roleArn))
    return null;
  return {
    eventID,
    eventName,
    eventSource,
    eventTime,
    awsRegion,
    sourceIPAddress,
    recipientAccountId,
    errorCode,
    userIdentity: userIdentity as CloudTrailDetail['userIdentity'],
    requestParameters: requestParameters as CloudTrailDetail['requestParameters'],
  };
}

function userIdentityHolds(user: Record<string, unknown>): boolean {
  const { type, userName, identityProvider, sessionContext } = user;
  if (!isNonEmptyString(type) || !isStringOrNullish(userName)) return false;
  if (!isStringOrNullish(identityProvider) || !isObjectOrNullish(sessionContext)) return false;
  if (!sessionContext) return true;
  const { sessionIssuer, webIdFederationData } = sessionContext;
  return (
    isObjectOrNullish(sessionIssuer) &&
    isStringOrNullish(sessionIssuer?.arn) &&
    isObjectOrNullish(webIdFederationData) &&
    isStringOrNullish(webIdFederationData?.federatedProvider)
  );
}
