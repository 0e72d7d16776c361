import { allEventFiles, loadEvent, sampleConfig } from '@tourniquet/core/testkit';
import { describe, expect, it } from 'vitest';
import { createPlanner, EventValidationError, normaliseEvent, type Plan } from '../src';

/**
 * Fields the API model (GuardDuty Finding) or the service's event schema (Config compliance
 * change, CloudTrail record) always carries: dropping one of these may be rejected, naming it.
 * Everything else is optional, and an event without it must still be planned.
 */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  guardduty: [
    'id',
    'accountId',
    'region',
    'type',
    'severity',
    'createdAt',
    'updatedAt',
    'resource',
  ],
  config: [
    'resourceId',
    'resourceType',
    'awsRegion',
    'awsAccountId',
    'configRuleName',
    'messageType',
    'newEvaluationResult',
    'newEvaluationResult.complianceType',
  ],
  cloudtrail: [
    'eventID',
    'eventName',
    'eventSource',
    'eventTime',
    'awsRegion',
    'sourceIPAddress',
    'userIdentity',
    'userIdentity.type',
  ],
};

/** Dotted paths of every object member under `detail` (array elements' members by index). */
function paths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const out: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (!Array.isArray(value)) out.push(path);
    out.push(...paths(child, path));
  }
  return out;
}

function mutate(event: Record<string, any>, path: string, to: 'delete' | 'null') {
  const copy = structuredClone(event);
  const keys = path.split('.');
  const last = keys.pop() as string;
  let node = copy.detail;
  for (const key of keys) node = node[key];
  if (to === 'delete') delete node[last];
  else node[last] = null;
  return copy;
}

/** A required field names itself with its own path; indices in arrays are not required fields. */
const isRequired = (dir: string, path: string) => REQUIRED[dir]?.includes(path) ?? false;

const planner = createPlanner(sampleConfig());
const samples = allEventFiles().filter((f) => !f.startsWith('negative/'));

describe('Normalisers accept every event the API model allows', () => {
  it.each(samples)('%s still plans with each optional field missing or null', (file) => {
    const event = loadEvent(file);
    const dir = file.split('/')[0] as string;
    const original = planner.plan(normaliseEvent(event));
    const failures: string[] = [];
    let tried = 0;
    for (const path of paths(event.detail)) {
      for (const to of ['delete', 'null'] as const) {
        let plan: Plan;
        try {
          plan = planner.plan(normaliseEvent(mutate(event, path, to)));
        } catch (error) {
          const named =
            error instanceof EventValidationError && error.message.includes(`detail.${path}`);
          if (!(isRequired(dir, path) && named)) failures.push(`${to} ${path}: ${error}`);
          continue;
        }
        tried += 1;
        expect(plan.reason).not.toBe('');
        // GuardDuty and Config findings that were acted on at least become a ticket.
        if (dir !== 'cloudtrail' && original.playbook && !plan.playbook) {
          failures.push(`${to} ${path}: no plan (${plan.reason})`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(tried).toBeGreaterThan(10);
  });
});
