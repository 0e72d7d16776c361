import type { ReplayRecord } from '@tourniquet/testkit';

/** Timeline and final state of one replayed event, for people. */
export function formatReplay(r: ReplayRecord): string {
  const head = `${r.file}\n  ${r.playbook ?? 'no playbook'} → ${r.status} in ${r.durationMs} ms${r.containmentMs !== null ? ` (contained after ${r.containmentMs} ms)` : ''}`;
  const lines = [head, `  ${r.joined ? `joined running execution ${r.joined}` : r.reason}`];
  const width = Math.max(0, ...r.actions.map((a) => a.action.length));
  for (const a of r.actions) {
    const ms = a.durationMs === null ? '' : `${a.durationMs} ms`;
    lines.push(
      `    ${a.action.padEnd(width)}  ${a.status.padEnd(8)} ${ms.padStart(7)}  ${a.detail}`,
    );
  }
  const s = r.state;
  if (s) {
    const facts: string[] = [];
    if (s.pod) {
      facts.push(
        !s.pod.exists
          ? `pod ${s.pod.namespace}/${s.pod.name} not found`
          : s.pod.isolated
            ? `pod ${s.pod.namespace}/${s.pod.name} isolated (${s.pod.mechanisms.join(' + ')})`
            : `pod ${s.pod.namespace}/${s.pod.name} NOT isolated`,
      );
    }
    if (s.node)
      facts.push(`node ${s.node.name} ${s.node.schedulable ? 'schedulable' : 'cordoned'}`);
    if (s.role)
      facts.push(
        `role ${s.role.name} ${s.role.revocationPolicy ? 'sessions revoked' : 'not revoked'}`,
      );
    facts.push(s.ticket ? `ticket ${s.ticket}` : 'no ticket');
    lines.push(`  state: ${facts.join('; ')}`);
  }
  return `${lines.join('\n')}\n\n`;
}
