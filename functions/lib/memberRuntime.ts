import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { type MemberCredentials, type MemberSession, memberCredentialsFrom } from '@tourniquet/aws';
import { tracer } from './powertools';

/**
 * A member session's clients and connections are kept for the warm Lambda too, but only for the
 * last few incidents: each incident has its own session name.
 */
const MEMBER_CACHE_LIMIT = 32;

export function bounded<V>(map: Map<string, V>, key: string, make: () => V): V {
  let value = map.get(key);
  if (!value) {
    if (map.size >= MEMBER_CACHE_LIMIT) map.delete(map.keys().next().value as string);
    value = make();
    map.set(key, value);
  }
  return value;
}

/** The function's own credentials, and the member sessions it assumes with them. */
export interface Identities {
  credentials: ReturnType<typeof defaultProvider>;
  members: MemberCredentials;
  /** Cache key of a region as seen by the function itself or by one member session. */
  placeOf(region: string, member?: MemberSession | null): string;
}

let identities: Identities | null = null;

/** One per container: the hub function's own credentials assume the member role (STS in any region). */
export function functionIdentities(): Identities {
  if (!identities) {
    const credentials = defaultProvider();
    identities = {
      credentials,
      members: memberCredentialsFrom(credentials, {
        wrap: (sts) => tracer.captureAWSv3Client(sts),
      }),
      placeOf: (region, member) =>
        member ? `${region}\n${member.roleArn}\n${member.sessionName}` : region,
    };
  }
  return identities;
}
