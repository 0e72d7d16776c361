import type { CloudTrailContext, Finding, RoleRef, ServiceAccountRef } from '../finding';
import { NO_EXPOSURE } from '../finding';
import * as z from '../zod';
import { cloudTrailDetailFastPath } from './cloudTrailFastPath';
import { accountId, type Envelope, nonEmpty, parseOrThrow, regionName, timestamp } from './common';

export const cloudTrailDetailSchema = z.object({
  eventID: nonEmpty,
  eventName: nonEmpty,
  eventSource: nonEmpty,
  eventTime: timestamp,
  awsRegion: regionName,
  sourceIPAddress: nonEmpty,
  recipientAccountId: z.nullish(accountId),
  errorCode: z.nullish(z.string()),
  userIdentity: z.object({
    type: nonEmpty,
    userName: z.nullish(z.string()),
    identityProvider: z.nullish(z.string()),
    sessionContext: z.nullish(
      z.object({
        sessionIssuer: z.nullish(z.object({ arn: z.nullish(z.string()) })),
        webIdFederationData: z.nullish(z.object({ federatedProvider: z.nullish(z.string()) })),
      }),
    ),
  }),
  requestParameters: z.nullish(z.object({ roleArn: z.nullish(z.string()) })),
});
export type CloudTrailDetail = z.infer<typeof cloudTrailDetailSchema>;

const SERVICE_ACCOUNT_SUBJECT = /^system:serviceaccount:([^:]+):([^:]+)$/;
const OIDC_PROVIDER = /:oidc-provider\/(oidc\.eks\.[^/]+\/id\/[A-Za-z0-9]+)$/;

export function normaliseCloudTrail(envelope: Envelope): Finding {
  const detail =
    cloudTrailDetailFastPath(envelope.detail) ??
    parseOrThrow(cloudTrailDetailSchema, envelope.detail, 'CloudTrail event', 'detail');
  return cloudTrailFinding(envelope, detail);
}

/** The finding a CloudTrail event describes, from its validated `detail`. */
export function cloudTrailFinding(envelope: Envelope, detail: CloudTrailDetail): Finding {
  const { identity, oidcIssuer, roleArn: named } = classifyIdentity(detail);
  const serviceAccount = parseServiceAccount(detail.userIdentity.userName);
  const denied = detail.errorCode === 'AccessDenied';
  // A failed AssumeRoleWithWebIdentity issued no session: the caller holds nothing of the role it
  // asked for, so that role is not the finding's role (it may be any role the attacker names).
  const requestedRoleArn = identity === 'web-identity' ? named : null;
  const roleArn = identity === 'web-identity' && detail.errorCode ? null : named;
  const role: RoleRef | null = roleArn ? { arn: roleArn, serviceAccount } : null;
  const context: CloudTrailContext = {
    origin: 'cloudtrail',
    eventName: detail.eventName,
    eventSource: detail.eventSource,
    sourceIp: detail.sourceIPAddress,
    errorCode: detail.errorCode ?? null,
    identity,
    oidcIssuer,
    serviceAccount,
    requestedRoleArn,
  };
  const caller = serviceAccount
    ? `system:serviceaccount:${serviceAccount.namespace}:${serviceAccount.name}`
    : (named ?? detail.userIdentity.type);
  const asked = requestedRoleArn ? ` for ${requestedRoleArn}` : '';
  return {
    origin: 'cloudtrail',
    id: detail.eventID,
    eventId: envelope.id,
    type: `CloudTrail:${detail.eventSource.replace(/\.amazonaws\.com$/, '')}/${detail.eventName}`,
    title: `${detail.eventName}${denied ? ' (AccessDenied)' : ''} by ${caller}${asked} from ${detail.sourceIPAddress}`,
    severity: denied ? 'MEDIUM' : 'HIGH',
    account: detail.recipientAccountId ?? envelope.account,
    region: detail.awsRegion,
    cluster: null,
    pod: null,
    node: null,
    role,
    resource: roleArn ? { type: 'AWS::IAM::Role', id: roleArn } : null,
    firstSeen: detail.eventTime,
    lastSeen: detail.eventTime,
    count: 1,
    sample: false,
    exposure: NO_EXPOSURE,
    context,
    raw: envelope,
  };
}

function classifyIdentity(detail: CloudTrailDetail): {
  identity: CloudTrailContext['identity'];
  oidcIssuer: string | null;
  roleArn: string | null;
} {
  const user = detail.userIdentity;
  if (user.type === 'WebIdentityUser' && detail.eventName === 'AssumeRoleWithWebIdentity') {
    const oidcIssuer = issuerOf(user.identityProvider);
    if (oidcIssuer) {
      return {
        identity: 'web-identity',
        oidcIssuer,
        roleArn: detail.requestParameters?.roleArn ?? null,
      };
    }
  }
  const federated = user.sessionContext?.webIdFederationData?.federatedProvider;
  if (user.type === 'AssumedRole' && federated) {
    const oidcIssuer = issuerOf(federated);
    if (oidcIssuer) {
      return {
        identity: 'irsa-session',
        oidcIssuer,
        roleArn: user.sessionContext?.sessionIssuer?.arn ?? null,
      };
    }
  }
  return { identity: 'other', oidcIssuer: null, roleArn: null };
}

/** `arn:aws:iam::<acct>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<ID>` → issuer. */
function issuerOf(providerArn: string | null | undefined): string | null {
  if (!providerArn) return null;
  return OIDC_PROVIDER.exec(providerArn)?.[1] ?? null;
}

function parseServiceAccount(userName: string | null | undefined): ServiceAccountRef | null {
  const match = userName ? SERVICE_ACCOUNT_SUBJECT.exec(userName) : null;
  return match ? { namespace: match[1] as string, name: match[2] as string } : null;
}
