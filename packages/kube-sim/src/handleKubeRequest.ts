import { timingSafeEqual } from 'node:crypto';
import { discoveryDocument } from './discoveryDocuments';
import {
  BadRequestError,
  KubeApiError,
  MethodNotAllowedError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from './errors';
import type { KubeResponse, ResourceHandler } from './resourceHandler';
import { routeRequest } from './routeRequest';

export interface RawRequest {
  method: string;
  /** Path and query, as on the request line. */
  target: string;
  authorization: string | undefined;
  contentType: string;
  body: string;
}

export interface RequestContext {
  token: string;
  serverAddress: string;
  resources: ResourceHandler;
}

function authenticate(authorization: string | undefined, token: string): void {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  const given = Buffer.from(match?.[1]?.trim() ?? '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new UnauthorizedError();
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadRequestError(
      `couldn't get version/kind; json parse error: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

// POST and PUT take JSON objects; PATCH bodies are checked against the patch types instead.
function assertJsonBody(method: string, contentType: string, body: string): void {
  if (method !== 'POST' && method !== 'PUT') return;
  if (body.trim() === '') return;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType !== 'application/json') {
    throw new UnsupportedMediaTypeError(mediaType, ['application/json']);
  }
}

/** One request, start to finish: authentication, routing, the verb, and errors as Status. */
export function handleKubeRequest(raw: RawRequest, context: RequestContext): KubeResponse {
  try {
    authenticate(raw.authorization, context.token);
    const url = new URL(raw.target, 'http://simulator.invalid');
    const route = routeRequest(url.pathname);
    if (route.type === 'discovery') {
      if (raw.method !== 'GET') throw new MethodNotAllowedError();
      return { status: 200, body: discoveryDocument(route.path, context.serverAddress) };
    }
    assertJsonBody(raw.method, raw.contentType, raw.body);
    return context.resources.handle({
      method: raw.method,
      route,
      query: url.searchParams,
      contentType: raw.contentType,
      body: () => parseJson(raw.body),
    });
  } catch (error) {
    if (error instanceof KubeApiError) return { status: error.code, body: error.toStatus() };
    const message = error instanceof Error ? error.message : String(error);
    const internal = new KubeApiError(500, 'InternalError', `Internal error occurred: ${message}`);
    return { status: 500, body: internal.toStatus() };
  }
}
