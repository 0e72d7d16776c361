import type { PlanRecord } from './planEvent';

/** Readable multi-line summary of one planned event. */
export function formatPlan(record: PlanRecord): string {
  const f = record.finding;
  const lines = [
    `${record.file}`,
    `  finding   ${f.origin} ${f.type} (${f.severity})`,
    `  incident  ${record.incidentKey}`,
    `  playbook  ${record.playbook ?? 'none'}: ${record.reason}`,
  ];
  const width = Math.max(0, ...record.steps.map((s) => s.action.length));
  record.steps.forEach((step, i) => {
    const flags = [
      step.approval === 'required' ? 'needs approval' : '',
      step.dryRun ? 'dry-run' : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(
      `    ${i + 1}. ${step.action.padEnd(width)}  ${step.target}${flags ? `  [${flags}]` : ''}`,
    );
  });
  for (const s of record.skipped) lines.push(`    - skip ${s.action}: ${s.reason}`);
  return `${lines.join('\n')}\n`;
}

/** One closing line: how many events went to which playbook, and how many were rejected. */
export function formatTally(records: readonly PlanRecord[], rejected: number): string {
  const counts = new Map<string, number>();
  for (const r of records)
    counts.set(r.playbook ?? 'none', (counts.get(r.playbook ?? 'none') ?? 0) + 1);
  const parts = [...counts.entries()].map(([name, n]) => `${n} ${name}`);
  const total = records.length + rejected;
  return `${total} event${total === 1 ? '' : 's'}: ${parts.join(', ') || 'none planned'}${rejected ? `; ${rejected} rejected` : ''}\n`;
}
