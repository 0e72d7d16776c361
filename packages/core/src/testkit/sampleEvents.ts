import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig, type TourniquetConfig } from '../index';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const EVENTS_DIR = join(REPO_ROOT, 'events');

/** Parsed copy of a sample event, e.g. `loadEvent('guardduty/runtime-reverse-shell-payments.json')`. */
export function loadEvent(path: string): Record<string, any> {
  return JSON.parse(readFileSync(join(EVENTS_DIR, path), 'utf8'));
}

/** Every sample event file under events/, relative to it. */
export function allEventFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.json')) files.push(relative(EVENTS_DIR, path));
    }
  };
  walk(EVENTS_DIR);
  return files.sort();
}

export interface CatalogueRow {
  file: string;
  exercises: string;
  playbook: string;
  routedBy: string[];
}

/** The table in events/README.md: file → what it exercises → expected playbook → rules. */
export function eventCatalogue(): CatalogueRow[] {
  const text = readFileSync(join(EVENTS_DIR, 'README.md'), 'utf8');
  const rows: CatalogueRow[] = [];
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 6 || !cells[1]?.startsWith('`')) continue;
    const unquote = (c: string) => c.replace(/`/g, '').trim();
    rows.push({
      file: unquote(cells[1] ?? ''),
      exercises: cells[2] ?? '',
      playbook: unquote(cells[3] ?? ''),
      routedBy: unquote(cells[4] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s && s !== 'none'),
    });
  }
  return rows;
}

/** Deletes a dotted path from a clone of `event` (negative cases built from real samples). */
export function without(event: Record<string, any>, path: string): Record<string, any> {
  const copy = structuredClone(event);
  const keys = path.split('.');
  const last = keys.pop() as string;
  let node: any = copy;
  for (const key of keys) node = node[key];
  delete node[last];
  return copy;
}

/** Sets a dotted path on a clone of `event`. */
export function withValue(
  event: Record<string, any>,
  path: string,
  value: unknown,
): Record<string, any> {
  const copy = structuredClone(event);
  const keys = path.split('.');
  const last = keys.pop() as string;
  let node: any = copy;
  for (const key of keys) node = node[key];
  node[last] = value;
  return copy;
}

/** The sample configuration (`tourniquet.config.json`), parsed as the CLI parses it. */
export function sampleConfig(): TourniquetConfig {
  return parseConfig(JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')));
}
