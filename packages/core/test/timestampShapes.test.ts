import { loadEvent, sampleConfig, withValue } from '@tourniquet/core/testkit';
import { describe, expect, it } from 'vitest';
import { createPlanner, normaliseEvent } from '../src';

const planner = createPlanner(sampleConfig());

/**
 * Timestamps as epoch numbers (seconds with a fraction, or milliseconds) instead of ISO-8601, in
 * every timestamp field Config and CloudTrail events carry and in the envelope: the plan is the
 * one the ISO event gets, and the finding's times are the same instants.
 */
describe('Normalisers: epoch-number timestamps in Config and CloudTrail events', () => {
  it.each([
    [
      'config/eks-endpoint-no-public-access-noncompliant.json',
      'detail.newEvaluationResult.resultRecordedTime',
    ],
    ['config/eks-endpoint-no-public-access-noncompliant.json', 'detail.notificationCreationTime'],
    ['config/eks-endpoint-no-public-access-noncompliant.json', 'time'],
    ['cloudtrail/irsa-assume-web-identity-outside-egress.json', 'detail.eventTime'],
    ['cloudtrail/irsa-session-ec2-start-instances-outside.json', 'detail.eventTime'],
  ])('%s with %s as epoch seconds or milliseconds plans as with ISO-8601', (file, path) => {
    const event = loadEvent(file);
    const iso = path.split('.').reduce((node: any, key) => node[key], event) as string;
    const ms = Date.parse(iso);
    const expected = planner.plan(normaliseEvent(event));
    for (const epoch of [ms / 1000, ms]) {
      const plan = planner.plan(normaliseEvent(withValue(event, path, epoch)));
      expect(plan.playbook).toBe(expected.playbook);
      expect(plan.incidentKey).toBe(expected.incidentKey);
      expect([plan.finding.firstSeen, plan.finding.lastSeen]).toEqual([
        expected.finding.firstSeen,
        expected.finding.lastSeen,
      ]);
    }
  });
});
