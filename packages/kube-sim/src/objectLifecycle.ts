import { randomInt, randomUUID } from 'node:crypto';
import { applyDefaults } from './defaulting';
import {
  BadRequestError,
  ConflictError,
  InvalidError,
  STALE_OBJECT,
  type StatusCause,
} from './errors';
import { isJsonObject, type JsonObject, type KubeObject, stableStringify } from './kubeObject';
import { objectProblems } from './objectValidation';
import { podUpdateProblems } from './podUpdateRules';
import { apiVersionOf, type ResourceDefinition } from './resourceDefinitions';

/** Metadata the server owns: copied from the stored object on every update. */
const SYSTEM_METADATA = ['uid', 'creationTimestamp', 'generation', 'deletionTimestamp'] as const;
const STRING_METADATA = ['name', 'generateName', 'namespace', 'uid', 'resourceVersion'] as const;
const INITIAL_STATUS: Readonly<Record<string, JsonObject>> = {
  Pod: { phase: 'Pending' },
  PodDisruptionBudget: {
    disruptionsAllowed: 0,
    currentHealthy: 0,
    desiredHealthy: 0,
    expectedPods: 0,
  },
};
const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `2024-05-01T10:00:00Z`: the server's timestamps have second precision. */
export function serverTimestamp(now = new Date()): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Checks the envelope (kind, apiVersion, metadata types) and fills kind/apiVersion from the URL. */
export function typedBody(resource: ResourceDefinition, body: unknown): KubeObject {
  const apiVersion = apiVersionOf(resource);
  if (!isJsonObject(body)) {
    throw new BadRequestError(
      `the object provided is unrecognized (must be of type ${resource.kind})`,
    );
  }
  if (
    (body.kind !== undefined && body.kind !== resource.kind) ||
    (body.apiVersion !== undefined && body.apiVersion !== apiVersion)
  ) {
    throw new BadRequestError(
      `the object provided is unrecognized (must be of type ${resource.kind}, got ${String(body.apiVersion)} ${String(body.kind)})`,
    );
  }
  const metadata = body.metadata ?? {};
  if (!isJsonObject(metadata)) {
    throw new BadRequestError('json: cannot unmarshal into Go struct field of type v1.ObjectMeta');
  }
  for (const field of STRING_METADATA) {
    if (metadata[field] !== undefined && typeof metadata[field] !== 'string') {
      throw new BadRequestError(
        `json: cannot unmarshal ${typeof metadata[field]} into Go struct field ObjectMeta.metadata.${field} of type string`,
      );
    }
  }
  const object = structuredClone({ ...body, apiVersion, kind: resource.kind, metadata });
  object.metadata.name ??= '';
  return object as KubeObject;
}

function randomSuffix(): string {
  return Array.from(
    { length: 5 },
    () => NAME_SUFFIX_ALPHABET[randomInt(NAME_SUFFIX_ALPHABET.length)],
  ).join('');
}

function assertValid(
  resource: ResourceDefinition,
  object: KubeObject,
  extra: StatusCause[] = [],
): void {
  const causes = [...extra, ...objectProblems(resource, object)];
  if (causes.length > 0) throw new InvalidError(resource, object.metadata.name, causes);
}

export interface CreateOptions {
  /** Seeds keep the uid, creationTimestamp and status they were given, like pre-existing objects. */
  seed?: boolean;
}

