/**
 * Turning untrusted text (finding titles, pod names, step details — anything an attacker can
 * influence) into Slack text that cannot mention, link or impersonate.
 */

// Control characters, bidi overrides/isolates (display spoofing) and zero-width characters.
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const ELLIPSIS = '…';

/** Removes invisible and direction-changing characters and collapses whitespace to one line. */
export function sanitise(text: string): string {
  return text.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
}

/**
 * Slack's three control characters as entities: `<` and `>` open mentions (`<!channel>`,
 * `<@U…>`, `<!subteam^…>`) and links (`<url|label>`); `&` would let text spell an entity.
 */
function escapeChar(ch: string): string {
  if (ch === '&') return '&amp;';
  if (ch === '<') return '&lt;';
  if (ch === '>') return '&gt;';
  return ch;
}

/** Escaped mrkdwn of at most `max` characters: cut between characters, never inside an entity. */
export function escapeToFit(text: string, max: number): string {
  let out = '';
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i++) {
    const piece = escapeChar(chars[i] as string);
    const rest = i + 1 < chars.length ? ELLIPSIS.length : 0;
    if (out.length + piece.length + rest > max) return `${out}${ELLIPSIS}`;
    out += piece;
  }
  return out;
}

/** Untrusted text for mrkdwn: sanitised, escaped, and cut to `max` characters. */
export function mrkdwnText(text: string, max: number): string {
  return escapeToFit(sanitise(text), max);
}

/**
 * Untrusted value as inline code: no bold/italic/strike, no auto-linked URLs, and a backtick in
 * the value cannot close the span (it becomes ˋ).
 */
export function codeText(text: string, max: number): string {
  return `\`${escapeToFit(sanitise(text).replace(/`/g, 'ˋ'), max - 2)}\``;
}

/**
 * Untrusted text for plain_text objects (headers, button labels). Slack does not format them,
 * but angle brackets still become look-alikes so no client can read a mention or link into them.
 */
export function plainText(text: string, max: number): string {
  const clean = sanitise(text).replace(/</g, '‹').replace(/>/g, '›');
  if (clean.length <= max) return clean;
  let out = '';
  for (const ch of clean) {
    if (out.length + ch.length + ELLIPSIS.length > max) break;
    out += ch;
  }
  return `${out}${ELLIPSIS}`;
}
