import {
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from 'yaml';
import { PolicyError, type PolicyProblem } from '../errors';
import { type Policy, parsePolicy } from './policyFile';

/** Aliases expanded per document: enough for shared step lists, far too few for an alias bomb. */
const MAX_ALIAS_COUNT = 50;

export interface ParsedPolicyYaml {
  policy: Policy;
  /** `line:column` (1-based) of a path in the file, or of its nearest ancestor present there. */
  locate: (path: ReadonlyArray<string | number>) => { line: number; column: number } | null;
}

/**
 * Parses and validates a policy file's text. Every problem (YAML syntax, duplicate keys, the
 * format's rules) becomes a PolicyError whose problems carry `line` and `column`.
 */
export function parsePolicyYaml(text: string, file: string | null = null): ParsedPolicyYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    throw new PolicyError(
      doc.errors.map((e) => ({
        path: [],
        message: e.message.split('\n')[0] ?? e.code,
        ...at(e.pos[0]),
      })),
      file,
    );
  }
  let document: unknown;
  try {
    document = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new PolicyError([{ path: [], message: (error as Error).message, ...at(0) }], file);
  }
  const locate = (path: ReadonlyArray<string | number>) => {
    const offset = offsetOf(doc.contents, path);
    return offset === null ? null : at(offset);
  };
  return { policy: parsePolicy(document, file, locate), locate };
}

/** Where the deepest existing node on `path` starts: a map entry at its key, a list item at itself. */
function offsetOf(root: unknown, path: ReadonlyArray<string | number>): number | null {
  let node: unknown = root;
  let offset = isNode(node) ? (node.range?.[0] ?? null) : null;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (!isNode(item)) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
}

export type { PolicyProblem };
