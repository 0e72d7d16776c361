import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { isThrottlingError } from '@smithy/core/retry';
import { parseDaemonAddress, parseTraceHeader, type TraceHeader } from './traceHeader';

/** What every datagram to the daemon starts with, then one segment document. */
const DAEMON_HEADER = '{"format":"json","version":1}\n';
const TRACE_HEADER = 'X-Amzn-Trace-Id';
/**
 * A cause's message and a request's URL are cut here. Both can carry text an attacker chose (a
 * pod name in a Kubernetes path, an error echoing it), and a document must fit one UDP datagram
 * (64 KB) to arrive at all.
 */
const MAX_MESSAGE = 1024;
const MAX_URL = 2048;

/** A subsegment document as the daemon takes it, sent on its own (`type: subsegment`). */
export interface SubsegmentDocument {
  id: string;
  name: string;
  trace_id: string;
  parent_id: string;
  type: 'subsegment';
  start_time: number;
  end_time?: number;
  namespace?: 'aws' | 'remote';
  annotations?: Record<string, string | number | boolean>;
  aws?: { operation: string; region?: string; request_id?: string; retries: number };
  http?: {
    request?: { method: string; url: string };
    response?: { status?: number; content_length?: number };
  };
  error?: true;
  throttle?: true;
  fault?: true;
  cause?: { exceptions: Array<{ id: string; message: string; type: string; remote: boolean }> };
}

export interface XRayTracerOptions {
  /** Annotated on each invocation's subsegment as `Service`. */
  serviceName: string;
  /** Where the daemon address and the handler name are read; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** The current invocation's trace header; by default what Lambda sets for it. */
  traceHeader?: () => string | undefined;
  /** How a finished document leaves; by default one UDP datagram to the daemon. */
  send?: (datagram: string) => void;
}

interface Invocation {
  trace: TraceHeader;
  handler: SubsegmentDocument;
}

interface SdkClient {
  config: { region?: unknown };
  middlewareStack: {
    add: (middleware: never, options: { step: 'build'; name: string; override?: boolean }) => void;
  };
}

interface SdkMetadata {
  httpStatusCode?: number;
  requestId?: string;
  attempts?: number;
}

const newId = () => randomBytes(8).toString('hex');
const now = () => (performance.timeOrigin + performance.now()) / 1000;

/** X-Ray's reading of an HTTP status: 429 throttled, other 4xx an error, 5xx a fault. */
function flagStatus(doc: SubsegmentDocument, status: number | undefined, throttled = false): void {
  if (throttled || status === 429) doc.throttle = true;
  if (status !== undefined && status >= 400 && status < 500) doc.error = true;
  if (status !== undefined && status >= 500 && status < 600) doc.fault = true;
}

function causeOf(error: unknown, remote: boolean): NonNullable<SubsegmentDocument['cause']> {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    exceptions: [{ id: newId(), message: e.message.slice(0, MAX_MESSAGE), type: e.name, remote }],
  };
}

/**
 * Traces a Lambda function for X-Ray without the X-Ray SDK: one subsegment per invocation
 * (`## <handler>`, annotated ColdStart and Service), one per AWS SDK call under it (service,
 * operation, region, request id, retries, HTTP status and X-Ray's error/throttle/fault flags,
 * with the call's `X-Amzn-Trace-Id` naming that subsegment as parent) and one per other
 * outgoing HTTP request (Kubernetes, Slack, ticket sinks), read from Node's diagnostics channels.
 * Each subsegment is sent to the daemon as its own document when it closes, which is how the
 * X-Ray SDK streams them in Lambda.
 *
 * Lambda runs one invocation at a time per execution environment, so the invocation being
 * traced is kept here between `beginInvocation` and `endInvocation`; calls made outside one
 * (at cold start) are not traced. Nothing is sent for an invocation whose header says
 * Sampled=0, or without a daemon address. A failure to send never reaches the caller.
 * Responses and request parameters are not copied into traces.
 */
export class XRayTracer {
  private readonly env: NodeJS.ProcessEnv;
  private readonly send: ((datagram: string) => void) | null;
  private readonly header: () => string | undefined;
  private current: Invocation | null = null;
  private coldStart = true;
  /** Subsegment ids of AWS calls in flight: their HTTP requests are not traced again. */
  private readonly awsCalls = new Set<string>();
  private readonly requests = new WeakMap<object, SubsegmentDocument>();

