import { z } from 'zod';
import { scenarioSchema } from './scenario';

/** Where the shipped JSON Schema lives, relative to the repository root. */
export const SCENARIO_SCHEMA_FILE = 'packages/testkit/scenarios/scenario.schema.json';

/**
 * The scenario format as JSON Schema (draft 2020-12), generated from the zod schema the loader
 * validates with, so an editor's completion and the loader never disagree. Keys with defaults
 * are optional (the input side of the schema); strict objects forbid other keys, as the loader does.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' });
  return {
    $schema: generated.$schema,
    $id: 'https://tourniquet.dev/schemas/scenario.schema.json',
    title: 'Tourniquet scenario',
    description:
      'The AWS accounts, EKS clusters, nodes, pods and roles `tourniquet replay` seeds into moto and the Kubernetes simulator (docs/scenarios.md).',
    ...Object.fromEntries(Object.entries(generated).filter(([k]) => k !== '$schema')),
  };
}

/** The schema file's text, as written (two-space JSON and a final newline, as Biome formats it). */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
