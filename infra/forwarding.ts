import { stageResourceNames } from '@tourniquet/core';
import { type ForwardingRegion, forwardedRules } from './forwardingRegions';
import type { ProviderFor } from './regionProviders';
import { serviceRole } from './serviceRole';

/**
 * Other regions of the account send the same security events to the home region's default bus,
 * where the routing rules deliver them to triage.
 */
export function forwarding(
  regions: readonly ForwardingRegion[],
  homeBusArn: $util.Input<string>,
  providerFor: ProviderFor,
) {
  if (regions.length === 0) return [];
  const role = serviceRole('ForwardingRole', 'forward-events', 'events.amazonaws.com');
  new aws.iam.RolePolicy('ForwardingPolicy', {
    role: role.id,
    policy: $jsonStringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: [homeBusArn] }],
    }),
  });
  return regions.flatMap(({ region, rules }) => {
    const provider = providerFor(region);
    return forwardedRules(rules).map((rule) => {
      const forward = new aws.cloudwatch.EventRule(
        `Forward-${region}-${rule.name}`,
        {
          name: stageResourceNames.forwardRule($app.stage, rule),
          eventPattern: JSON.stringify(rule.pattern),
          state: rule.state,
        },
        { provider },
      );
      new aws.cloudwatch.EventTarget(
        `Forward-${region}-${rule.name}-target`,
        { rule: forward.name, arn: homeBusArn, roleArn: role.arn },
        { provider },
      );
      return forward;
    });
  });
}
