import { plainText } from '../sanitise/plainText';

/** `short_description` is 160 characters on the incident table. */
export const SERVICENOW_SHORT_LIMIT = 160;
/** Multi-line text and journal fields default to 4,000 characters. */
export const SERVICENOW_TEXT_LIMIT = 4000;

/** `[code]`, `[/code]`, with any case and inner spaces: journal fields render what is between as HTML. */
const CODE_TAG = /\[(\s*\/?\s*code\s*)\]/gi;
/** `@[sys_id:name]`: the activity stream's mention syntax. */
const MENTION = /@\[/g;

/**
 * What the ServiceNow sink writes into a field. Journal fields (work notes, comments) render
 * whatever sits between `[code]` and `[/code]` as HTML, so an attacker's `[code]<img src=x
 * onerror=…>[/code]` in a pod name or finding title would run in every analyst's browser. The
 * tags lose their square brackets (`(code)`), angle brackets become look-alike quotation marks
 * (‹ ›: readable, never a tag, whatever a notification template or portal does with the field)
 * and the mention syntax is broken so a ticket cannot notify people. Control characters are
 * stripped and the length bounded.
 */
export function serviceNowText(
  value: unknown,
  options: { newlines: boolean; limit: number } = {
    newlines: true,
    limit: SERVICENOW_TEXT_LIMIT,
  },
): string {
  const text = plainText(value, { newlines: options.newlines, limit: Number.MAX_SAFE_INTEGER })
    .replace(CODE_TAG, '($1)')
    .replace(/</g, '‹')
    .replace(/>/g, '›')
    .replace(MENTION, '@(');
  return plainText(text, options);
}

export function serviceNowShortText(value: unknown): string {
  return serviceNowText(value, { newlines: false, limit: SERVICENOW_SHORT_LIMIT });
}