  constructor(private readonly options: XRayTracerOptions) {
    this.env = options.env ?? process.env;
    this.header =
      options.traceHeader ??
      (() =>
        (
          globalThis as {
            awslambda?: { InvokeStore?: { getXRayTraceId?: () => string | undefined } };
          }
        ).awslambda?.InvokeStore?.getXRayTraceId?.() ?? this.env._X_AMZN_TRACE_ID);
    const daemon = parseDaemonAddress(this.env.AWS_XRAY_DAEMON_ADDRESS);
    this.send = options.send ?? (daemon ? udpSender(daemon) : null);
    if (this.send) this.watchHttp();
  }

  /** Opens the invocation's subsegment, when this invocation is sampled. */
  beginInvocation(): void {
    const cold = this.coldStart;
    this.coldStart = false;
    this.current = null;
    const trace = this.send ? parseTraceHeader(this.header()) : null;
    if (!trace?.sampled) return;
    this.current = {
      trace,
      handler: {
        id: newId(),
        name: `## ${this.env._HANDLER ?? 'handler'}`,
        trace_id: trace.root,
        parent_id: trace.parent,
        type: 'subsegment',
        start_time: now(),
        annotations: { ColdStart: cold, Service: this.options.serviceName },
      },
    };
  }

  /** Closes and sends the invocation's subsegment; `error` is what the handler threw. */
  endInvocation(error?: unknown): void {
    const invocation = this.current;
    this.current = null;
    if (!invocation) return;
    if (error !== undefined) {
      invocation.handler.fault = true;
      invocation.handler.cause = causeOf(error, false);
    }
    this.close(invocation.handler);
  }

  /** Adds a subsegment per call to an AWS SDK v3 client's middleware stack; returns the client. */
  captureAWSv3Client<C>(client: C): C {
    if (!this.send) return client;
    const sdk = client as unknown as SdkClient;
    const middleware =
      (
        next: (args: { request?: { headers?: Record<string, string> } }) => Promise<{
          output?: { $metadata?: SdkMetadata };
          response?: { headers?: Record<string, string> };
        }>,
        context: { clientName?: string; commandName?: string },
      ) =>
      async (args: { request?: { headers?: Record<string, string> } }) => {
        const invocation = this.current;
        if (!invocation) return next(args);
        const doc = this.open(
          invocation,
          (context.clientName ?? 'AWS').replace(/Client$/, ''),
          'aws',
        );
        doc.aws = { operation: (context.commandName ?? '').replace(/Command$/, ''), retries: 0 };
        const region = sdk.config.region;
        if (args.request?.headers) {
          args.request.headers[TRACE_HEADER] =
            `Root=${invocation.trace.root};Parent=${doc.id};Sampled=1`;
        }
        this.awsCalls.add(doc.id);
        try {
          const result = await next(args);
          const meta = result.output?.$metadata;
          await this.describeAwsCall(doc, region, meta);
          const length = Number(result.response?.headers?.['content-length']);
          if (Number.isFinite(length) && doc.http?.response)
            doc.http.response.content_length = length;
          flagStatus(doc, meta?.httpStatusCode);
          return result;
        } catch (error) {
          const meta = (error as { $metadata?: SdkMetadata }).$metadata;
          if (meta) {
            await this.describeAwsCall(doc, region, meta);
            flagStatus(doc, meta.httpStatusCode, isThrottlingError(error as never));
          }
          // The X-Ray SDK marks every call that threw as a fault too, 4xx or not.
          doc.fault = true;
          doc.cause = causeOf(error, true);
          throw error;
        } finally {
          this.awsCalls.delete(doc.id);
          this.close(doc);
        }
      };
    sdk.middlewareStack.add(middleware as never, {
      step: 'build',
      name: 'tourniquetXRay',
      override: true,
    });
    return client;
  }

  private async describeAwsCall(
    doc: SubsegmentDocument,
    region: unknown,
    meta: SdkMetadata | undefined,
  ): Promise<void> {
    const aws = doc.aws as NonNullable<SubsegmentDocument['aws']>;
    const resolved = typeof region === 'function' ? await region() : region;
    if (typeof resolved === 'string') aws.region = resolved;
    if (meta?.requestId) aws.request_id = meta.requestId;
    aws.retries = meta?.attempts ?? 0;
    if (meta?.httpStatusCode !== undefined)
      doc.http = { response: { status: meta.httpStatusCode } };
  }

