/** What an error needs to know about the resource it is about (a subset of ResourceDefinition). */
export interface ResourceRef {
  group: string;
  plural: string;
  kind: string;
}

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** The `Status` object the API server sends for every failure (and for some successes). */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

/** Base of every error the simulator answers with; `toStatus()` is the response body. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details: StatusDetails = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'KubeApiError';
  }

  toStatus(): KubeStatus {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      details: this.details,
      code: this.code,
    };
  }
}

/** `pods` for core resources, `networkpolicies.networking.k8s.io` otherwise, as the server prints it. */
export function qualifiedResource(ref: ResourceRef): string {
  return ref.group ? `${ref.plural}.${ref.group}` : ref.plural;
}

function resourceDetails(ref: ResourceRef, name: string): StatusDetails {
  return ref.group ? { name, group: ref.group, kind: ref.plural } : { name, kind: ref.plural };
}

export class NotFoundError extends KubeApiError {
  constructor(ref: ResourceRef, name: string) {
    super(
      404,
      'NotFound',
      `${qualifiedResource(ref)} "${name}" not found`,
      resourceDetails(ref, name),
    );
    this.name = 'NotFoundError';
  }
}

/** A path the server does not serve at all (no such resource or group). */
export class PathNotFoundError extends KubeApiError {
  constructor() {
    super(404, 'NotFound', 'the server could not find the requested resource');
    this.name = 'PathNotFoundError';
  }
}

export class AlreadyExistsError extends KubeApiError {
  constructor(ref: ResourceRef, name: string) {
    super(
      409,
      'AlreadyExists',
      `${qualifiedResource(ref)} "${name}" already exists`,
      resourceDetails(ref, name),
    );
    this.name = 'AlreadyExistsError';
  }
}

export class ConflictError extends KubeApiError {
  constructor(ref: ResourceRef, name: string, why: string) {
    super(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(ref)} "${name}": ${why}`,
      resourceDetails(ref, name),
    );
    this.name = 'ConflictError';
  }
}

export const STALE_OBJECT =
  'the object has been modified; please apply your changes to the latest version and try again';

export class InvalidError extends KubeApiError {
  constructor(ref: ResourceRef, name: string, causes: StatusCause[]) {
    const summary = causes.map((cause) => `${cause.field ?? ''}: ${cause.message}`);
    const listed = summary.length === 1 ? summary[0] : `[${summary.join(', ')}]`;
    const details: StatusDetails = { name, kind: ref.kind, causes };
    if (ref.group) details.group = ref.group;
    super(422, 'Invalid', `${ref.kind} "${name}" is invalid: ${listed}`, details);
    this.name = 'InvalidError';
  }
}

export class BadRequestError extends KubeApiError {
  constructor(message: string, options?: ErrorOptions) {
    super(400, 'BadRequest', message, {}, options);
    this.name = 'BadRequestError';
  }
}

/** An eviction the pod's disruption budget does not allow right now; callers retry later. */
export class TooManyRequestsError extends KubeApiError {
  constructor(message: string, causes: StatusCause[], retryAfterSeconds: number) {
    super(429, 'TooManyRequests', message, { causes, retryAfterSeconds });
    this.name = 'TooManyRequestsError';
  }
}

export class UnauthorizedError extends KubeApiError {
  constructor() {
    super(401, 'Unauthorized', 'Unauthorized');
    this.name = 'UnauthorizedError';
  }
}

export class MethodNotAllowedError extends KubeApiError {
  constructor() {
    super(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
    this.name = 'MethodNotAllowedError';
  }
}

export class RequestEntityTooLargeError extends KubeApiError {
  constructor(limit: number) {
    super(413, 'RequestEntityTooLarge', `limit is ${limit}`);
    this.name = 'RequestEntityTooLargeError';
  }
}

export class UnsupportedMediaTypeError extends KubeApiError {
  constructor(contentType: string, accepted: readonly string[]) {
    super(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format (${contentType || 'none'}) - accepted media types include: ${accepted.join(', ')}`,
    );
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** A seed object the simulator refuses at start-up; thrown to the test, never sent over HTTP. */
export class KubeSeedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KubeSeedError';
  }
}

/** A well-formed patch that cannot be applied to the current object (e.g. a failed JSON patch `test`). */
export class PatchNotApplicableError extends KubeApiError {
  constructor(message: string) {
    super(422, 'Invalid', message);
    this.name = 'PatchNotApplicableError';
  }
}
