import { ACTION_NAMES, approverPatternProblem, ConfigError, zodProblems } from '@tourniquet/core';
import * as z from '@tourniquet/core/zod';

const userId = z
  .string()
  .check(
    z.regex(
      /^[UW][A-Z0-9]{6,}$/,
      'expected a Slack user id such as U0123ABCDEF (not a name or @handle)',
    ),
  );

const approverArn = z.string().check(
  z.regex(
    /^arn:aws[a-z-]*:(iam|sts)::\d{12}:(role|user|assumed-role)\/[^\s]+$/,
    'expected an IAM role/user or STS assumed-role ARN (a trailing /* matches every name under that path)',
  ),
  z.superRefine((pattern, ctx) => {
    const problem = approverPatternProblem(pattern);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
);

/** One human and every identity they decide with, so the two-person rule counts them once. */
const person = z
  .strictObject({
    slack: z._default(z.array(userId), []),
    aws: z._default(z.array(approverArn), []),
  })
  .check(
    z.refine((p) => p.slack.length > 0 || p.aws.length > 0, {
      message: 'name at least one identity: slack user ids and/or aws ARNs',
    }),
  );

/** `approvals.people`: names are shown in audits, so they are plain (`alice`, `bob.smith`). */
const PERSON_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const people = z._default(z.record(z.string(), person), {}).check(
  z.superRefine((map, ctx) => {
    const owner = new Map<string, string>();
    for (const [name, ids] of Object.entries(map)) {
      if (!PERSON_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'expected a lower-case person name such as alice or bob.smith',
        });
      }
      for (const [kind, list] of [
        ['slack', ids.slack],
        ['aws', ids.aws],
      ] as const) {
        list.forEach((id, i) => {
          const first = owner.get(`${kind}:${id}`);
          if (first && first !== name) {
            ctx.addIssue({
              code: 'custom',
              path: [name, kind, i],
              message: `${id} is already ${first}'s; one identity belongs to one person`,
            });
          }
          owner.set(`${kind}:${id}`, name);
        });
      }
    }
  }),
);

export const slackSettingsSchema = z
  .strictObject({
    /** Where approval requests are posted. An id, because chat.update needs one. */
    channel: z
      .string()
      .check(
        z.regex(
          /^[CG][A-Z0-9]{6,}$/,
          'expected a Slack channel id such as C0123456789 (not #name)',
        ),
      ),
    /**
     * Only clicks from this workspace count (Slack Connect channels carry other teams' users).
     * Required: without it a user id from a shared channel's other workspace could pass as ours.
     */
    teamId: z
      .string({ error: 'required: the Slack team id (T…) whose users may decide' })
      .check(z.regex(/^T[A-Z0-9]{6,}$/, 'expected a Slack team id such as T0123ABCD')),
    approverUserIds: z._default(z.array(userId), []),
    approverUserGroup: z.optional(
      z
        .string()
        .check(
          z.regex(
            /^S[A-Z0-9]{6,}$/,
            'expected a Slack user group id such as S0123ABCD (not @handle)',
          ),
        ),
    ),
  })
  .check(
    z.refine((s) => s.approverUserIds.length > 0 || s.approverUserGroup !== undefined, {
      path: ['approverUserIds'],
      message: 'name at least one approver: approverUserIds and/or approverUserGroup',
    }),
  );

export const approvalSettingsSchema = z.strictObject({
  /** Actions that need two different approvers; a deny by anyone authorised is final. */
  twoPersonActions: z._default(z.array(z.enum(ACTION_NAMES)), []),
  /** How long decided approvals and their audit trail are kept after expiry. */
  retentionDays: z._default(z.int().check(z.minimum(1), z.maximum(3650)), 90),
  /** Console host for finding links (`console.amazonaws.cn` in China). */
  consoleDomain: z._default(
    z
      .string()
      .check(z.regex(/^[a-z0-9.-]+$/, 'expected a host name such as console.aws.amazon.com')),
    'console.aws.amazon.com',
  ),
  /** Without it, approvals are decided with `tourniquet approve|deny` only. */
  slack: z.optional(slackSettingsSchema),
  cli: z._default(z.strictObject({ approverArns: z._default(z.array(approverArn), []) }), {
    approverArns: [],
  }),
  /** Who is who across channels, for the two-person rule (see docs/slack.md). */
  people,
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
