import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from '@tourniquet/core';
import { type ApprovalSettings, approvalSettingsFromConfig } from '@tourniquet/slack';
import { DEFAULT_CONFIG_FILE } from '../loadConfig';

/**
 * The `approvals` section of the configuration file, looked up like every command's config:
 * `--config FILE`, else `$TOURNIQUET_CONFIG`, else `./tourniquet.config.json`, else defaults.
 */
export async function loadApprovalSettings(
  explicit: string | undefined,
  cwd: string,
): Promise<ApprovalSettings> {
  const chosen = explicit ?? (process.env.TOURNIQUET_CONFIG?.trim() || undefined);
  const file = chosen ?? (existsSync(join(cwd, DEFAULT_CONFIG_FILE)) ? DEFAULT_CONFIG_FILE : null);
  if (!file) return approvalSettingsFromConfig({});
  let document: unknown;
  try {
    document = JSON.parse(await readFile(resolve(cwd, file), 'utf8'));
  } catch (error) {
    throw new ConfigError([
      { path: '', message: `cannot read ${file}: ${(error as Error).message}` },
    ]);
  }
  try {
    return approvalSettingsFromConfig(document);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(
      error.problems.map((p) => ({ ...p, message: `${p.message} (in ${file})` })),
    );
  }
}
