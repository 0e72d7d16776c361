/**
 * The X-Ray trace header Lambda hands each invocation (`_X_AMZN_TRACE_ID`):
 * `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`, possibly with
 * more fields (`Lineage=…`). Root is the trace, Parent the function's segment that Lambda
 * records, Sampled whether this invocation is traced at all.
 */
export interface TraceHeader {
  root: string;
  parent: string;
  sampled: boolean;
}

const ROOT = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SEGMENT_ID = /^[0-9a-f]{16}$/;

/** The header's fields, or null when it is missing or lacks a valid Root and Parent. */
export function parseTraceHeader(header: string | undefined | null): TraceHeader | null {
  if (!header) return null;
  const fields = new Map<string, string>();
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const root = fields.get('Root');
  const parent = fields.get('Parent');
  if (!root || !ROOT.test(root) || !parent || !SEGMENT_ID.test(parent)) return null;
  return { root, parent, sampled: fields.get('Sampled') === '1' };
}

/**
 * Where the X-Ray daemon listens for segments: `AWS_XRAY_DAEMON_ADDRESS` is `host:port`, or
 * `tcp:host:port udp:host:port` (segments go to the UDP one). Null when unset or unreadable.
 */
export function parseDaemonAddress(
  value: string | undefined,
): { host: string; port: number } | null {
  if (!value?.trim()) return null;
  const parts = value.trim().split(/\s+/);
  const udp =
    parts.find((p) => p.startsWith('udp:'))?.slice(4) ??
    (parts.length === 1 ? parts[0] : undefined);
  const m = udp ? /^(.+):(\d{1,5})$/.exec(udp) : null;
  if (!m) return null;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { host: m[1] as string, port } : null;
}
