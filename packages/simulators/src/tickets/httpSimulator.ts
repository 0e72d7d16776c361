import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the simulator received it, kept for tests to assert the real request shapes. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON, the text, or for multipart uploads the part names and file names. */
  body: unknown;
  status: number;
}

export interface SimulatorRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  raw: Buffer;
  json(): unknown;
  formData(): Promise<FormData>;
}

export interface SimulatorResponse {
  status: number;
  json?: unknown;
  headers?: Record<string, string>;
}

export interface HttpSimulator {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  /**
   * Makes the service unavailable: every request (or the next `requests` ones) gets `status`
   * (503 by default) until `restore()`. The simulator's switch for "down, then recovers".
   */
  outage(options?: { status?: number; requests?: number }): void;
  restore(): void;
  stop(): Promise<void>;
}

type Handler = (request: SimulatorRequest) => SimulatorResponse | Promise<SimulatorResponse>;

/** Thrown by handlers for malformed input; becomes the given status with a JSON body. */
export class SimulatedHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
    this.name = 'SimulatedHttpError';
  }
}

/**
 * A small HTTP server on 127.0.0.1 (a free port chosen by the OS) that records every request and
 * can simulate an outage. The Jira, PagerDuty and ServiceNow simulators are handlers on it.
 */
export async function startHttpSimulator(name: string, handle: Handler): Promise<HttpSimulator> {
  const requests: RecordedRequest[] = [];
  let outage: { status: number; remaining: number } | null = null;

  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
    );
    const request: SimulatorRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers,
      raw,
      json: () => parseJson(raw),
      formData: () =>
        new Request('http://127.0.0.1/', {
          method: 'POST',
          headers: { 'content-type': headers['content-type'] ?? '' },
          body: raw,
        }).formData(),
    };
    let response: SimulatorResponse;
    if (outage && outage.remaining > 0) {
      outage.remaining -= 1;
      response = { status: outage.status, json: { message: `${name} is unavailable (simulated)` } };
    } else {
      try {
        response = await handle(request);
      } catch (error) {
        response =
          error instanceof SimulatedHttpError
            ? { status: error.status, json: error.body }
            : { status: 500, json: { message: (error as Error).message } };
      }
    }
    requests.push({
      method: request.method,
      path: request.path,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: await describeBody(request),
      status: response.status,
    });
    const body = response.json === undefined ? '' : JSON.stringify(response.json);
    res.writeHead(response.status, {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...response.headers,
    });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    outage: (options = {}) => {
      outage = {
        status: options.status ?? 503,
        remaining: options.requests ?? Number.POSITIVE_INFINITY,
      };
    },
    restore: () => {
      outage = null;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Basic credentials of a request, or null. */
export function basicCredentials(headers: Record<string, string>): [string, string] | null {
  const match = /^Basic (.+)$/i.exec(headers.authorization ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new SimulatedHttpError(400, { message: 'body is not valid JSON' });
  }
}

async function describeBody(request: SimulatorRequest): Promise<unknown> {
  if (request.raw.length === 0) return null;
  const type = request.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    try {
      const form = await request.formData();
      return Object.fromEntries(
        [...form.entries()].map(([k, v]) => [
          k,
          typeof v === 'string' ? v : { file: v.name, size: v.size },
        ]),
      );
    } catch {
      return { multipart: 'unparseable' };
    }
  }
  const text = request.raw.toString('utf8');
  if (type.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
