import { allEventFiles, loadEvent } from '@tourniquet/core/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cloudTrailDetailFastPath } from '../src/events/cloudTrailFastPath';
import { cloudTrailDetailSchema, cloudTrailFinding } from '../src/events/cloudtrail';
import type { Envelope } from '../src/events/common';
import { configDetailSchema, configFinding } from '../src/events/config';
import { configDetailFastPath } from '../src/events/configFastPath';
import { envelopeFastPath } from '../src/events/envelopeFastPath';
import { guardDutyDetailFastPath } from '../src/events/guardDutyFastPath';
import { guardDutyDetailSchema, guardDutyFinding } from '../src/events/guardduty';
import type { Finding } from '../src/finding';

interface Source {
  detailType: string;
  fastPath: (detail: Record<string, unknown>) => unknown;
  schema: { safeParse: (value: unknown) => { success: boolean; data?: unknown } };
  finding: (envelope: Envelope, detail: never) => Finding;
  /** Every field the schema reads, whether or not a sample carries it. */
  fields: string[];
}

const WORKLOAD = 'resource.kubernetesDetails.kubernetesWorkloadDetails';
const SOURCES: Record<string, Source> = {
  guardduty: {
    detailType: 'GuardDuty Finding',
    fastPath: guardDutyDetailFastPath,
    schema: guardDutyDetailSchema,
    finding: guardDutyFinding,
    fields: [
      'id',
      'accountId',
      'region',
      'type',
      'severity',
      'title',
      'createdAt',
      'updatedAt',
      'resource',
      'resource.resourceType',
      'resource.eksClusterDetails',
      'resource.eksClusterDetails.name',
      'resource.kubernetesDetails',
      WORKLOAD,
      ...['name', 'type', 'uid', 'namespace', 'serviceAccountName'].map((k) => `${WORKLOAD}.${k}`),
      ...['hostNetwork', 'hostPID', 'hostIPC', 'containers', 'volumes'].map(
        (k) => `${WORKLOAD}.${k}`,
      ),
      `${WORKLOAD}.containers.0`,
      `${WORKLOAD}.containers.0.name`,
      `${WORKLOAD}.containers.0.image`,
      `${WORKLOAD}.containers.0.securityContext`,
      `${WORKLOAD}.containers.0.securityContext.privileged`,
      `${WORKLOAD}.containers.1`,
      `${WORKLOAD}.volumes.0`,
      `${WORKLOAD}.volumes.0.hostPath`,
      `${WORKLOAD}.volumes.0.hostPath.path`,
      'resource.instanceDetails',
      'resource.instanceDetails.instanceId',
      'resource.instanceDetails.iamInstanceProfile',
      'resource.instanceDetails.iamInstanceProfile.arn',
      'resource.instanceDetails.tags',
      'resource.instanceDetails.tags.0',
      'resource.instanceDetails.tags.0.key',
      'resource.instanceDetails.tags.0.value',
      'resource.accessKeyDetails',
      'resource.accessKeyDetails.userName',
      'resource.accessKeyDetails.userType',
      'service',
      'service.featureName',
      'service.count',
      'service.eventFirstSeen',
      'service.eventLastSeen',
      'service.additionalInfo',
      'service.additionalInfo.sample',
    ],
  },
  cloudtrail: {
    detailType: 'AWS API Call via CloudTrail',
    fastPath: cloudTrailDetailFastPath,
    schema: cloudTrailDetailSchema,
    finding: cloudTrailFinding,
    fields: [
      'eventID',
      'eventName',
      'eventSource',
      'eventTime',
      'awsRegion',
      'sourceIPAddress',
      'recipientAccountId',
      'errorCode',
      'userIdentity',
      'userIdentity.type',
      'userIdentity.userName',
      'userIdentity.identityProvider',
      'userIdentity.sessionContext',
      'userIdentity.sessionContext.sessionIssuer',
      'userIdentity.sessionContext.sessionIssuer.arn',
      'userIdentity.sessionContext.webIdFederationData',
      'userIdentity.sessionContext.webIdFederationData.federatedProvider',
      'requestParameters',
      'requestParameters.roleArn',
    ],
  },
  config: {
    detailType: 'Config Rules Compliance Change',
    fastPath: configDetailFastPath,
    schema: configDetailSchema,
    finding: configFinding,
    fields: [
      'resourceId',
      'resourceType',
      'awsRegion',
      'awsAccountId',
      'configRuleName',
      'messageType',
      'newEvaluationResult',
      'newEvaluationResult.complianceType',
      'newEvaluationResult.resultRecordedTime',
      'newEvaluationResult.evaluationResultIdentifier',
      'newEvaluationResult.evaluationResultIdentifier.orderingTimestamp',
      'oldEvaluationResult',
      'oldEvaluationResult.complianceType',
      'notificationCreationTime',
    ],
  },
};

