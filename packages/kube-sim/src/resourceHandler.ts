import { consumeDisruption } from './disruptionBudgets';
import {
  AlreadyExistsError,
  BadRequestError,
  type KubeStatus,
  MethodNotAllowedError,
  NotFoundError,
} from './errors';
import { isJsonObject, type KubeObject } from './kubeObject';
import { listObjects, listOf, selectObjects } from './listObjects';
import {
  checkPreconditions,
  isUnchanged,
  prepareCreate,
  prepareUpdate,
  serverTimestamp,
  type UpdateMode,
} from './objectLifecycle';
import type { ObjectStore } from './objectStore';
import { patchObject, patchTypeOf } from './patchObject';
import {
  NAMESPACES,
  RESOURCES,
  type ResourceDefinition,
  SERVICE_ACCOUNTS,
} from './resourceDefinitions';
import type { Route } from './routeRequest';

export type ResourceRoute = Exclude<Route, { type: 'discovery' }>;
type ObjectRoute = Extract<Route, { type: 'object' }>;
type CollectionRoute = Extract<Route, { type: 'collection' }>;

export interface KubeRequest {
  method: string;
  route: ResourceRoute;
  query: URLSearchParams;
  contentType: string;
  /** The parsed JSON body (undefined when empty); throws 400 when it is not JSON. */
  body(): unknown;
}

export interface KubeResponse {
  status: number;
  body: unknown;
}

function ok(body: unknown, status = 200): KubeResponse {
  return { status, body };
}

function successStatus(resource: ResourceDefinition, removed: KubeObject): KubeStatus {
  const { name, uid } = removed.metadata;
  const details = resource.group
    ? { name, group: resource.group, kind: resource.plural, uid: String(uid) }
    : { name, kind: resource.plural, uid: String(uid) };
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  const unknown = values.find((value) => value !== 'All');
  if (unknown !== undefined) throw new BadRequestError(`Invalid dry run value: ${unknown}`);
  return values.length > 0;
}

/**
 * The verbs of the generic REST store (get, list, create, update, patch, delete,
 * deletecollection) plus pods/eviction, over the in-memory object store.
 */
export class ResourceHandler {
  constructor(private readonly store: ObjectStore) {}

  handle(request: KubeRequest): KubeResponse {
    const { route, method } = request;
    if (route.type === 'collection') return this.collection(route, request);
    switch (route.subresource) {
      case 'eviction':
        if (method !== 'POST') throw new MethodNotAllowedError();
        return this.evict(route, request);
      case 'status':
        if (method === 'GET') return ok(this.existing(route));
        if (method === 'PUT') return this.update(route, request.body(), 'status', request);
        if (method === 'PATCH') return this.patch(route, request, 'status');
        throw new MethodNotAllowedError();
      default:
        if (method === 'GET') return ok(this.existing(route));
        if (method === 'PUT') return this.update(route, request.body(), 'object', request);
        if (method === 'PATCH') return this.patch(route, request, 'object');
        if (method === 'DELETE') return this.delete(route, request);
        throw new MethodNotAllowedError();
    }
  }

  private collection(route: CollectionRoute, request: KubeRequest): KubeResponse {
    const { resource, namespace } = route;
    const acrossNamespaces = resource.namespaced && namespace === null;
    if (request.method === 'GET') {
      if (request.query.get('watch') === 'true' || request.query.get('watch') === '1') {
        throw new BadRequestError('the Kubernetes API simulator does not serve watch requests');
      }
      return ok(listObjects(this.store, resource, namespace, request.query));
    }
    if (request.method === 'POST' && !acrossNamespaces) return this.create(route, request);
    if (
      request.method === 'DELETE' &&
      !acrossNamespaces &&
      resource.verbs.includes('deletecollection')
    ) {
      return this.deleteCollection(route, request);
    }
    throw new MethodNotAllowedError();
  }

  private existing(route: ObjectRoute): KubeObject {
    const found = this.store.get(route.resource, route.namespace, route.name);
    if (!found) throw new NotFoundError(route.resource, route.name);
    return found;
  }

