import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { AwsClientOverrides } from './awsClients';
import { awsClientConfig } from './clientConfig';

/** The member role one action request acts through (see @tourniquet/core memberAccounts). */
export interface MemberSession {
  account: string;
  /** The action the role is for: the hub function of the same action assumes it. */
  action: string;
  roleArn: string;
  externalId?: string;
  /** Names the incident and the action in the member account's CloudTrail. */
  sessionName: string;
}

/** Credentials are refreshed this long before they expire, so no call starts with stale ones. */
const REFRESH_BEFORE_MS = 5 * 60_000;
/** The shortest session STS grants; an action's calls finish well within it. */
const SESSION_SECONDS = 900;

/**
 * Member-account credentials from STS AssumeRole, with the external id the member's trust
 * policy requires, cached per (role, session) until shortly before they expire. The STS client
 * carries the hub function's own credentials: the member trusts only that role.
 */
export class MemberCredentials {
  private readonly cache = new Map<string, Promise<AwsCredentialIdentity>>();

  constructor(
    private readonly sts: STSClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  provider(session: MemberSession): AwsCredentialIdentityProvider {
    return () => this.get(session);
  }

  get(session: MemberSession): Promise<AwsCredentialIdentity> {
    const key = `${session.roleArn}\n${session.sessionName}`;
    const cached = this.cache.get(key);
    if (cached) {
      const fresh = cached.then((c) =>
        c.expiration && c.expiration.getTime() - this.now().getTime() < REFRESH_BEFORE_MS
          ? null
          : c,
      );
      return fresh.then((c) => c ?? this.assume(key, session));
    }
    return this.assume(key, session);
  }

  private assume(key: string, session: MemberSession): Promise<AwsCredentialIdentity> {
    const pending = this.sts
      .send(
        new AssumeRoleCommand({
          RoleArn: session.roleArn,
          RoleSessionName: session.sessionName,
          ExternalId: session.externalId,
          DurationSeconds: SESSION_SECONDS,
        }),
      )
      .then(({ Credentials: c }) => {
        if (!c?.AccessKeyId || !c.SecretAccessKey) {
          throw new Error(`STS AssumeRole of ${session.roleArn} returned no credentials`);
        }
        const account = /^arn:[a-z-]+:iam::(\d{12}):role\//.exec(session.roleArn)?.[1];
        return {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
          expiration: c.Expiration,
          ...(account ? { accountId: account } : {}),
        };
      });
    this.cache.set(key, pending);
    pending.catch(() => this.cache.delete(key));
    return pending;
  }
}

/**
 * Member credentials assumed with the given (the hub function's own) credentials; `wrap` lets
 * the caller instrument the STS client (tracing).
 */
export function memberCredentialsFrom(
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider,
  options: {
    endpoint?: string;
    wrap?: (client: STSClient) => STSClient;
    retryStrategy?: AwsClientOverrides['retryStrategy'];
  } = {},
): MemberCredentials {
  const client = new STSClient({
    ...awsClientConfig({ endpoint: options.endpoint }),
    credentials,
    ...(options.retryStrategy ? { retryStrategy: options.retryStrategy } : {}),
  });
  return new MemberCredentials(options.wrap ? options.wrap(client) : client);
}
