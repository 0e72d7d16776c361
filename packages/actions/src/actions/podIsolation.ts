import type { Enforcement } from '../networkEnforcement';

/** What is in place around the pod, as read back from the cluster and EC2. */
export interface Isolation {
  enforcement: Enforcement;
  /** The pod has a branch ENI and it sits on the quarantine group. */
  eniQuarantined: boolean;
  /** Whether the pod has a branch ENI at all (Security Groups for Pods). */
  hasBranchEni: boolean;
  /** The deny-all NetworkPolicy exists and the pod carries the label it selects. */
  policyInPlace: boolean;
  /** For the VPC CNI: the controller has written a PolicyEndpoint for the policy. */
  policyEndpoint: boolean;
  policyName: string;
}

export interface IsolationReport {
  isolated: boolean;
  /** Only the mechanisms that hold. */
  mechanisms: string[];
  detail: string;
}

function policyGap(i: Isolation): string | null {
  const { enforcer } = i.enforcement;
  if (!i.policyInPlace) return `the deny-all NetworkPolicy ${i.policyName} is not in place`;
  if (enforcer === null) {
    return `nothing enforces NetworkPolicy ${i.policyName} (no VPC CNI network policy agent enabled, no calico-node, no cilium in kube-system)`;
  }
  if (enforcer === 'vpc-cni' && !i.policyEndpoint) {
    return `the VPC CNI network policy controller has not written a PolicyEndpoint for NetworkPolicy ${i.policyName}, so it is not enforced yet`;
  }
  return null;
}

const STANDARD_MODE =
  'Security Groups for Pods run in standard mode: traffic leaving the VPC uses the node security groups, so the branch ENI swap does not cut egress to the internet';

/**
 * The honest outcome: `network-policy` counts only when something enforces it (for the VPC CNI,
 * once its PolicyEndpoint exists), `security-group` only in strict SGP mode.
 */
export function describeIsolation(i: Isolation): IsolationReport {
  const mechanisms: string[] = [];
  const notes: string[] = [];
  if (i.eniQuarantined) {
    if (i.enforcement.sgpMode === 'strict') mechanisms.push('security-group');
    else notes.push(STANDARD_MODE);
  } else if (!i.hasBranchEni) {
    notes.push('no branch ENI: the pod uses the node ENI, so only a NetworkPolicy can cut it');
  }
  const gap = policyGap(i);
  if (gap === null) mechanisms.push('network-policy');
  else notes.push(gap);
  if (mechanisms.length === 0) {
    return { isolated: false, mechanisms, detail: `NOT isolated: ${notes.join('; ')}` };
  }
  const suffix = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  return { isolated: true, mechanisms, detail: `isolated by ${mechanisms.join(' + ')}${suffix}` };
}
