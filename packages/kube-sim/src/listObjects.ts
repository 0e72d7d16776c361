import { BadRequestError } from './errors';
import { matchesFields, parseFieldSelector } from './fieldSelector';
import type { KubeObject } from './kubeObject';
import { matchesLabels, parseLabelSelector } from './labelSelector';
import type { ObjectStore } from './objectStore';
import { apiVersionOf, type ResourceDefinition } from './resourceDefinitions';

export interface KubeList {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

/** The objects a list (or deletecollection) selects with `labelSelector` and `fieldSelector`. */
export function selectObjects(
  store: ObjectStore,
  resource: ResourceDefinition,
  namespace: string | null,
  query: URLSearchParams,
): KubeObject[] {
  const labels = parseLabelSelector(query.get('labelSelector'));
  const fields = parseFieldSelector(query.get('fieldSelector'), resource);
  return store
    .list(resource, namespace)
    .filter(
      (object) =>
        matchesLabels(labels, object.metadata.labels as Record<string, unknown> | undefined) &&
        matchesFields(fields, object, resource),
    );
}

function pageStart(token: string | null): number {
  if (!token) return 0;
  try {
    const start = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')).start;
    if (Number.isInteger(start) && start >= 0) return start;
  } catch {}
  throw new BadRequestError('continue key is not valid: incorrect encoded start resourceVersion');
}

/** Built-in list items carry no kind/apiVersion on the wire; custom resource items do. */
export function listOf(
  resource: ResourceDefinition,
  items: KubeObject[],
  resourceVersion: string,
): KubeList {
  const wireItems = resource.custom
    ? items
    : items.map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest as KubeObject);
  return {
    kind: `${resource.kind}List`,
    apiVersion: apiVersionOf(resource),
    metadata: { resourceVersion },
    items: wireItems,
  };
}

/** GET on a collection: selectors, then `limit`/`continue` paging over a stable order. */
export function listObjects(
  store: ObjectStore,
  resource: ResourceDefinition,
  namespace: string | null,
  query: URLSearchParams,
): KubeList {
  const selected = selectObjects(store, resource, namespace, query);
  const start = pageStart(query.get('continue'));
  const limit = Number(query.get('limit') ?? 0);
  const list = listOf(resource, selected.slice(start), store.resourceVersion());
  if (Number.isInteger(limit) && limit > 0 && selected.length - start > limit) {
    list.items = list.items.slice(0, limit);
    list.metadata.continue = Buffer.from(JSON.stringify({ start: start + limit })).toString(
      'base64url',
    );
    list.metadata.remainingItemCount = selected.length - start - limit;
  }
  return list;
}
