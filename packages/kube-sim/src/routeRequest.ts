import { PathNotFoundError } from './errors';
import { findResource, type ResourceDefinition } from './resourceDefinitions';

export type Subresource = 'status' | 'eviction';

/** What a request path names, after the API prefix and group/version are taken off. */
export type Route =
  | { type: 'discovery'; path: string }
  | {
      type: 'collection';
      resource: ResourceDefinition;
      /** null for cluster-scoped resources and for all-namespaces lists of namespaced ones. */
      namespace: string | null;
    }
  | {
      type: 'object';
      resource: ResourceDefinition;
      namespace: string | null;
      name: string;
      subresource: Subresource | null;
    };

function subresourceOf(
  resource: ResourceDefinition,
  segment: string | undefined,
): Subresource | null {
  if (segment === undefined) return null;
  const found = resource.subresources.find((s) => s === segment);
  if (!found) throw new PathNotFoundError();
  return found;
}

function resourceRoute(group: string, version: string, rest: string[]): Route {
  const [first, second, third, fourth, fifth, ...extra] = rest;
  if (first === undefined) throw new PathNotFoundError();
  // /namespaces/{ns}/{plural}... is namespaced unless {plural} is a subresource of the namespace.
  const nested = first === 'namespaces' && second !== undefined && third !== undefined;
  const namespacedResource = nested ? findResource(group, version, third) : undefined;
  if (nested && namespacedResource?.namespaced) {
    if (extra.length > 0) throw new PathNotFoundError();
    if (fourth === undefined)
      return { type: 'collection', resource: namespacedResource, namespace: second };
    return {
      type: 'object',
      resource: namespacedResource,
      namespace: second,
      name: fourth,
      subresource: subresourceOf(namespacedResource, fifth),
    };
  }
  const resource = findResource(group, version, first);
  if (!resource || fourth !== undefined) throw new PathNotFoundError();
  if (second === undefined) return { type: 'collection', resource, namespace: null };
  // A namespaced resource is only listed across namespaces, never addressed by name there.
  if (resource.namespaced) throw new PathNotFoundError();
  return {
    type: 'object',
    resource,
    namespace: null,
    name: second,
    subresource: subresourceOf(resource, third),
  };
}

/** Maps a URL path onto the routes the real API server serves for the simulated resources. */
export function routeRequest(pathname: string): Route {
  const trimmed = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  let segments: string[];
  try {
    segments = trimmed.split('/').slice(1).map(decodeURIComponent);
  } catch {
    throw new PathNotFoundError();
  }
  const [root, a, b, ...rest] = segments;
  if (trimmed === '/version' || trimmed === '/api' || trimmed === '/apis') {
    return { type: 'discovery', path: trimmed };
  }
  if (root === 'api' && a === 'v1') {
    if (b === undefined) return { type: 'discovery', path: trimmed };
    return resourceRoute('', 'v1', [b, ...rest]);
  }
  if (root === 'apis' && a !== undefined) {
    if (b === undefined || rest.length === 0) return { type: 'discovery', path: trimmed };
    return resourceRoute(a, b, rest);
  }
  throw new PathNotFoundError();
}
