import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type IncidentRecord, MemoryIncidentStore } from '@tourniquet/aws';

const FORMAT = 'tourniquet-incidents/1';

/**
 * Where local runs keep incidents: `$TOURNIQUET_INCIDENTS`, else `.tourniquet/incidents.json`
 * under the working directory. `replay` writes it, `incidents` reads it.
 */
export function incidentsFile(cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.TOURNIQUET_INCIDENTS?.trim() || join(cwd, '.tourniquet', 'incidents.json');
}

/**
 * Incidents in one JSON file: the in-memory store (same version checks) written out after every
 * change, atomically (temporary file + rename) so a reader in another process never sees half
 * a file. One writer process at a time; concurrent changes within it are serialised.
 */
export class FileIncidentStore extends MemoryIncidentStore {
  private writing: Promise<void> = Promise.resolve();

  private constructor(readonly path: string) {
    super();
  }

  /** Opens the file (missing: empty). `reset` starts from nothing, as each replay does. */
  static async open(path: string, options: { reset?: boolean } = {}): Promise<FileIncidentStore> {
    const store = new FileIncidentStore(path);
    if (options.reset) {
      await store.persist();
      return store;
    }
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return store;
      throw error;
    }
    const document = JSON.parse(text) as { format?: string; incidents?: IncidentRecord[] };
    if (document.format !== FORMAT) {
      throw new Error(
        `${path} is not a Tourniquet incidents file (format ${document.format ?? 'missing'})`,
      );
    }
    store.restore(document.incidents ?? []);
    return store;
  }

  protected override persist(): Promise<void> {
    const content = `${JSON.stringify({ format: FORMAT, incidents: this.snapshot() }, null, 2)}\n`;
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      const temporary = `${this.path}.${process.pid}.tmp`;
      await writeFile(temporary, content);
      await rename(temporary, this.path);
    });
    return this.writing;
  }
}
