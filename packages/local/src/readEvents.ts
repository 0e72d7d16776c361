import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';

/** One event read from disk, or the reason the file (or array element) could not be read. */
export type EventInput = { source: string; event: unknown } | { source: string; error: string };

/**
 * Expands arguments into event inputs. A file holds one EventBridge event object or a JSON array
 * of them; a directory contributes every `*.json` file below it, in name order.
 */
export async function readEventInputs(
  paths: readonly string[],
  cwd: string,
): Promise<EventInput[]> {
  const inputs: EventInput[] = [];
  for (const path of paths) {
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
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return [{ source: file, error: `not JSON: ${(error as Error).message}` }];
  }
  if (!Array.isArray(parsed)) return [{ source: file, event: parsed }];
  if (parsed.length === 0) return [{ source: file, error: 'empty JSON array: no events' }];
  return parsed.map((event, index) => ({ source: `${file}[${index}]`, event }));
}
