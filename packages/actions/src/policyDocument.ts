/** IAM returns policy documents URL-encoded (RFC 3986) from Get* calls; the SDK does not decode. */
export function decodePolicyDocument(document: string | undefined): PolicyDocument | null {
  if (!document) return null;
  const text = document.trimStart().startsWith('{') ? document : decodeURIComponent(document);
  return JSON.parse(text) as PolicyDocument;
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

/**
 * Whether two statements mean the same, whatever order IAM returns keys in and whether a single
 * value comes back as a string or a one-element array.
 */
export function sameStatement(a: PolicyStatement, b: PolicyStatement): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    return value.length === 1 ? canonical(value[0]) : `[${value.map(canonical).sort().join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