  private create(route: CollectionRoute, request: KubeRequest): KubeResponse {
    const { resource, namespace } = route;
    const dryRun = isDryRun(request.query);
    const object = prepareCreate(resource, request.body(), namespace);
    const objectNamespace = object.metadata.namespace ?? null;
    if (objectNamespace !== null && !this.store.get(NAMESPACES, null, objectNamespace)) {
      throw new NotFoundError(NAMESPACES, objectNamespace);
    }
    if (this.store.get(resource, objectNamespace, object.metadata.name)) {
      throw new AlreadyExistsError(resource, object.metadata.name);
    }
    if (dryRun) {
      delete object.metadata.resourceVersion;
      return ok(object, 201);
    }
    const stored = this.store.write(resource, object);
    if (resource === NAMESPACES) this.addDefaultServiceAccount(stored.metadata.name);
    return ok(stored, 201);
  }

  /** The service account controller gives every namespace a `default` service account. */
  addDefaultServiceAccount(namespace: string): void {
    if (this.store.get(SERVICE_ACCOUNTS, namespace, 'default')) return;
    const account = prepareCreate(
      SERVICE_ACCOUNTS,
      { metadata: { name: 'default', namespace } },
      namespace,
    );
    this.store.write(SERVICE_ACCOUNTS, account);
  }

  private update(
    route: ObjectRoute,
    body: unknown,
    mode: UpdateMode,
    request: KubeRequest,
  ): KubeResponse {
    const dryRun = isDryRun(request.query);
    const existing = this.existing(route);
    const updated = prepareUpdate(route.resource, existing, body, mode);
    if (isUnchanged(existing, updated) || dryRun) return ok(updated);
    return ok(this.store.write(route.resource, updated));
  }

  private patch(route: ObjectRoute, request: KubeRequest, mode: UpdateMode): KubeResponse {
    const type = patchTypeOf(request.contentType);
    const body = request.body();
    const existing = this.existing(route);
    return this.update(route, patchObject(existing, body, type), mode, request);
  }

  private delete(route: ObjectRoute, request: KubeRequest): KubeResponse {
    const { resource } = route;
    const dryRun = isDryRun(request.query);
    const existing = this.existing(route);
    checkPreconditions(resource, existing, request.body());
    if (dryRun)
      return ok(resource.deleteReturns === 'object' ? existing : successStatus(resource, existing));
    const removed = this.store.remove(resource, route.namespace, route.name) ?? existing;
    if (resource === NAMESPACES) {
      // No namespace controller runs here, so the contents go at once instead of after Terminating.
      for (const namespaced of RESOURCES.filter((r) => r.namespaced)) {
        for (const object of this.store.list(namespaced, route.name)) {
          this.store.remove(namespaced, route.name, object.metadata.name);
        }
      }
      removed.metadata.deletionTimestamp = serverTimestamp();
      removed.status = { phase: 'Terminating' };
    }
    return ok(resource.deleteReturns === 'object' ? removed : successStatus(resource, removed));
  }

  private deleteCollection(route: CollectionRoute, request: KubeRequest): KubeResponse {
    const { resource, namespace } = route;
    const dryRun = isDryRun(request.query);
    const selected = selectObjects(this.store, resource, namespace, request.query);
    const removed = dryRun
      ? selected
      : selected.map((o) => this.store.remove(resource, namespace, o.metadata.name) ?? o);
    return ok(listOf(resource, removed, this.store.resourceVersion()));
  }

  private evict(route: ObjectRoute, request: KubeRequest): KubeResponse {
    const eviction = request.body();
    if (!isJsonObject(eviction) || (eviction.kind !== undefined && eviction.kind !== 'Eviction')) {
      throw new BadRequestError('the object provided is unrecognized (must be of type Eviction)');
    }
    const metadata = isJsonObject(eviction.metadata) ? eviction.metadata : {};
    if (metadata.name !== route.name) {
      throw new BadRequestError('name in URL does not match name in Eviction object');
    }
    const dryRun = isDryRun(request.query);
    const pod = this.existing(route);
    checkPreconditions(route.resource, pod, eviction.deleteOptions);
    consumeDisruption(this.store, pod, dryRun);
    if (!dryRun) this.store.remove(route.resource, route.namespace, route.name);
    const status: KubeStatus = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      code: 201,
    };
    return ok(status, 201);
  }
}
