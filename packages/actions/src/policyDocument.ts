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
