import { createHash } from 'node:crypto';

/**
 * A short id derived from content: the same input always gives the same id, so a retried step
 * recognises what it already recorded or posted. Keys are sorted before hashing.
 */
export function stableId(prefix: string, content: unknown): string {
  const hash = createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 16);
  return `${prefix}-${hash}`;
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