  private open(invocation: Invocation, name: string, namespace: 'aws' | 'remote') {
    return {
      id: newId(),
      name,
      trace_id: invocation.trace.root,
      parent_id: invocation.handler.id,
      type: 'subsegment',
      start_time: now(),
      namespace,
    } satisfies SubsegmentDocument as SubsegmentDocument;
  }

  private close(doc: SubsegmentDocument): void {
    doc.end_time = now();
    try {
      this.send?.(DAEMON_HEADER + JSON.stringify(doc));
    } catch {
      // Tracing never fails the work it traces.
    }
  }

  /** Outgoing HTTP from node:http(s) and fetch, except the AWS SDK's own (traced above). */
  private watchHttp(): void {
    const start = (
      key: object,
      host: string,
      method: string,
      url: string,
      parentOf: string | undefined,
    ) => {
      const invocation = this.current;
      if (!invocation) return;
      const parent = parseTraceHeader(parentOf)?.parent;
      if (parent && this.awsCalls.has(parent)) return;
      const doc = this.open(invocation, host.slice(0, 253), 'remote');
      doc.http = { request: { method, url: url.slice(0, MAX_URL) } };
      this.requests.set(key, doc);
    };
    const finish = (key: object, status: number | undefined, length: number, error?: unknown) => {
      const doc = this.requests.get(key);
      if (!doc) return;
      this.requests.delete(key);
      if (status !== undefined) {
        doc.http = {
          ...doc.http,
          response: { status, ...(Number.isFinite(length) ? { content_length: length } : {}) },
        };
        flagStatus(doc, status);
      }
      if (error !== undefined) {
        doc.fault = true;
        doc.cause = causeOf(error, true);
      }
      this.close(doc);
    };
    subscribe('http.client.request.start', (message) => {
      const { request } = message as { request: ClientRequest };
      const protocol = (request as { protocol?: string }).protocol ?? 'http:';
      const path = request.path.split('?')[0] as string;
      // The Host header keeps a port that is not the scheme's default.
      const authority = request.getHeader('host')?.toString() ?? request.host;
      start(
        request,
        request.host,
        request.method,
        `${protocol}//${authority}${path}`,
        request.getHeader(TRACE_HEADER)?.toString(),
      );
    });
    subscribe('http.client.response.finish', (message) => {
      const { request, response } = message as {
        request: ClientRequest;
        response: IncomingMessage;
      };
      finish(request, response.statusCode, Number(response.headers['content-length']));
    });
    subscribe('http.client.request.error', (message) => {
      const { request, error } = message as { request: ClientRequest; error: unknown };
      finish(request, undefined, Number.NaN, error);
    });
    subscribe('undici:request:create', (message) => {
      const { request } = message as {
        request: { origin: string | URL; path: string; method: string; headers: unknown };
      };
      const origin = new URL(String(request.origin));
      start(
        request,
        origin.hostname,
        request.method,
        `${origin.origin}${request.path.split('?')[0]}`,
        undefined,
      );
    });
    subscribe('undici:request:headers', (message) => {
      const { request, response } = message as {
        request: object;
        response: { statusCode: number; headers: Array<Buffer | string> };
      };
      let length = Number.NaN;
      for (let i = 0; i + 1 < response.headers.length; i += 2) {
        if (String(response.headers[i]).toLowerCase() === 'content-length') {
          length = Number(String(response.headers[i + 1]));
        }
      }
      finish(request, response.statusCode, length);
    });
    subscribe('undici:request:error', (message) => {
      const { request, error } = message as { request: object; error: unknown };
      finish(request, undefined, Number.NaN, error);
    });
  }
}

/** One datagram per document on a socket of its own, closed once sent (as the X-Ray SDK does in Lambda). */
function udpSender(daemon: { host: string; port: number }) {
  return (datagram: string) => {
    const socket = createSocket(daemon.host.includes(':') ? 'udp6' : 'udp4');
    socket.on('error', () => socket.close());
    socket.unref();
    socket.send(datagram, daemon.port, daemon.host, () => socket.close());
  };
}
