import { parseArgs } from 'node:util';
import { ACTIONS } from '@tourniquet/actions';
import { z } from 'zod';
import { type CliIo, EXIT, UsageError } from './io';

export const ACTIONS_USAGE = `Usage: tourniquet actions [--json] [NAME]

Lists the response actions with what each does, its parameters, the IAM actions and Kubernetes
RBAC rules it needs, and an example target.
`;

export async function actionsCommand(args: string[], io: CliIo): Promise<number> {
  let values: { json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    io.stdout(ACTIONS_USAGE);
    return EXIT.ok;
  }
  const wanted = positionals[0];
  const entries = Object.values(ACTIONS).filter((a) => !wanted || a.name === wanted);
  if (wanted && entries.length === 0) {
    throw new UsageError(`unknown action '${wanted}'; known: ${Object.keys(ACTIONS).join(', ')}`);
  }
  for (const action of entries) {
    const record = {
      name: action.name,
      description: action.description,
      parameters: z.toJSONSchema(action.params as z.ZodType),
      permissions: action.permissions,
      example: action.example,
    };
    io.stdout(values.json ? `${JSON.stringify(record)}\n` : formatAction(record));
  }
  return EXIT.ok;
}

function formatAction(a: {
  name: string;
  description: string;
  permissions: { iam: readonly string[]; kubernetes: readonly string[] };
  example: unknown;
}): string {
  return [
    a.name,
    `  ${a.description}`,
    `  IAM:        ${a.permissions.iam.join(', ') || '(none)'}`,
    `  Kubernetes: ${a.permissions.kubernetes.join('; ') || '(none)'}`,
    `  example:    ${JSON.stringify(a.example)}`,
    '',
    '',
  ].join('\n');
}
