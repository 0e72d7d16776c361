import { z } from 'zod';

const labelSelector = z.object({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z.object({
        key: z.string(),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});

/**
 * The spec of vpcresources.k8s.aws/v1beta1 SecurityGroupPolicy: the CRD's schema (1 to 16 group
 * ids) plus the checks the VPC resource controller relies on (a selector, `sg-` ids).
 */
export const SecurityGroupPolicySpecSchema = z
  .object({
    podSelector: labelSelector.optional(),
    serviceAccountSelector: labelSelector.optional(),
    securityGroups: z.object({
      groupIds: z
        .array(z.string().regex(/^sg-[0-9a-f]+$/, 'must be a security group id (sg-...)'))
        .min(1)
        .max(16),
    }),
  })
  .refine((spec) => spec.podSelector !== undefined || spec.serviceAccountSelector !== undefined, {
    message: 'one of podSelector or serviceAccountSelector is required',
  });
