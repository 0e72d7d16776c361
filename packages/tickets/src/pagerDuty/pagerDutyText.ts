import { plainText } from '../sanitise/plainText';

/** Events API v2: `payload.summary` is at most 1,024 characters. */
export const PAGERDUTY_SUMMARY_LIMIT = 1024;
/** source, component, group, class: short identifiers shown in the alert list. */
export const PAGERDUTY_FIELD_LIMIT = 255;
/** custom_details text; the whole event must stay under 512 KB. */
export const PAGERDUTY_DETAILS_LIMIT = 64 * 1024;

/**
 * What the PagerDuty sink sends. PagerDuty shows event fields as plain text (the summary also in
 * push notifications, SMS and phone calls), so the work is to keep them single-line where they
 * are single-line, free of control characters and terminal escapes, and inside the API's
 * limits: an over-long summary is refused by the Events API and the page would be lost.
 */
export function pagerDutySummary(text: unknown): string {
  return plainText(text, { newlines: false, limit: PAGERDUTY_SUMMARY_LIMIT });
}

export function pagerDutyField(text: unknown): string {
  return plainText(text, { newlines: false, limit: PAGERDUTY_FIELD_LIMIT });
}

export function pagerDutyDetails(text: unknown, limit = PAGERDUTY_DETAILS_LIMIT): string {
  return plainText(text, { newlines: true, limit });
}