/** What POST stores: server metadata filled, defaults applied, validated. */
export function prepareCreate(
  resource: ResourceDefinition,
  body: unknown,
  namespace: string | null,
  options: CreateOptions = {},
): KubeObject {
  const object = typedBody(resource, body);
  const metadata = object.metadata;
  if (!resource.namespaced) delete metadata.namespace;
  else if (!metadata.namespace) metadata.namespace = namespace ?? 'default';
  else if (namespace !== null && metadata.namespace !== namespace) {
    throw new BadRequestError(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  if (!metadata.name && typeof metadata.generateName === 'string' && metadata.generateName) {
    metadata.name = `${metadata.generateName}${randomSuffix()}`;
  }
  if (!metadata.name) {
    throw new InvalidError(resource, '', [
      {
        reason: 'FieldValueRequired',
        field: 'metadata.name',
        message: 'Required value: name or generateName is required',
      },
    ]);
  }
  if (metadata.resourceVersion && !options.seed) {
    throw new BadRequestError('resourceVersion should not be set on objects to be created');
  }
  if (!options.seed || typeof metadata.uid !== 'string') metadata.uid = randomUUID();
  if (!options.seed || typeof metadata.creationTimestamp !== 'string') {
    metadata.creationTimestamp = serverTimestamp();
  }
  delete metadata.deletionTimestamp;
  if (resource.tracksGeneration) metadata.generation = 1;
  else delete metadata.generation;
  // Status belongs to the kubelet and the controllers, so a created object starts with theirs empty.
  const initialStatus = INITIAL_STATUS[resource.kind];
  if (initialStatus && !options.seed) object.status = structuredClone(initialStatus);
  applyDefaults(object);
  assertValid(resource, object);
  return object;
}

export type UpdateMode = 'object' | 'status';

/**
 * What PUT (and PATCH, after patching) stores: the URL decides name and namespace, a stale
 * resourceVersion is a conflict, system metadata and (for the object itself) status are kept.
 */
export function prepareUpdate(
  resource: ResourceDefinition,
  existing: KubeObject,
  body: unknown,
  mode: UpdateMode,
): KubeObject {
  const incoming = typedBody(resource, body);
  const { name, namespace } = existing.metadata;
  if (incoming.metadata.name !== name) {
    throw new BadRequestError(
      `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`,
    );
  }
  if (namespace && incoming.metadata.namespace && incoming.metadata.namespace !== namespace) {
    throw new BadRequestError(
      `the namespace of the object (${incoming.metadata.namespace}) does not match the namespace on the request (${namespace})`,
    );
  }
  if (incoming.metadata.uid && incoming.metadata.uid !== existing.metadata.uid) {
    throw new ConflictError(
      resource,
      name,
      `Precondition failed: UID in precondition: ${String(incoming.metadata.uid)}, UID in object meta: ${String(existing.metadata.uid)}`,
    );
  }
  const version = incoming.metadata.resourceVersion;
  if (version && version !== existing.metadata.resourceVersion) {
    throw new ConflictError(resource, name, STALE_OBJECT);
  }
  if (!version && resource.custom) {
    throw new InvalidError(resource, name, [
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.resourceVersion',
        message: 'Invalid value: 0x0: must be specified for an update',
      },
    ]);
  }
  const result = mode === 'status' ? structuredClone(existing) : incoming;
  if (mode === 'status') result.status = incoming.status;
  else if (resource.subresources.includes('status')) result.status = existing.status;
  if (result.status === undefined) delete result.status;
  if (namespace) result.metadata.namespace = namespace;
  result.metadata.resourceVersion = existing.metadata.resourceVersion;
  for (const field of SYSTEM_METADATA) {
    if (existing.metadata[field] === undefined) delete result.metadata[field];
    else result.metadata[field] = existing.metadata[field];
  }
  if (
    resource.tracksGeneration &&
    stableStringify(result.spec) !== stableStringify(existing.spec)
  ) {
    result.metadata.generation = Number(existing.metadata.generation ?? 0) + 1;
  }
  applyDefaults(result);
  const extra =
    resource.kind === 'Pod' && mode === 'object' ? podUpdateProblems(existing, result) : [];
  assertValid(resource, result, extra);
  return result;
}

/** The server skips the write (and keeps the resourceVersion) when an update changes nothing. */
export function isUnchanged(existing: KubeObject, updated: KubeObject): boolean {
  return stableStringify(existing) === stableStringify(updated);
}

/** DeleteOptions.preconditions: delete only the object the caller looked at. */
export function checkPreconditions(
  resource: ResourceDefinition,
  existing: KubeObject,
  options: unknown,
): void {
  const preconditions =
    isJsonObject(options) && isJsonObject(options.preconditions)
      ? (options.preconditions as JsonObject)
      : {};
  const { name, uid, resourceVersion } = existing.metadata;
  if (typeof preconditions.uid === 'string' && preconditions.uid !== uid) {
    throw new ConflictError(
      resource,
      name,
      `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${String(uid)}`,
    );
  }
  if (
    typeof preconditions.resourceVersion === 'string' &&
    preconditions.resourceVersion !== resourceVersion
  ) {
    throw new ConflictError(
      resource,
      name,
      `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in meta: ${String(resourceVersion)}`,
    );
  }
}