const envelopes = allEventFiles().flatMap((file) => {
  const envelope = envelopeFastPath(loadEvent(file));
  return envelope ? [{ file, envelope }] : [];
});
const samplesOf = (name: string) =>
  envelopes.filter(({ envelope }) => envelope['detail-type'] === SOURCES[name]?.detailType);

/**
 * Values that sit on the edges of the schemas' checks: empty and wrong-typed values, timestamps
 * the fast timestamp path leaves to Date, ids and enums just off their patterns.
 */
const EDGES = [
  null,
  undefined,
  '',
  'x',
  0,
  -0,
  -1,
  10,
  10.5,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 53,
  true,
  false,
  [],
  [{}],
  [null],
  {},
  '2026-11-23T10:00:00Z',
  '2026-11-23T10:00:00.123Z',
  '2026-02-30T00:00:00Z',
  '2026-11-23T10:00:00+02:00',
  'not a time',
  1795428000,
  1795428000123,
  'i-0123456789abcdef0',
  'i-0123456789ABCDEF0',
  '111122223333',
  '11112222333',
  'us-east-1',
  'mars',
  'NON_COMPLIANT',
  'non_compliant',
  'ComplianceChangeNotification',
  'Pod',
];
const anyValue = fc.oneof(fc.constantFrom(...EDGES), fc.anything());

/** A copy of `value` with `path` set to `replacement` (intermediate objects made as needed), or deleted. */
function mutated(value: unknown, path: string[], replacement: unknown, remove: boolean): unknown {
  const [key, ...rest] = path as [string, ...string[]];
  const node = (
    Array.isArray(value)
      ? [...value]
      : typeof value === 'object' && value !== null
        ? { ...value }
        : {}
  ) as Record<string, unknown>;
  if (rest.length > 0) node[key] = mutated(node[key], rest, replacement, remove);
  else if (remove) delete node[key];
  else node[key] = replacement;
  return node;
}

/** The fast path answers what the schema answers (the same finding), or leaves the detail to it. */
function agrees(source: Source, envelope: Envelope, detail: Record<string, unknown>): boolean {
  const fast = source.fastPath(detail);
  if (fast === null) return false;
  const parsed = source.schema.safeParse(detail);
  expect(parsed.success).toBe(true);
  const withDetail = { ...envelope, detail };
  expect(source.finding(withDetail, fast as never)).toStrictEqual(
    source.finding(withDetail, parsed.data as never),
  );
  return true;
}

describe('Normalisers: the detail fast paths', () => {
  it.each(envelopes.map(({ file }) => file))(
    '%s takes the fast path with the schema’s finding',
    (file) => {
      const { envelope } = envelopes.find((e) => e.file === file) as (typeof envelopes)[number];
      const source = Object.values(SOURCES).find((s) => s.detailType === envelope['detail-type']);
      if (!source) return; // the negative samples' other detail types never reach a normaliser
      expect(agrees(source, envelope, envelope.detail)).toBe(true);
    },
  );

  it.each(Object.keys(SOURCES))(
    '%s: with any field replaced by anything or removed, it agrees with the schema',
    (name) => {
      const source = SOURCES[name] as Source;
      const samples = samplesOf(name);
      expect(samples.length).toBeGreaterThan(0);
      const change = fc.record({
        path: fc.constantFrom(...source.fields),
        value: anyValue,
        remove: fc.boolean(),
      });
      let fast = 0;
      fc.assert(
        fc.property(
          fc.constantFrom(...samples),
          fc.array(change, { minLength: 1, maxLength: 3 }),
          ({ envelope }, changes) => {
            let detail: unknown = envelope.detail;
            for (const { path, value, remove } of changes)
              detail = mutated(detail, path.split('.'), value, remove);
            if (agrees(source, envelope, detail as Record<string, unknown>)) fast++;
          },
        ),
        { numRuns: 4_000 },
      );
      // Most changes keep the detail well-formed or make it invalid; both kinds must have occurred.
      expect(fast).toBeGreaterThan(100);
    },
  );
});
