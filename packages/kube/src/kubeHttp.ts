import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { URL } from 'node:url';
import { KubeApiError, KubeRequestError, type KubeStatus } from './errors';
import type { KubeConnection } from './kubeConnection';

/** The body types of the calls Tourniquet makes; each is what @kubernetes/client-node sends. */
export const CONTENT_TYPE = {
  json: 'application/json',
  mergePatch: 'application/merge-patch+json',
  strategicMergePatch: 'application/strategic-merge-patch+json',
  jsonPatch: 'application/json-patch+json',
} as const;
export type ContentType = (typeof CONTENT_TYPE)[keyof typeof CONTENT_TYPE];

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface KubeRequest {
  method: HttpMethod;
  /** Absolute API path, already escaped (see `apiPath`). */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  contentType?: ContentType;
}

/**
 * No answer for this long on an open request is a dead connection: fail it (as ETIMEDOUT, a
 * transient error) well inside the action Lambda's timeout so Step Functions can retry it.
 */
const DEFAULT_TIMEOUT_MS = 20_000;

/** Builds `/api/v1/namespaces/a/pods/b` from segments, escaping each like client-node does. */
export function apiPath(prefix: string, ...segments: string[]): string {
  return [prefix, ...segments.map((s) => encodeURIComponent(s))].join('/');
}

/**
 * JSON over HTTPS to one API server, with the cluster's CA and a bearer token: the only
 * transport the actions need. Like @kubernetes/client-node it does not retry failed calls (Step
 * Functions retries whole steps, and every write is idempotent). Unlike it, it keeps the TLS
 * connection open between an action's calls. A kept connection the server closed meanwhile
 * (while a Lambda was frozen, say) fails with ECONNRESET before any answer; that one case is
 * sent once more on a new connection, as Node's documentation of `request.reusedSocket`
 * recommends. Sending twice is safe for every call here: reads, merge patches, a create whose
 * repeat is a 409 the caller handles, a delete whose repeat is a 404.
 */
export class KubeHttp {
  private readonly base: URL;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly timeoutMs: number;

  constructor(
    private readonly connection: KubeConnection,
    options: { timeoutMs?: number } = {},
  ) {
    let base: URL;
    try {
      base = new URL(connection.server);
    } catch {
      throw new Error(`Kubernetes API server ${JSON.stringify(connection.server)} is not a URL`);
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:') {
      throw new Error(`Kubernetes API server ${connection.server} must be an https:// URL`);
    }
    if (base.protocol === 'http:' && !connection.skipTLSVerify) {
      // The same refusal client-node makes: a bearer token must not travel in clear text by accident.
      throw new Error(
        `Kubernetes API server ${connection.server} is plain http: use https (or skipTLSVerify for a local simulator)`,
      );
    }
    this.base = base;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.agent =
      base.protocol === 'https:'
        ? new HttpsAgent({
            keepAlive: true,
            ...(connection.caData
              ? { ca: Buffer.from(connection.caData, 'base64').toString('utf8') }
              : {}),
            rejectUnauthorized: !connection.skipTLSVerify,
          })
        : new HttpAgent({ keepAlive: true });
  }

  get server(): string {
    return this.connection.server;
  }

  async request<T>(call: KubeRequest): Promise<T> {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + call.path, this.base);
    for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, value);
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
    const headers: Record<string, string> = {
      Accept: 'application/json, */*;q=0.8',
      Authorization: `Bearer ${this.connection.token}`,
      'User-Agent': 'tourniquet',
    };
    if (payload !== undefined) {
      headers['Content-Type'] = call.contentType ?? CONTENT_TYPE.json;
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const described = { method: call.method, path: url.pathname + url.search };
    const response = await this.send(url, call.method, headers, payload, described).catch(
      (error: unknown) => {
        if (!(error instanceof StaleSocketError)) throw error;
        return this.send(url, call.method, headers, payload, described, false);
      },
    );
    const text = response.body;
    if (response.status >= 200 && response.status < 300) {
      return (text === '' ? undefined : parseJson(text, described)) as T;
    }
    throw new KubeApiError(response.status, statusBody(text), response.headers, described);
  }

  private send(
    url: URL,
    method: HttpMethod,
    headers: Record<string, string>,
    payload: string | undefined,
    described: { method: string; path: string },
    mayRetry = true,
  ): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      let answered = false;
      const fail = (error: Error & { code?: string }) =>
        reject(
          mayRetry && !answered && request.reusedSocket && error.code === 'ECONNRESET'
            ? new StaleSocketError(described, error)
            : new KubeRequestError(described, error),
        );
      const request = send(url, { method, headers, agent: this.agent }, (response) => {
        answered = true;
        collect(response).then(
          (body) => resolve({ status: response.statusCode ?? 0, headers: flat(response), body }),
          fail,
        );
      });
      request.setTimeout(this.timeoutMs, () =>
        request.destroy(
          Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' }),
        ),
      );
      request.on('error', fail);
      request.end(payload);
    });
  }
}

/** A kept-alive connection was already closed by the server; nothing was answered on it. */
class StaleSocketError extends KubeRequestError {}

function collect(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
    response.on('aborted', () =>
      reject(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })),
    );
  });
}

function flat(response: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function parseJson(text: string, described: { method: string; path: string }): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new KubeRequestError(
      described,
      Object.assign(new Error(`response is not JSON: ${(error as Error).message}`), {
        code: 'ERR_KUBE_RESPONSE',
      }),
    );
  }
}

function statusBody(text: string): KubeStatus | string {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as KubeStatus) : text;
  } catch {
    return text;
  }
}
