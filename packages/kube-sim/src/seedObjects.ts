import { KubeApiError, KubeSeedError } from './errors';
import type { KubeObject } from './kubeObject';
import { prepareCreate } from './objectLifecycle';
import type { ObjectStore } from './objectStore';
import { apiVersionOf, findResourceByKind, NAMESPACES, RESOURCES } from './resourceDefinitions';
import type { ResourceHandler } from './resourceHandler';

/** The namespaces every cluster starts with. */
export const BUILT_IN_NAMESPACES = [
  'default',
  'kube-node-lease',
  'kube-public',
  'kube-system',
] as const;

const SERVED = RESOURCES.map((r) => `${apiVersionOf(r)} ${r.kind}`).join(', ');

function describe(object: KubeObject): string {
  const { namespace, name } = object.metadata ?? {};
  return `${object.apiVersion} ${object.kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

/**
 * Loads manifests as if they had been created long ago: server metadata filled, given uids,
 * timestamps and pod status kept, the namespaces they use (and each one's `default` service
 * account) created implicitly.
 */
export function seedObjects(
  store: ObjectStore,
  handler: ResourceHandler,
  manifests: readonly KubeObject[],
): void {
  // A JSON round trip gives seeds exactly the shape they would have had on the wire.
  const objects: KubeObject[] = JSON.parse(JSON.stringify(manifests));
  const resources = objects.map((object) => {
    const resource = findResourceByKind(object.apiVersion, object.kind);
    if (!resource)
      throw new KubeSeedError(`cannot seed ${describe(object)}: the simulator serves ${SERVED}`);
    return resource;
  });
  const explicitNamespaces = objects
    .filter((o) => o.kind === 'Namespace')
    .map((o) => o.metadata.name);
  const implicitNamespaces = new Set<string>(BUILT_IN_NAMESPACES);
  objects.forEach((object, index) => {
    if (resources[index]?.namespaced)
      implicitNamespaces.add(object.metadata.namespace || 'default');
  });
  for (const name of explicitNamespaces) implicitNamespaces.delete(name);
  const namespaceObjects = [...implicitNamespaces].map(
    (name): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
  );
  const ordered = [
    ...objects.filter((o) => o.kind === 'Namespace'),
    ...namespaceObjects,
    ...objects.filter((o) => o.kind !== 'Namespace'),
  ];
  for (const object of ordered) {
    const resource = findResourceByKind(object.apiVersion, object.kind) ?? NAMESPACES;
    let prepared: KubeObject;
    try {
      prepared = prepareCreate(resource, object, null, { seed: true });
    } catch (error) {
      const reason = error instanceof KubeApiError ? error.message : String(error);
      throw new KubeSeedError(`cannot seed ${describe(object)}: ${reason}`, { cause: error });
    }
    if (store.get(resource, prepared.metadata.namespace ?? null, prepared.metadata.name)) {
      throw new KubeSeedError(`cannot seed ${describe(object)}: it is listed twice`);
    }
    store.write(resource, prepared);
  }
  for (const namespace of store.list(NAMESPACES, null)) {
    handler.addDefaultServiceAccount(namespace.metadata.name);
  }
}
