import { partitionOf } from '../aws/partition';
import { ROUTING_RULES, type RoutingRule } from './patterns';

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

/** The routing rules a forwarding region carries to the home region's bus. */
export function forwardedRules(rules: ForwardingRegion['rules']): readonly RoutingRule[] {
  return ROUTING_RULES.filter((r) => rules === 'all' || r.name.startsWith('cloudtrail-'));
}
