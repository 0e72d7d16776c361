import { LINK_LIKE } from './sanitise/linkLike';
import { plainText } from './sanitise/plainText';

/**
 * Markdown for the incident report, which is attached to tickets, printed by `tourniquet
 * incidents show` and read in whatever renders Markdown (GitHub-flavoured, usually). Every value
 * from outside goes through `text` (or a table cell, which does the same): it cannot open a
 * link, an image, raw HTML, an autolink, emphasis or a new table cell, and carries no control
 * characters. Markup the report itself means is built with `markup` and kept as is.
 */
export interface Markup {
  readonly markdown: string;
}

/** A field of the report; longer values are cut (the record keeps them whole). */
export const MARKDOWN_FIELD_LIMIT = 2000;

/**
 * Characters CommonMark lets us backslash-escape and that start markup inline: emphasis, code,
 * links and images, HTML and autolinks, entities, strikethrough, table cells, e-mail autolinks.
 */
const SPECIAL = /[\\`*_[\]<>|~&!#@]/g;

export function markup(markdown: string): Markup {
  return { markdown };
}

/** Outside text as literal Markdown inline content (one line). */
export function text(value: unknown, limit = MARKDOWN_FIELD_LIMIT): string {
  return escapeInline(plainText(value, { newlines: false, limit }));
}

/** A code span: shown as typed. Backticks cannot end it early; no line breaks inside. */
export function code(value: unknown, limit = MARKDOWN_FIELD_LIMIT): Markup {
  const literal = plainText(value, { newlines: false, limit }).replace(/`/g, "'");
  // GFM splits table rows on `|` even inside code spans; `\|` is the documented way to keep it.
  return markup(`\`${literal.replace(/\|/g, '\\|')}\``);
}

/** A link to an http(s) URL with literal text; anything else is just the text. */
export function link(label: unknown, url: string | null | undefined): Markup {
  const shown = text(label);
  const href = url ? URL.parse(url) : null;
  if (!href || (href.protocol !== 'https:' && href.protocol !== 'http:')) return markup(shown);
  // Parentheses and the like would end the destination early; percent-encoded they mean the same.
  const destination = href.href.replace(
    /[()<>\s\\|`]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return markup(`[${shown}](${destination})`);
}

/** A Markdown table; every cell is escaped unless the report built it as markup. */
export function table(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<unknown | Markup>>,
): string {
  const line = (cells: ReadonlyArray<unknown>) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => markup('---'))), ...rows.map(line)].join('\n');
}

function cell(value: unknown): string {
  if (isMarkup(value)) return value.markdown;
  if (value === null || value === undefined || value === '') return '—';
  // Line breaks inside a cell would end the row; <br> keeps them visible.
  return plainText(value, { newlines: true, limit: MARKDOWN_FIELD_LIMIT })
    .split('\n')
    .map(escapeInline)
    .join('<br>');
}

function isMarkup(value: unknown): value is Markup {
  return typeof value === 'object' && value !== null && 'markdown' in value;
}

/**
 * One line of outside text as inline Markdown. URL-like runs become code spans: GitHub links
 * bare URLs both while parsing and again afterwards on the parsed text, where a backslash
 * escape no longer shows, but never inside code.
 */
function escapeInline(line: string): string {
  let out = '';
  let at = 0;
  for (const match of line.matchAll(LINK_LIKE)) {
    out += escapeText(line.slice(at, match.index));
    out += code(match[0]).markdown;
    at = match.index + match[0].length;
  }
  out += escapeText(line.slice(at));
  return (
    out
      // At the start of a line these open a list, a heading underline or a numbered list item.
      .replace(/^(\s*)([-+=])/, '$1\\$2')
      .replace(/^(\s*\d+)([.)])/, '$1\\$2')
  );
}

function escapeText(text: string): string {
  return (
    text
      .replace(SPECIAL, '\\$&')
      // What LINK_LIKE leaves (a URL without a scheme name, say) still cannot autolink.
      .replace(/:(?=\/\/)/g, '\\:')
      .replace(/(www)\./gi, '$1\\.')
  );
}
