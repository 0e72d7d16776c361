import * as z from '@tourniquet/core/zod';
import { SlackSecretError } from '../errors';

/** The one Secrets Manager secret the Slack functions read: a JSON object with both values. */
const slackSecretSchema = z.strictObject({
  botToken: z.string().check(z.regex(/^xox[bp]-/, 'expected a bot token starting with xoxb-')),
  signingSecret: z
    .string()
    .check(z.minLength(16, 'expected the app signing secret (32 hex characters)')),
});

export type SlackSecret = z.infer<typeof slackSecretSchema>;

/** Parses the secret string; the error names the key, never the value. */
export function parseSlackSecret(secretString: string | undefined, secretId: string): SlackSecret {
  if (!secretString) throw new SlackSecretError(`secret ${secretId} has no string value`);
  let document: unknown;
  try {
    document = JSON.parse(secretString);
  } catch {
    throw new SlackSecretError(
      `secret ${secretId} is not JSON; expected {"botToken": "xoxb-…", "signingSecret": "…"}`,
    );
  }
  const result = slackSecretSchema.safeParse(document);
  if (!result.success) {
    const problems = result.error.issues.map(
      (i) => `${i.path.join('.') || '(root)'}: ${i.message}`,
    );
    throw new SlackSecretError(`secret ${secretId} is invalid: ${problems.join('; ')}`);
  }
  return result.data;
}
