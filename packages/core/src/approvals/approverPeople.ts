import { awsPrincipalOf, matchesApproverArn } from './awsCallerAuthorisation';

/** `approvals.people`: one entry per human, naming every identity they decide with. */
export type ApproverPeople = Readonly<
  Record<string, { readonly slack: readonly string[]; readonly aws: readonly string[] }>
>;

/**
 * The key the two-person rule counts: `person:<name>` when the people map names the identity
 * (a Slack user id, or an AWS ARN matching one of the person's patterns); otherwise the Slack
 * user (`slack:U…`), or the AWS principal with every session of a role counted as one
 * (`aws-role:…`). Two approvals with the same key are one person.
 */
export function personOf(
  identity: { channel: 'slack' | 'aws'; id: string },
  people: ApproverPeople = {},
): string {
  for (const [name, ids] of Object.entries(people)) {
    if (identity.channel === 'slack' && ids.slack.includes(identity.id)) return `person:${name}`;
    if (identity.channel === 'aws' && ids.aws.some((p) => matchesApproverArn(identity.id, p)))
      return `person:${name}`;
  }
  return identity.channel === 'slack' ? `slack:${identity.id}` : awsPrincipalOf(identity.id);
}
