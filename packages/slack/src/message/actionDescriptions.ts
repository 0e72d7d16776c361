/** What each step needing approval would change, in the words on-call needs to decide. */
export const ACTION_EFFECTS: Readonly<Record<string, string>> = {
  'cordon-node': 'mark the node unschedulable (running pods keep running)',
  'isolate-node': 'move every network interface of the node onto the quarantine security group',
  'revoke-role-sessions': 'deny every session of the IAM role issued before now',
  'quarantine-instance-profile':
    "replace the instance's IAM instance profile with the deny-all one (only this instance)",
  'block-web-identity':
    "deny the service account's web-identity role assumption in the trust policy",
  'disable-public-endpoint': "turn off the cluster's public API endpoint",
  'revoke-open-ingress': 'revoke security-group ingress open to 0.0.0.0/0 and ::/0',
  'isolate-pod': "move the pod's network interface onto the quarantine security group",
  'require-imdsv2': 'require IMDSv2 on the instance',
  'enable-control-plane-logging': 'turn on every EKS control-plane log type',
};

export function actionEffect(action: string): string {
  return ACTION_EFFECTS[action] ?? 'change the target as the action describes';
}
