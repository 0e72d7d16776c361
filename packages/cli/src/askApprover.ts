import { createInterface } from 'node:readline/promises';
import type { Approver } from '@tourniquet/testkit';

/**
 * Asks on the terminal. Without an interactive terminal (CI, pipes) every request is denied:
 * an approval nobody can see must not default to yes.
 */
export function askApprover(
  input: NodeJS.ReadableStream & { isTTY?: boolean },
  output: NodeJS.WritableStream,
): Approver {
  return async (request) => {
    const at = new Date().toISOString();
    if (!input.isTTY) {
      output.write(
        `approval for ${request.actions.join(', ')} on ${request.incidentKey}: no terminal to ask, denied\n`,
      );
      return { decision: 'denied', by: 'local:no-terminal', at };
    }
    const rl = createInterface({ input, output });
    try {
      const targets = Object.values(request.resolved ?? {}).map(
        (r) => `  ${r.action} → ${r.resolved ?? `nothing (${r.detail})`}\n`,
      );
      const answer = await rl.question(
        `\n${targets.join('')}Approve ${request.actions.join(', ')} for incident ${request.incidentKey}? (expires in ${request.expiresInSeconds}s) [y/N] `,
      );
      const approved = /^y(es)?$/i.test(answer.trim());
      return {
        decision: approved ? 'approved' : 'denied',
        by: `local:${process.env.USER ?? 'terminal'}`,
        at,
      };
    } finally {
      rl.close();
    }
  };
}
