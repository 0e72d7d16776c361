import type { ActionName, PlaybookName } from '../actions';
import type { ClusterConfig, TourniquetConfig } from '../config/config';
import type { Finding } from '../finding';
import { CidrSet } from './cidr';
import { DEFAULT_POLICY } from './defaultPolicy';
import { guardsFor } from './guards';
import { incidentKey } from './incidentKey';
import { alwaysApproved, PLAYBOOK_STEPS } from './playbooks';
import type { Policy, PolicyStep } from './policyFile';
import { selectRule } from './policyMatch';
import { parseRoleArn } from './roleArn';
import { type RouteContext, routeFinding } from './routes';
import { STEP_CONDITIONS, type StepCondition } from './stepConditions';
import { renderTarget, type Target } from './target';

export interface PlanStep {
  action: ActionName;
  /** Rendered target, e.g. `pod/payments/payments-api-7d9f8b6c5-x2kqp`. */
  target: string;
  subject: Target;
  approval: 'auto' | 'required';
  dryRun: boolean;
  /**
   * Runs only when this condition holds at run time (an escalation, e.g. isolate-node when
   * isolate-pod reports the pod NOT isolated); absent means the step always runs.
   */
  onlyIf?: StepCondition;
}

export interface SkippedStep {
  action: ActionName;
  reason: string;
  /** Skipped for an admin-set protection (config, tag): the ticket step pages on-call. */
  protected?: true;
}

export interface Plan {
  incidentKey: string;
  playbook: PlaybookName | null;
  steps: PlanStep[];
  skipped: SkippedStep[];
  reason: string;
  /** The finding as planned: cluster resolved from config where the event only implies it. */
  finding: Finding;
}

export interface Planner {
  readonly config: TourniquetConfig;
  readonly policy: Policy;
  plan(finding: Finding): Plan;
}

interface CompiledCluster {
  config: ClusterConfig;
  egress: CidrSet;
}

/** The step a rule that gives a finding nothing but a ticket plans. */
const TICKET_STEP: PolicyStep = { action: 'open-ticket', dryRun: false };

/**
 * Compiles a config and a policy into a planner. `plan()` is pure and allocation-light: lookups
 * and CIDR sets are built once here.
 *
 * The policy chooses the playbook (the one the finding's facts call for, or ticket-only) and
 * which of its steps run, and can add approvals and dry-runs. What a step acts on, and every
 * safety rail (configured scope, protected namespaces and nodes, the approval floor, dry-run,
 * foreign ARNs), stays here: no policy reaches them.
 */
