const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Digits of `text` from `start` to `end` as a number, or -1 when one is not a digit. */
function digits(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * The fast path of timestamp normalisation: AWS writes UTC timestamps as
 * `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.sssZ`, which are already what
 * `new Date(text).toISOString()` returns (after adding `.000`). For such a string with every
 * field in range this returns that result without parsing a Date; for anything else (other
 * forms, offsets, a 24:00 hour, 30 February — which Date silently rolls over) it returns null
 * and the caller takes the Date path, so the result is always the one Date gives.
 */
export function canonicalIsoTimestamp(text: string): string | null {
  const length = text.length;
  if (length !== 20 && length !== 24) return null;
  if (
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 || // T
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58 ||
    text.charCodeAt(length - 1) !== 90 // Z
  )
    return null;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  if (year < 0 || month < 1 || month > 12 || day < 1) return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number))) return null;
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  if (length === 20) return `${text.slice(0, 19)}.000Z`;
  if (text.charCodeAt(19) !== 46 || digits(text, 20, 23) < 0) return null; // .sss
  return text;
}

/**
 * An AWS timestamp (an ISO-8601 string, or epoch seconds, fractional or not, or milliseconds)
 * as ISO-8601, or null when it is none. The one definition both the schema's `timestamp` and
 * the normalisers' fast paths use, so the two cannot disagree on a value.
 */
export function timestampValue(value: unknown): string | null {
  if (typeof value === 'string') {
    // Most AWS timestamps are already in normal form: no Date round trip for those.
    const canonical = canonicalIsoTimestamp(value);
    if (canonical !== null) return canonical;
  } else if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  const date =
    typeof value === 'number' ? new Date(value < 1e12 ? value * 1000 : value) : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
