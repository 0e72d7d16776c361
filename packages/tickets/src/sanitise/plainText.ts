/**
 * Text that came from outside (pod names, finding titles, error messages, a sink's own answer)
 * as plain text any ticket system can store: no terminal escape sequences, no control
 * characters, no bidirectional overrides (they make a ticket read differently from what it
 * says), bounded in length. Each sink's own module neutralises its markup on top of this.
 */
export interface PlainTextOptions {
  /** Keep line breaks and tabs (fields that show several lines); otherwise they become spaces. */
  newlines: boolean;
  /** Most characters (UTF-16 code units, as the APIs count them) the result may have. */
  limit: number;
}

/** ESC-introduced sequences: CSI (`ESC [ … final`), OSC (`ESC ] … BEL|ST`), and two-byte ones. */
const ESCAPE_SEQUENCES =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly what is removed
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: C0 and C1 controls, minus \t and \n
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** Bidirectional embeddings, overrides, isolates and marks ("Trojan Source"). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAKS = /\r\n|[\r\u2028\u2029\u0085]/g;

export const TRUNCATION_MARK = '… [truncated]';

export function plainText(value: unknown, options: PlainTextOptions): string {
  let text = value === null || value === undefined ? '' : String(value);
  text = text
    .replace(LINE_BREAKS, '\n')
    .replace(ESCAPE_SEQUENCES, '')
    .replace(CONTROLS, '')
    .replace(BIDI, '');
  if (!options.newlines) text = text.replace(/[\n\t]+/g, ' ');
  return truncate(text, options.limit);
}

/** At most `limit` code units, never splitting a surrogate pair, marked when cut. */
export function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  if (limit <= TRUNCATION_MARK.length) return cut(text, limit);
  return `${cut(text, limit - TRUNCATION_MARK.length)}${TRUNCATION_MARK}`;
}

function cut(text: string, length: number): string {
  const last = text.charCodeAt(length - 1);
  // A high surrogate at the end would be half a character.
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? length - 1 : length);
}
