import { ACTION_NAMES, ConfigError, zodProblems } from '@tourniquet/core';
import { z } from 'zod';

const userId = z
  .string()
  .regex(
    /^[UW][A-Z0-9]{6,}$/,
    'expected a Slack user id such as U0123ABCDEF (not a name or @handle)',
  );

const approverArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:(iam|sts)::\d{12}:(role|user|assumed-role)\/[^\s]+$/,
    'expected an IAM role/user or STS assumed-role ARN (a trailing * matches a prefix)',
  );

export const slackSettingsSchema = z
  .strictObject({
    /** Where approval requests are posted. An id, because chat.update needs one. */
    channel: z
      .string()
      .regex(/^[CG][A-Z0-9]{6,}$/, 'expected a Slack channel id such as C0123456789 (not #name)'),
    /** Only clicks from this workspace count (Slack Connect channels carry other teams' users). */
    teamId: z
      .string()
      .regex(/^T[A-Z0-9]{6,}$/, 'expected a Slack team id such as T0123ABCD')
      .optional(),
    approverUserIds: z.array(userId).default([]),
    approverUserGroup: z
      .string()
      .regex(/^S[A-Z0-9]{6,}$/, 'expected a Slack user group id such as S0123ABCD (not @handle)')
      .optional(),
  })
  .refine((s) => s.approverUserIds.length > 0 || s.approverUserGroup !== undefined, {
    path: ['approverUserIds'],
    message: 'name at least one approver: approverUserIds and/or approverUserGroup',
  });

export const approvalSettingsSchema = z.strictObject({
  /** Actions that need two different approvers; a deny by anyone authorised is final. */
  twoPersonActions: z.array(z.enum(ACTION_NAMES)).default([]),
  /** How long decided approvals and their audit trail are kept after expiry. */
  retentionDays: z.number().int().min(1).max(3650).default(90),
  /** Console host for finding links (`console.amazonaws.cn` in China). */
  consoleDomain: z
    .string()
    .regex(/^[a-z0-9.-]+$/, 'expected a host name such as console.aws.amazon.com')
    .default('console.aws.amazon.com'),
  /** Without it, approvals are decided with `tourniquet approve|deny` only. */
  slack: slackSettingsSchema.optional(),
  cli: z
    .strictObject({ approverArns: z.array(approverArn).default([]) })
    .default({ approverArns: [] }),
});

export type ApprovalSettings = z.infer<typeof approvalSettingsSchema>;
export type SlackSettings = z.infer<typeof slackSettingsSchema>;

/** Validates the `approvals` section; errors name the key (`approvals.slack.channel: …`). */
export function parseApprovalSettings(section: unknown): ApprovalSettings {
  const result = approvalSettingsSchema.safeParse(section ?? {});
  if (!result.success) throw new ConfigError(zodProblems(result.error, 'approvals'));
  return result.data;
}

/** The `approvals` section of a whole configuration document (absent: CLI-only defaults). */
export function approvalSettingsFromConfig(document: unknown): ApprovalSettings {
  const section =
    typeof document === 'object' && document !== null
      ? (document as Record<string, unknown>).approvals
      : undefined;
  return parseApprovalSettings(section);
}