export function createPlanner(config: TourniquetConfig, policy: Policy = DEFAULT_POLICY): Planner {
  // Keyed account → region → name, not by a joined string: building that key for every finding
  // was a seventh of a plan's time.
  const byName = new Map<string, Map<string, Map<string, CompiledCluster>>>();
  const byIssuer = new Map<string, CompiledCluster>();
  const accounts = new Set<string>();
  const accountRegions = new Map<string, Set<string>>();
  for (const cluster of config.clusters) {
    const compiled = { config: cluster, egress: new CidrSet(cluster.egressCidrs) };
    const regions = byName.get(cluster.account) ?? new Map<string, Map<string, CompiledCluster>>();
    byName.set(cluster.account, regions);
    const names = regions.get(cluster.region) ?? new Map<string, CompiledCluster>();
    regions.set(cluster.region, names);
    names.set(cluster.name, compiled);
    if (cluster.oidcIssuer) byIssuer.set(cluster.oidcIssuer, compiled);
    accounts.add(cluster.account);
    accountRegions.set(
      cluster.account,
      (accountRegions.get(cluster.account) ?? new Set<string>()).add(cluster.region),
    );
  }
  const restricted = config.clusters.length > 0;

  function clusterOf(f: Finding): CompiledCluster | null {
    if (f.context.origin === 'cloudtrail' && f.context.oidcIssuer) {
      return byIssuer.get(f.context.oidcIssuer) ?? null;
    }
    if (!f.cluster) return null;
    return byName.get(f.account)?.get(f.region)?.get(f.cluster) ?? null;
  }

  /** Why Tourniquet must not act on this finding's target, or null when it is managed. */
  function unmanagedReason(f: Finding, cluster: CompiledCluster | null): string | null {
    if (!restricted) return null;
    if (f.context.origin === 'cloudtrail' && f.context.oidcIssuer) {
      return cluster && cluster.config.account === f.account
        ? null
        : `OIDC issuer ${f.context.oidcIssuer} belongs to no configured cluster in account ${f.account}`;
    }
    if (f.cluster) {
      return cluster
        ? null
        : `cluster ${f.cluster} in ${f.account}/${f.region} is not in the configuration`;
    }
    if (f.role) {
      return accounts.has(f.account) ? null : `account ${f.account} is not in the configuration`;
    }
    return accountRegions.get(f.account)?.has(f.region)
      ? null
      : `account ${f.account} in ${f.region} is not in the configuration`;
  }

  function plan(input: Finding): Plan {
    const cluster = clusterOf(input);
    const finding =
      cluster && input.cluster !== cluster.config.name
        ? { ...input, cluster: cluster.config.name }
        : input;
    const key = incidentKey(finding);
    const ctx: RouteContext = { cluster: cluster?.config ?? null, egress: cluster?.egress ?? null };
    const route = routeFinding(finding, ctx);
    // Not an incident (or nothing Tourniquet handles): decided before any policy rule is read.
    if (!route.playbook) {
      return {
        incidentKey: key,
        playbook: null,
        steps: [],
        skipped: [],
        reason: route.reason,
        finding,
      };
    }
    const rule = selectRule(policy, finding, route.playbook);
    const routed: PlaybookName = rule?.playbook ?? 'ticket-only';
    let because = route.reason;
    if (!rule) because += '; no policy rule matches it, so it gets a ticket only';
    else if (routed !== route.playbook)
      because += `; policy rule "${rule.name}" gives it a ticket only`;
    const chosen = rule?.steps ?? [TICKET_STEP];
    const observed = finding.cluster !== null && policy.clusters[finding.cluster]?.observeOnly;
    const guards = guardsFor(finding, config, unmanagedReason(finding, cluster));
    const steps: PlanStep[] = [];
    const skipped: SkippedStep[] = [];
    let unauthorised: string | undefined;
    for (const template of PLAYBOOK_STEPS[routed](finding)) {
      const { action } = template;
      const resolved = template.target(finding, key);
      const target = 'skip' in resolved ? null : resolved;
      const guard = guards.find((g) => g.covers(action, target));
      if (guard) {
        const skip: SkippedStep = { action, reason: guard.reason };
        if (guard.protected) skip.protected = true;
        skipped.push(skip);
        continue;
      }
      const chosenStep = chosen.find((s) => s.action === action);
      if (!chosenStep) {
        skipped.push({ action, reason: `policy rule "${rule?.name}" leaves ${action} out` });
        continue;
      }
      const foreign = target && foreignTargetReason(target, finding);
      if (foreign) {
        unauthorised ??= foreign;
        skipped.push({ action, reason: foreign });
        continue;
      }
      let onlyIf: StepCondition | undefined;
      if (template.when && !template.when.test(finding)) {
        const otherwise = template.when.otherwise;
        // The condition reads an earlier step's result: without that step it can never hold.
        if (!otherwise || !steps.some((s) => s.action === STEP_CONDITIONS[otherwise].after)) {
          skipped.push({ action, reason: template.when.unless });
          continue;
        }
        onlyIf = otherwise;
      }
      if ('skip' in resolved) {
        skipped.push({ action, reason: resolved.skip });
        continue;
      }
      const step: PlanStep = {
        action,
        target: renderTarget(resolved),
        subject: resolved,
        // The configuration's approvals are a floor: a policy can add one, never take one away.
        approval:
          config.approvalRequired.includes(action) ||
          alwaysApproved(action, resolved) ||
          chosenStep.approval === 'required'
            ? 'required'
            : 'auto',
        dryRun:
          config.dryRun ||
          finding.sample ||
          config.dryRunActions.includes(action) ||
          rule?.dryRun === true ||
          chosenStep.dryRun ||
          (observed === true && action !== 'open-ticket'),
      };
      if (onlyIf) step.onlyIf = onlyIf;
      steps.push(step);
    }
    let playbook: PlaybookName = routed;
    let reason = because;
    const containment = steps.some((s) => s.action !== 'open-ticket');
    if (!containment && playbook !== 'ticket-only') {
      playbook = 'ticket-only';
      reason = guards[0]?.reason ?? unauthorised ?? `${reason}; every containment step was skipped`;
    }
    if (finding.sample) reason += ' (GuardDuty sample finding: dry-run only)';
    else if (config.dryRun) reason += ' (dry-run: config.dryRun is true)';
    else if (observed) reason += ` (observe-only: the policy observes cluster ${finding.cluster})`;
    return { incidentKey: key, playbook, steps, skipped, reason, finding };
  }

  return { config, policy, plan };
}

/**
 * Why a target named by ARN is not Tourniquet's to act on: not a well-formed ARN, or in another
 * account than the finding's (which the planner has already matched to the configuration). The
 * action checks the rest at run time (the ARN IAM reports, the trust policy).
 */
function foreignTargetReason(target: Target, finding: Finding): string | null {
  let arn: string | null = null;
  let account: string | undefined;
  if (target.kind === 'role' || (target.kind === 'web-identity' && target.roleArn)) {
    arn = target.kind === 'role' ? target.arn : target.roleArn;
    account = arn ? parseRoleArn(arn)?.account : undefined;
    if (!account) return `${arn} is not an IAM role ARN; Tourniquet does not act on it`;
  } else if (target.kind === 'instance-profile-role') {
    arn = target.arn;
    account = /^arn:[a-z-]+:iam::(\d{12}):instance-profile\//.exec(arn)?.[1];
    if (!account) return `${arn} is not an instance profile ARN; Tourniquet does not act on it`;
  }
  if (!arn || account === finding.account) return null;
  return `${arn} is in account ${account}, not the finding's account ${finding.account}; Tourniquet does not act on it`;
}
