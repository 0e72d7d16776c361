import { forwardedRules, forwardingRegions } from './forwardingRegions';
import { ROUTING_RULES, type RoutingRule } from './patterns';

/**
 * Names a hub stage gives its resources. infra/ creates them under these names and `tourniquet
 * doctor` reads them back by the same names, so the two cannot drift apart.
 */
export const stageResourceNames = {
  /** A routing rule on the home region's default bus (targets triage). */
  rule: (stage: string, rule: Pick<RoutingRule, 'name'>) => `tourniquet-${stage}-${rule.name}`,
  /** A rule in another region that forwards the same events to the home region's bus. */
  forwardRule: (stage: string, rule: Pick<RoutingRule, 'name'>) =>
    `tourniquet-${stage}-forward-${rule.name}`,
  /** A Lambda function (`suffix`: a VPC copy's). */
  function: (stage: string, functionName: string, suffix = '') =>
    `tourniquet-${stage}-${functionName}${suffix}`,
  /** Where security events nobody could process end up. */
  deadLetterQueue: (stage: string) => `tourniquet-${stage}-triage-dlq`,
  /** A function's execution role: `tourniquet-<stage>-<PascalCaseName>` (IAM's 64-char limit). */
  functionRole: (stage: string, functionName: string) => {
    const id = functionName
      .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
      .replace(/^./, (c) => c.toUpperCase());
    return `tourniquet-${stage}-${id}`.slice(0, 64);
  },
} as const;

/** One EventBridge rule a hub stage deploys, where, and the state it is created in. */
export interface StageRule {
  region: string;
  name: string;
  state: RoutingRule['state'];
  /** The routing rule it carries. */
  routes: string;
  /** Whether it forwards to the home region's bus rather than targeting triage. */
  forwards: boolean;
}

/**
 * Every EventBridge rule a hub stage with this home region and these cluster regions deploys:
 * the routing rules in the home region, the forwarding rules in the others (infra/routing.ts,
 * infra/forwarding.ts).
 */
export function stageRules(
  stage: string,
  homeRegion: string,
  clusterRegions: readonly string[],
): StageRule[] {
  const home = ROUTING_RULES.map((rule) => ({
    region: homeRegion,
    name: stageResourceNames.rule(stage, rule),
    state: rule.state,
    routes: rule.name,
    forwards: false,
  }));
  const forwarded = forwardingRegions(homeRegion, clusterRegions).flatMap(({ region, rules }) =>
    forwardedRules(rules).map((rule) => ({
      region,
      name: stageResourceNames.forwardRule(stage, rule),
      state: rule.state,
      routes: rule.name,
      forwards: true,
    })),
  );
  return [...home, ...forwarded];
}
