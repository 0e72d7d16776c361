import { partitionOf, ROUTING_RULES } from '@tourniquet/core';
import type { ProviderFor } from './regionProviders';
import { serviceRole } from './serviceRole';

/** Where a region's events come from: all security sources, or CloudTrail only. */
export interface ForwardingRegion {
  region: string;
  rules: 'all' | 'cloudtrail';
}

/**
 * The regions that forward to the home region's bus. Every configured cluster's region sends
 * all its security events. The partition's global STS endpoint (sts.amazonaws.com) and IAM log
 * in one region (us-east-1 in `aws`): an IRSA token exchanged there, or stolen IRSA credentials
 * used against IAM, appear only in that region's CloudTrail, so it forwards the CloudTrail
 * rules even when no cluster runs there.
 */
export function forwardingRegions(
  homeRegion: string,
  clusterRegions: readonly string[],
): ForwardingRegion[] {
  const all = [...new Set(clusterRegions)].filter((r) => r !== homeRegion);
  const { globalStsRegion } = partitionOf(homeRegion);
  const regions: ForwardingRegion[] = all.map((region) => ({ region, rules: 'all' }));
  if (globalStsRegion !== homeRegion && !all.includes(globalStsRegion))
    regions.push({ region: globalStsRegion, rules: 'cloudtrail' });
  return regions;
}

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
    return ROUTING_RULES.filter((r) => rules === 'all' || r.name.startsWith('cloudtrail-')).map(
      (rule) => {
        const forward = new aws.cloudwatch.EventRule(
          `Forward-${region}-${rule.name}`,
          {
            name: `tourniquet-${$app.stage}-forward-${rule.name}`,
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
      },
    );
  });
}
