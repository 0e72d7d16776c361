import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, DEFAULT_CONFIG, parseConfig, type TourniquetConfig } from '@tourniquet/core';
import { approvalSettingsFromConfig } from '@tourniquet/slack';
import { parseTicketSettings, TicketSettingsError, withStageSecrets } from '@tourniquet/tickets';

export const DEFAULT_CONFIG_FILE = 'tourniquet.config.json';

export interface LoadedConfig {
  config: TourniquetConfig;
  /** File the config came from; null for the built-in defaults. */
  file: string | null;
}

/**
 * `--config FILE`, else `$TOURNIQUET_CONFIG`, else `./tourniquet.config.json` when present, else
 * the built-in defaults. Errors name the file and the offending key.
 */
export async function loadConfig(explicit: string | undefined, cwd: string): Promise<LoadedConfig> {
  const chosen = explicit ?? process.env.TOURNIQUET_CONFIG?.trim() ?? undefined;
  const file = chosen || (existsSync(join(cwd, DEFAULT_CONFIG_FILE)) ? DEFAULT_CONFIG_FILE : null);
  if (!file) return { config: DEFAULT_CONFIG, file: null };
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new ConfigError([
      {
        path: '',
        message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      },
    ]);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([
      { path: '', message: `${file} is not JSON: ${(error as Error).message}` },
    ]);
  }
  try {
    const config = parseConfig(document);
    // The sections other packages own are checked here too, so a mistake in them is reported
    // on the first local run rather than at deploy time.
    approvalSettingsFromConfig(document);
    const tickets = (document as { tickets?: unknown } | null)?.tickets;
    if (tickets !== undefined) {
      try {
        // As deployed: a sink without credentialsSecret uses the stage's secret for its type.
        parseTicketSettings(withStageSecrets(tickets, (type) => `tourniquet/<stage>/${type}`));
      } catch (error) {
        if (!(error instanceof TicketSettingsError)) throw error;
        throw new ConfigError([{ path: 'tickets', message: error.message }]);
      }
    }
    return { config, file };
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new ConfigError(
        error.problems.map((p) => ({ path: p.path, message: `${p.message} (in ${file})` })),
      );
    }
    throw error;
  }
}
