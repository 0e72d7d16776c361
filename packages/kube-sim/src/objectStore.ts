import type { KubeObject } from './kubeObject';
import type { ResourceDefinition } from './resourceDefinitions';

function keyOf(namespace: string | null | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/**
 * The simulator's etcd: one map per resource and one revision counter shared by every write, so
 * resourceVersions grow across kinds as they do on a real cluster. Reads and writes copy, so no
 * caller can change stored state by mutating what it got back.
 */
export class ObjectStore {
  private revision = 1000;
  private readonly buckets = new Map<ResourceDefinition, Map<string, KubeObject>>();

  resourceVersion(): string {
    return String(this.revision);
  }

  private bucket(resource: ResourceDefinition): Map<string, KubeObject> {
    let bucket = this.buckets.get(resource);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(resource, bucket);
    }
    return bucket;
  }

  get(
    resource: ResourceDefinition,
    namespace: string | null,
    name: string,
  ): KubeObject | undefined {
    const found = this.bucket(resource).get(keyOf(namespace, name));
    return found && structuredClone(found);
  }

  /** Objects in key order (namespace, then name), like an etcd range read. */
  list(resource: ResourceDefinition, namespace: string | null): KubeObject[] {
    return [...this.bucket(resource).entries()]
      .filter(([, object]) => namespace === null || object.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, object]) => structuredClone(object));
  }

  /** Stores the object under a new resourceVersion and returns what was stored. */
  write(resource: ResourceDefinition, object: KubeObject): KubeObject {
    this.revision++;
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = this.resourceVersion();
    this.bucket(resource).set(keyOf(stored.metadata.namespace, stored.metadata.name), stored);
    return structuredClone(stored);
  }

  /** Removes the object; what is returned carries the revision of the deletion. */
  remove(
    resource: ResourceDefinition,
    namespace: string | null,
    name: string,
  ): KubeObject | undefined {
    const bucket = this.bucket(resource);
    const key = keyOf(namespace, name);
    const found = bucket.get(key);
    if (!found) return undefined;
    bucket.delete(key);
    this.revision++;
    found.metadata.resourceVersion = this.resourceVersion();
    return found;
  }
}
