import * as z from '@tourniquet/core/zod';

const name = z.string().check(z.minLength(1)).check(z.maxLength(253));
const instanceId = z.string().check(z.regex(/^i-[0-9a-f]{8,17}$/, 'expected an EC2 instance id'));
const roleArn = z
  .string()
  .check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'expected an IAM role ARN'));

export const podTarget = z.object({
  kind: z.literal('pod'),
  namespace: name,
  name,
  uid: z.nullable(z.string()),
});
export const nodeTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('node'), instanceId }),
  z.object({ kind: z.literal('node-of-pod'), namespace: name, name }),
]);
const serviceAccountRef = z.object({ namespace: name, name });
export const roleTarget = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('role'),
    arn: roleArn,
    /** Reached through IRSA: the role must trust the cluster's OIDC provider for this subject. */
    irsa: z.optional(z.object({ serviceAccount: z.nullable(serviceAccountRef) })),
  }),
  z.object({ kind: z.literal('serviceaccount-role'), namespace: name, name }),
  z.object({
    kind: z.literal('instance-profile-role'),
    arn: z
      .string()
      .check(
        z.regex(
          /^arn:aws[a-z-]*:iam::\d{12}:instance-profile\/.+$/,
          'expected an instance profile ARN',
        ),
      ),
  }),
]);
export const webIdentityTarget = z.object({
  kind: z.literal('web-identity'),
  /** null: the IRSA role the service account's annotation names, read at run time. */
  roleArn: z.nullable(roleArn),
  namespace: name,
  serviceAccount: name,
});
export const clusterTarget = z.object({ kind: z.literal('cluster'), name });
export const instanceTarget = z.object({ kind: z.literal('instance'), instanceId });
export const securityGroupTarget = z.object({
  kind: z.literal('security-group'),
  groupId: z.string().check(z.regex(/^sg-[0-9a-f]{8,17}$/, 'expected a security group id')),
});

export type PodTarget = z.infer<typeof podTarget>;
export type NodeTarget = z.infer<typeof nodeTarget>;
export type RoleTarget = z.infer<typeof roleTarget>;
export type WebIdentityTarget = z.infer<typeof webIdentityTarget>;
