import {
  INSTANCE_ID,
  isAccountId,
  isArrayOrNullishOf,
  isBooleanOrNullish,
  isNonEmptyString,
  isObject,
  isObjectOrNullish,
  isRegionName,
  isStringOrNullish,
} from './fieldChecks';
import type { GuardDutyDetail } from './guardduty';
import { timestampValue } from './isoTimestamp';

/**
 * A GuardDuty finding's `detail` checked by hand against `detailSchema` (guardduty.ts), field by
 * field and just as strictly, for the common case of a well-formed finding. Returns what the
 * normaliser reads from the schema's result (timestamps normalised; nested objects, which the
 * schema only checks, are the event's own), or null for anything the schema must judge, which
 * then rejects or accepts it with its own messages. The generic schema walk was most of the
 * time a finding spends in normalisation.
 */
export function guardDutyDetailFastPath(detail: Record<string, unknown>): GuardDutyDetail | null {
  const { id, accountId, region, type, severity, title, resource, service } = detail;
  if (!isNonEmptyString(id) || !isAccountId(accountId) || !isRegionName(region)) return null;
  if (!isNonEmptyString(type) || !isStringOrNullish(title)) return null;
  if (typeof severity !== 'number' || !(severity >= 0 && severity <= 10)) return null;
  const createdAt = timestampValue(detail.createdAt);
  const updatedAt = timestampValue(detail.updatedAt);
  if (createdAt === null || updatedAt === null) return null;
  if (!isObject(resource) || !resourceHolds(resource)) return null;
  let checkedService: GuardDutyDetail['service'] = service as null | undefined;
  if (service != null) {
    checkedService = serviceOf(service);
    if (!checkedService) return null;
  }
  return {
    id,
    accountId,
    region,
    type,
    severity,
    title,
    createdAt,
    updatedAt,
    resource: resource as GuardDutyDetail['resource'],
    service: checkedService,
  };
}

function resourceHolds(resource: Record<string, unknown>): boolean {
  const { resourceType, eksClusterDetails, kubernetesDetails, instanceDetails, accessKeyDetails } =
    resource;
  if (!isStringOrNullish(resourceType)) return false;
  if (!isObjectOrNullish(eksClusterDetails) || !isStringOrNullish(eksClusterDetails?.name))
    return false;
  if (!isObjectOrNullish(kubernetesDetails)) return false;
  if (kubernetesDetails && !workloadHolds(kubernetesDetails.kubernetesWorkloadDetails))
    return false;
  if (!isObjectOrNullish(instanceDetails)) return false;
  if (instanceDetails && !instanceDetailsHold(instanceDetails)) return false;
  if (!isObjectOrNullish(accessKeyDetails)) return false;
  return (
    !accessKeyDetails ||
    (isStringOrNullish(accessKeyDetails.userName) && isStringOrNullish(accessKeyDetails.userType))
  );
}

function workloadHolds(workload: unknown): boolean {
  if (workload == null) return true;
  if (!isObject(workload)) return false;
  return (
    isStringOrNullish(workload.name) &&
    isStringOrNullish(workload.type) &&
    isStringOrNullish(workload.uid) &&
    isStringOrNullish(workload.namespace) &&
    isStringOrNullish(workload.serviceAccountName) &&
    isBooleanOrNullish(workload.hostNetwork) &&
    isBooleanOrNullish(workload.hostPID) &&
    isBooleanOrNullish(workload.hostIPC) &&
    isArrayOrNullishOf(workload.containers, containerHolds) &&
    isArrayOrNullishOf(workload.volumes, volumeHolds)
  );
}

function containerHolds(container: unknown): boolean {
  if (!isObject(container)) return false;
  const { securityContext } = container;
  return (
    isStringOrNullish(container.name) &&
    isStringOrNullish(container.image) &&
    isObjectOrNullish(securityContext) &&
    isBooleanOrNullish(securityContext?.privileged)
  );
}

function volumeHolds(volume: unknown): boolean {
  if (!isObject(volume)) return false;
  const { hostPath } = volume;
  return isObjectOrNullish(hostPath) && isStringOrNullish(hostPath?.path);
}

function instanceDetailsHold(details: Record<string, unknown>): boolean {
  const { instanceId, iamInstanceProfile } = details;
  if (instanceId != null && (typeof instanceId !== 'string' || !INSTANCE_ID.test(instanceId)))
    return false;
  if (!isObjectOrNullish(iamInstanceProfile) || !isStringOrNullish(iamInstanceProfile?.arn))
    return false;
  return isArrayOrNullishOf(details.tags, tagHolds);
}

function tagHolds(tag: unknown): boolean {
  return isObject(tag) && isStringOrNullish(tag.key) && isStringOrNullish(tag.value);
}

/** The service block with its timestamps normalised, or null when the schema must judge it. */
function serviceOf(service: unknown): NonNullable<GuardDutyDetail['service']> | null {
  if (!isObject(service)) return null;
  const { featureName, count, additionalInfo } = service;
  if (!isStringOrNullish(featureName)) return null;
  if (count != null && !(Number.isSafeInteger(count) && (count as number) >= 0)) return null;
  if (!isObjectOrNullish(additionalInfo)) return null;
  const eventFirstSeen = nullishTimestamp(service.eventFirstSeen);
  const eventLastSeen = nullishTimestamp(service.eventLastSeen);
  if (eventFirstSeen === false || eventLastSeen === false) return null;
  return {
    featureName,
    count: count as number | null | undefined,
    eventFirstSeen,
    eventLastSeen,
    additionalInfo: additionalInfo as { sample?: unknown } | null | undefined,
  };
}

/** `timestamp.nullish()`: false when the value is neither absent nor a timestamp. */
function nullishTimestamp(value: unknown): string | null | undefined | false {
  if (value == null) return value as null | undefined;
  return timestampValue(value) ?? false;
}
