import { EventValidationError } from '../errors';
import * as z from '../zod';
import { zodProblems } from '../zodProblems';
import { ACCOUNT_ID, REGION_NAME } from './fieldChecks';
import { timestampValue } from './isoTimestamp';

/** AWS account ids are twelve digits; anything else is a forged or corrupted event. */
export const accountId = z
  .string()
  .check(z.regex(ACCOUNT_ID, 'expected a 12-digit AWS account id'));
export const regionName = z
  .string()
  .check(z.regex(REGION_NAME, 'expected an AWS region such as us-east-1'));
export const nonEmpty = z.string().check(z.minLength(1, 'must not be empty'));

/**
 * AWS timestamps arrive as ISO-8601 strings or as epoch numbers (seconds, sometimes with a
 * fraction, or milliseconds) depending on the producer. Normalised to ISO-8601.
 */
export const timestamp = z.pipe(
  z.union([z.string(), z.number()], { error: 'expected an ISO-8601 string or an epoch number' }),
  z.transform((value: string | number, ctx) => {
    const normal = timestampValue(value);
    if (normal !== null) return normal;
    ctx.issues.push({
      code: 'custom',
      message: `not a timestamp: ${String(value).slice(0, 40)}`,
      input: value,
    });
    return z.NEVER;
  }),
);

/** The EventBridge envelope every AWS service event shares. */
export const envelopeSchema = z.object({
  version: z.optional(z.string()),
  id: nonEmpty,
  'detail-type': nonEmpty,
  source: nonEmpty,
  account: accountId,
  time: timestamp,
  region: regionName,
  resources: z.optional(z.array(z.unknown())),
  detail: z.record(z.string(), z.unknown()),
});
export type Envelope = z.infer<typeof envelopeSchema>;

export function parseOrThrow<S extends z.ZodMiniType>(
  schema: S,
  value: unknown,
  kind: string,
  prefix: string,
): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new EventValidationError(kind, zodProblems(result.error, prefix));
  return result.data;
}

/** `[{key, value}]` tag lists (GuardDuty) to a plain record. */
export function tagRecord(
  tags: ReadonlyArray<{ key?: string | null; value?: string | null }> | null | undefined,
) {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.key) record[tag.key] = tag.value ?? '';
  return record;
}
