import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from '@tourniquet/aws';
import {
  createSlackMessenger,
  parseSlackSecret,
  type SlackMessenger,
  type SlackSecret,
  UserGroupCache,
} from '@tourniquet/slack';
import { tracer } from './powertools';

/** Secrets are re-read after this long, so a rotated token or signing secret is picked up. */
const SECRET_MAX_AGE_SECONDS = 300;

export interface SlackConnection {
  secret: SlackSecret;
  messenger: SlackMessenger;
  groups: UserGroupCache;
}

/**
 * The Slack secret (cached by Powertools Parameters) and a Web API client per bot token; the
 * user-group cache lives as long as the token does, i.e. across warm invocations.
 */
export function slackConnection(
  secretId: string,
  options: { apiUrl?: string; timeoutMs: number; retries: number },
): () => Promise<SlackConnection> {
  const provider = new SecretsProvider({
    awsSdkV3Client: tracer.captureAWSv3Client(new SecretsManagerClient(awsClientConfig())),
  });
  let current: SlackConnection | null = null;
  return async () => {
    const value = await provider.get(secretId, { maxAge: SECRET_MAX_AGE_SECONDS });
    const secret = parseSlackSecret(typeof value === 'string' ? value : undefined, secretId);
    if (!current || current.secret.botToken !== secret.botToken) {
      const messenger = createSlackMessenger({ botToken: secret.botToken, ...options });
      current = { secret, messenger, groups: new UserGroupCache(messenger) };
    }
    current.secret = secret;
    return current;
  };
}
