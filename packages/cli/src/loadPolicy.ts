import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  DEFAULT_POLICY,
  type ParsedPolicyYaml,
  type Policy,
  PolicyError,
  parsePolicyYaml,
} from '@tourniquet/core';

export interface LoadedPolicy extends ParsedPolicyYaml {
  /** The file as named on the command line; null for the built-in policy. */
  file: string | null;
}

/** Reads and validates a policy file; a file that cannot be read is a PolicyError too. */
export async function readPolicyFile(file: string, cwd: string): Promise<LoadedPolicy> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new PolicyError(
      [{ path: [], message: `cannot read it: ${(error as NodeJS.ErrnoException).code ?? error}` }],
      file,
    );
  }
  return { ...parsePolicyYaml(text, file), file };
}

/** `--policy FILE`, else the built-in policy (packages/core/policy/default.yaml). */
export async function loadPolicy(explicit: string | undefined, cwd: string): Promise<Policy> {
  return explicit ? (await readPolicyFile(explicit, cwd)).policy : DEFAULT_POLICY;
}
