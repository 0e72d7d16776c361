/** The response-action vocabulary. Names are part of the public contract (plans, ASL, config). */
export const ACTION_NAMES = [
  'label-pod',
  'isolate-pod',
  'capture-evidence',
  'protect-node',
  'cordon-node',
  'isolate-node',
  'quarantine-instance-profile',
  'revoke-role-sessions',
  'block-web-identity',
  'require-imdsv2',
  'disable-public-endpoint',
  'enable-control-plane-logging',
  'revoke-open-ingress',
  'open-ticket',
] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

/** Actions that need an on-call approval unless the config says otherwise (DESIGN §6). */
export const DESTRUCTIVE_ACTIONS: readonly ActionName[] = [
  'cordon-node',
  'isolate-node',
  'revoke-role-sessions',
  'block-web-identity',
  'disable-public-endpoint',
  'revoke-open-ingress',
];

/**
 * Actions whose success contains an incident: they cut the workload's or the identity's reach
 * (isolation, session revocation, blocked web identity) or close the misconfiguration the
 * finding is about (IMDSv2, public endpoint, control-plane logging, open ingress). Labels,
 * evidence, protection, cordoning and tickets prepare or record; they contain nothing.
 */
export const CONTAINING_ACTIONS: readonly ActionName[] = [
  'isolate-pod',
  'isolate-node',
  'revoke-role-sessions',
  'block-web-identity',
  'require-imdsv2',
  'disable-public-endpoint',
  'enable-control-plane-logging',
  'revoke-open-ingress',
];

export const PLAYBOOK_NAMES = [
  'contain-pod',
  'contain-node',
  'revoke-identity',
  'remediate-config',
  'ticket-only',
] as const;
export type PlaybookName = (typeof PLAYBOOK_NAMES)[number];

export function isActionName(value: string): value is ActionName {
  return (ACTION_NAMES as readonly string[]).includes(value);
}
