/**
 * The field checks of the event schemas (common.ts and the normalisers' detail schemas) as plain
 * predicates, for the fast paths that validate a well-formed event without the generic schema
 * walk. Each accepts exactly what its schema counterpart accepts; the patterns are shared, so the
 * two cannot drift apart.
 */

export const ACCOUNT_ID = /^\d{12}$/;
export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
export const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/** `z.object()`'s input: any object but an array. */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `.nullish()` around `z.object()`. */
export const isObjectOrNullish = (value: unknown): value is Record<string, unknown> | null =>
  value == null || isObject(value);

/** `nonEmpty`. */
export const isNonEmptyString = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0;

/** `z.string().nullish()`. */
export const isStringOrNullish = (value: unknown): value is string | null | undefined =>
  value == null || typeof value === 'string';

/** `z.boolean().nullish()`. */
export const isBooleanOrNullish = (value: unknown): value is boolean | null | undefined =>
  value == null || typeof value === 'boolean';

/** `accountId`. */
export const isAccountId = (value: unknown): value is string =>
  typeof value === 'string' && ACCOUNT_ID.test(value);

/** `regionName`. */
export const isRegionName = (value: unknown): value is string =>
  typeof value === 'string' && REGION_NAME.test(value);

/** `z.array(item).nullish()` whose every element passes `item`. */
export function isArrayOrNullishOf(value: unknown, item: (element: unknown) => boolean): boolean {
  if (value == null) return true;
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (!item(value[i])) return false;
  return true;
}
