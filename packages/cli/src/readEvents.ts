import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { EventInput } from '@tourniquet/testkit';
import { JsonSyntaxError, parseJsonText } from './jsonText';

/** One event read from disk, or the reason the file (or array element) could not be read. */
export type { EventInput };

/** What `-` names: standard input, read whole. */
export const STDIN_SOURCE = 'stdin';

/**
 * Expands arguments into event inputs. A file holds one EventBridge event object or a JSON array
 * of them; a directory contributes every `*.json` file below it, in name order; `-` is standard
 * input (read once, through `readStdin`).
 */
export async function readEventInputs(
  paths: readonly string[],
  cwd: string,
  readStdin?: () => Promise<string>,
): Promise<EventInput[]> {
  const inputs: EventInput[] = [];
  let stdinRead = false;
  for (const path of paths) {
    if (path === '-') {
      if (stdinRead || !readStdin) {
        inputs.push({
          source: STDIN_SOURCE,
          error: stdinRead ? 'standard input named twice' : 'standard input is not available',
        });
        continue;
      }
      stdinRead = true;
      inputs.push(...parseEventText(await readStdin(), STDIN_SOURCE));
      continue;
    }
    const absolute = resolve(cwd, path);
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(absolute);
    } catch {
      inputs.push({ source: path, error: 'no such file or directory' });
      continue;
    }
    const files = info.isDirectory()
      ? (await listJsonFiles(absolute)).map((f) => relative(cwd, f) || f)
      : [path];
    for (const file of files) inputs.push(...(await readEventFile(file, cwd)));
  }
  return inputs;
}

async function listJsonFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listJsonFiles(path)));
    else if (entry.isFile() && entry.name.endsWith('.json')) files.push(path);
  }
  return files;
}

export async function readEventFile(file: string, cwd: string): Promise<EventInput[]> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    return [
      { source: file, error: `cannot read: ${(error as NodeJS.ErrnoException).code ?? error}` },
    ];
  }
  return parseEventText(text, file);
}

/** One event object or a JSON array of them; a syntax error names its line and column. */
export function parseEventText(text: string, source: string): EventInput[] {
  let parsed: unknown;
  try {
    parsed = parseJsonText(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return [
      {
        source,
        error: `not JSON (line ${error.line}, column ${error.column}): ${error.reason}\n${error.snippet}`,
      },
    ];
  }
  if (!Array.isArray(parsed)) return [{ source, event: parsed }];
  if (parsed.length === 0) return [{ source, error: 'empty JSON array: no events' }];
  return parsed.map((event, index) => ({ source: `${source}[${index}]`, event }));
}
