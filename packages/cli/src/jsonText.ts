/** JSON text that does not parse: where (1-based line and column) and the line it is on. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
    readonly snippet: string,
  ) {
    super(`line ${line}, column ${column}: ${reason}\n${snippet}`);
    this.name = 'JsonSyntaxError';
  }
}

/**
 * JSON.parse, with an error a person can act on: V8 reports an offset only for some mistakes
 * ("Unexpected token '}', … is not valid JSON" has none), so the offset comes from a scan of
 * the text for its first syntax error.
 */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const offset = firstSyntaxError(text);
    const reason = (error as Error).message
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, '');
    const { line, column, snippet } = locate(text, offset < 0 ? text.length : offset);
    throw new JsonSyntaxError(reason, line, column, snippet);
  }
}

const SNIPPET_BEFORE = 60;
const SNIPPET_AFTER = 20;

function locate(text: string, offset: number) {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const column = offset - lineStart + 1;
  const lineEnd = text.indexOf('\n', offset);
  const whole = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd).replace(/\r$/, '');
  // A minified event is one long line: show the stretch around the column.
  const from = Math.max(0, column - 1 - SNIPPET_BEFORE);
  const to = Math.min(whole.length, column - 1 + SNIPPET_AFTER);
  const shown = `${from > 0 ? '…' : ''}${whole.slice(from, to)}${to < whole.length ? '…' : ''}`;
  const caret = column - 1 - from + (from > 0 ? 1 : 0);
  const gutter = `${line} | `;
  const snippet = `  ${gutter}${shown.replace(/\t/g, ' ')}\n  ${' '.repeat(gutter.length - 2)}| ${' '.repeat(caret)}^`;
  return { line, column, snippet };
}

/** Offset of the first character that makes `text` invalid JSON, or -1 when it is valid. */
export function firstSyntaxError(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new ScanStop(i);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const string = () => {
    i++;
    while (i < text.length) {
      const c = text[i] as string;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail();
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          i++;
          fail();
        }
      } else if (c < ' ') {
        fail();
      } else {
        i++;
      }
    }
    fail();
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        space();
        if (text[i] !== '"') fail();
        string();
        space();
        if (text[i] !== ':') fail();
        i++;
        value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '[') {
      i++;
      space();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') {
      string();
      return;
    }
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      return;
    }
    fail();
  };
  try {
    value();
    space();
    if (i < text.length) fail();
    return -1;
  } catch (error) {
    if (error instanceof ScanStop) return Math.min(error.offset, text.length);
    throw error;
  }
}

class ScanStop {
  constructor(readonly offset: number) {}
}
