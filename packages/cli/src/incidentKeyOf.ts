import type { IncidentStore } from '@tourniquet/aws';

/** The key of an incident named by key or by its tq- id; null when no incident has that id. */
export async function incidentKeyOf(store: IncidentStore, name: string): Promise<string | null> {
  if (!name.startsWith('tq-')) return name;
  return (await store.list()).find((h) => h.id === name)?.key ?? null;
}
