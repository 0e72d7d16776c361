import { DescribeConfigRulesCommand } from '@aws-sdk/client-config-service';
import { ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { CONFIG_RULES, stageResourceNames, stageRules } from '@tourniquet/core';
import type { DoctorAccess, DoctorCheck } from './doctorCheck';

const FEATURES =
  'Name=EKS_AUDIT_LOGS,Status=ENABLED Name=RUNTIME_MONITORING,Status=ENABLED,AdditionalConfiguration=[{Name=EKS_ADDON_MANAGEMENT,Status=ENABLED}]';

/** GuardDuty's EKS audit-log protection and Runtime Monitoring in one account and region. */
export async function guardDutyChecks(
  access: DoctorAccess,
  account: string,
  region: string,
): Promise<DoctorCheck[]> {
  const scope = `${account} ${region}`;
  const detector = await access.detector(region, account);
  if (detector?.status !== 'ENABLED') {
    const detail = detector
      ? `detector ${detector.detectorId} is ${detector.status}: no findings will come`
      : 'no GuardDuty detector in this region: no findings will come';
    const fix = detector
      ? `aws guardduty update-detector --detector-id ${detector.detectorId} --enable --region ${region} --features ${FEATURES}`
      : `aws guardduty create-detector --enable --region ${region} --features ${FEATURES}`;
    return [
      { scope, check: 'GuardDuty EKS audit logs', status: 'fail', detail, fix },
      { scope, check: 'GuardDuty Runtime Monitoring', status: 'fail', detail, fix },
    ];
  }
  const on = (name: string) => detector.features[name] === 'ENABLED';
  const update = `aws guardduty update-detector --detector-id ${detector.detectorId} --region ${region} --features`;
  const audit: DoctorCheck = on('EKS_AUDIT_LOGS')
    ? {
        scope,
        check: 'GuardDuty EKS audit logs',
        status: 'pass',
        detail: `detector ${detector.detectorId}: EKS Protection (audit logs) on`,
        fix: null,
      }
    : {
        scope,
        check: 'GuardDuty EKS audit logs',
        status: 'fail',
        detail: `detector ${detector.detectorId}: EKS Protection (audit logs) off: no Kubernetes API findings`,
        fix: `${update} Name=EKS_AUDIT_LOGS,Status=ENABLED`,
      };
  // EKS_RUNTIME_MONITORING is the feature's name before GuardDuty folded it into RUNTIME_MONITORING.
  const runtimeFeature = ['RUNTIME_MONITORING', 'EKS_RUNTIME_MONITORING'].find(on);
  const addon = runtimeFeature
    ? detector.additional[runtimeFeature]?.EKS_ADDON_MANAGEMENT === 'ENABLED'
    : false;
  const runtime: DoctorCheck = !runtimeFeature
    ? {
        scope,
        check: 'GuardDuty Runtime Monitoring',
        status: 'fail',
        detail: `detector ${detector.detectorId}: Runtime Monitoring off: no pod or node runtime findings`,
        fix: `${update} Name=RUNTIME_MONITORING,Status=ENABLED,AdditionalConfiguration=[{Name=EKS_ADDON_MANAGEMENT,Status=ENABLED}]`,
      }
    : addon
      ? {
          scope,
          check: 'GuardDuty Runtime Monitoring',
          status: 'pass',
          detail: `detector ${detector.detectorId}: ${runtimeFeature} on, EKS add-on management on`,
          fix: null,
        }
      : {
          scope,
          check: 'GuardDuty Runtime Monitoring',
          status: 'warn',
          detail: `detector ${detector.detectorId}: ${runtimeFeature} on, EKS add-on management off: clusters without the aws-guardduty-agent add-on send no runtime findings`,
          fix: `${update} Name=${runtimeFeature},Status=ENABLED,AdditionalConfiguration=[{Name=EKS_ADDON_MANAGEMENT,Status=ENABLED}] (or aws eks create-addon --addon-name aws-guardduty-agent on each cluster)`,
        };
  return [audit, runtime];
}

/** The AWS Config managed rules Tourniquet reacts to (core's CONFIG_RULES), by their identifier. */
export async function configRuleCheck(
  access: DoctorAccess,
  account: string,
  region: string,
): Promise<DoctorCheck> {
  const scope = `${account} ${region}`;
  const config = access.aws(region, account).config;
  const found = new Set<string>();
  let NextToken: string | undefined;
  do {
    const page = await config.send(new DescribeConfigRulesCommand({ NextToken }));
    for (const rule of page.ConfigRules ?? []) {
      if (rule.Source?.SourceIdentifier) found.add(rule.Source.SourceIdentifier);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  const missing = Object.entries(CONFIG_RULES).filter(([, r]) => !found.has(r.identifier));
  const total = Object.keys(CONFIG_RULES).length;
  if (missing.length === 0) {
    return {
      scope,
      check: 'AWS Config rules',
      status: 'pass',
      detail: `all ${total} rules Tourniquet reacts to are deployed`,
      fix: null,
    };
  }
  const [name, first] = missing[0] as [string, (typeof CONFIG_RULES)[string]];
  return {
    scope,
    check: 'AWS Config rules',
    status: 'warn',
    detail: `${missing.length} of ${total} rules missing, their findings never come: ${missing.map(([n, r]) => `${n} (${r.identifier})`).join(', ')}`,
    fix: `aws configservice put-config-rule --region ${region} --config-rule '{"ConfigRuleName":"${name}","Source":{"Owner":"AWS","SourceIdentifier":"${first.identifier}"}}' and likewise for each missing identifier (or enable Security Hub's AWS Foundational Security Best Practices standard)`,
  };
}

/**
 * The stage's EventBridge rules in one region, named and in the state infra/ deploys them
 * (core's stageRules): a missing or disabled rule means those findings never reach triage.
 */
export async function eventRuleCheck(
  access: DoctorAccess,
  region: string,
  clusterRegions: readonly string[],
): Promise<DoctorCheck | null> {
  const expected = stageRules(access.stage, access.homeRegion, clusterRegions).filter(
    (r) => r.region === region,
  );
  if (expected.length === 0) return null;
  const scope = `${access.account} ${region}`;
  const events = access.aws(region, access.account).events;
  const deployed = new Map<string, string>();
  let NextToken: string | undefined;
  do {
    const page = await events.send(
      new ListRulesCommand({ NamePrefix: `tourniquet-${access.stage}-`, NextToken }),
    );
    for (const rule of page.Rules ?? []) if (rule.Name) deployed.set(rule.Name, rule.State ?? '');
    NextToken = page.NextToken;
  } while (NextToken);
  const missing = expected.filter((r) => !deployed.has(r.name));
  const wrong = expected.filter((r) => deployed.has(r.name) && deployed.get(r.name) !== r.state);
  if (missing.length === 0 && wrong.length === 0) {
    return {
      scope,
      check: 'EventBridge rules',
      status: 'pass',
      detail: `${expected.length} ${expected[0]?.forwards ? 'forwarding' : 'routing'} rules enabled`,
      fix: null,
    };
  }
  const problems = [
    ...missing.map((r) => `${r.name} missing`),
    ...wrong.map((r) => `${r.name} ${deployed.get(r.name)} (expected ${r.state})`),
  ];
  const first = wrong[0];
  return {
    scope,
    check: 'EventBridge rules',
    status: 'fail',
    detail: `findings matching these never reach triage: ${problems.join(', ')}`,
    fix:
      missing.length === 0 && first?.state === 'ENABLED'
        ? wrong
            .map((r) => `aws events enable-rule --region ${region} --name ${r.name}`)
            .join(' && ')
        : `npx sst deploy --stage ${access.stage} (recreates the rules in the state they need)`,
  };
}

/** The stage's dead-letter queue: every message in it is a security event nobody processed. */
export async function deadLetterCheck(access: DoctorAccess): Promise<DoctorCheck> {
  const scope = `${access.account} ${access.homeRegion}`;
  const sqs = access.aws(access.homeRegion, access.account).sqs;
  const name = stageResourceNames.deadLetterQueue(access.stage);
  let url: string | undefined;
  try {
    ({ QueueUrl: url } = await sqs.send(new GetQueueUrlCommand({ QueueName: name })));
  } catch (error) {
    if ((error as Error).name !== 'QueueDoesNotExist') throw error;
  }
  if (!url) {
    return {
      scope,
      check: 'dead-letter queue',
      status: 'fail',
      detail: `${name} does not exist: is stage ${access.stage} deployed in ${access.homeRegion}?`,
      fix: `npx sst deploy --stage ${access.stage}`,
    };
  }
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const waiting =
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
  return waiting === 0
    ? { scope, check: 'dead-letter queue', status: 'pass', detail: `${name} is empty`, fix: null }
    : {
        scope,
        check: 'dead-letter queue',
        status: 'fail',
        detail: `${waiting} security event(s) failed triage and wait in ${name}`,
        fix: `aws sqs receive-message --region ${access.homeRegion} --queue-url ${url} --max-number-of-messages 10, fix the cause, then send each event to aws lambda invoke --function-name ${stageResourceNames.function(access.stage, 'triage')} (EventBridge refuses aws.* sources from put-events)`,
      };
}
