import type { DoctorCheck } from './doctorCheck';

/**
 * A table, one row per check (status, scope, check, detail), each warn and fail followed by its
 * fix on the next line, then a tally.
 */
export function formatDoctor(results: readonly DoctorCheck[]): string {
  const header = { status: 'STATUS', scope: 'SCOPE', check: 'CHECK' };
  const width = (key: 'scope' | 'check') =>
    Math.max(header[key].length, ...results.map((r) => r[key].length));
  const [scopeWidth, checkWidth] = [width('scope'), width('check')];
  const row = (status: string, scope: string, check: string, detail: string) =>
    `${status.padEnd(6)}  ${scope.padEnd(scopeWidth)}  ${check.padEnd(checkWidth)}  ${detail}`;
  const lines = [row(header.status, header.scope, header.check, 'DETAIL')];
  for (const r of results) {
    lines.push(row(r.status, r.scope, r.check, r.detail));
    if (r.fix) lines.push(`${' '.repeat(8)}fix: ${r.fix}`);
  }
  lines.push('', tally(results));
  return `${lines.join('\n')}\n`;
}

export function tally(results: readonly DoctorCheck[]): string {
  const count = (status: DoctorCheck['status']) =>
    results.filter((r) => r.status === status).length;
  return `${results.length} checks: ${count('pass')} passed, ${count('warn')} warning(s), ${count('fail')} failed`;
}
