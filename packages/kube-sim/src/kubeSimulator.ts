import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { listenLoopback } from '@tourniquet/core/testkit';
import { KubeApiError } from './errors';
import { handleKubeRequest, type RequestContext } from './handleKubeRequest';
import type { KubeObject } from './kubeObject';
import { ObjectStore } from './objectStore';
import { reconcilePolicyEndpoints } from './policyEndpointController';
import { readBody } from './readBody';
import { findResourceByKind } from './resourceDefinitions';
import { ResourceHandler } from './resourceHandler';
import { seedObjects } from './seedObjects';

export type { KubeObject } from './kubeObject';

export interface KubeSimulatorOptions {
  /** Manifests present from the start (any served kind: Node, Pod, DaemonSet, NetworkPolicy, SecurityGroupPolicy...). */
  objects?: KubeObject[];
  /** The only bearer token accepted; a random one when omitted. */
  token?: string;
  /**
   * When the emulated VPC CNI network policy controller writes PolicyEndpoints (only when the
   * seeded aws-node DaemonSet enables network policy): `immediate` after every write (the
   * default), `manual` only when `reconcile()` is called, to reproduce a controller that lags.
   */
  policyEndpoints?: 'immediate' | 'manual';
}

export interface RecordedRequest {
  method: string;
  /** Path and query string, as sent. */
  path: string;
  status: number;
}

export interface KubeSimulator {
  /** `http://127.0.0.1:<port>` */
  url: string;
  token: string;
  /** A client-node KubeConfig (cluster, user and context `simulator`) for this server and token. */
  kubeConfig(): KubeConfig;
  /** Direct state reads for assertions; copies, so they cannot change the state. */
  get(
    apiVersion: string,
    kind: string,
    namespace: string | null,
    name: string,
  ): KubeObject | undefined;
  list(apiVersion: string, kind: string): KubeObject[];
  /** Every request answered, in order. */
  requests: RecordedRequest[];
  /** Runs the emulated controllers once (PolicyEndpoints for NetworkPolicies). */
  reconcile(): void;
  stop(): Promise<void>;
}

const CONTEXT = 'simulator';

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  };
  const retryAfter = (body as { details?: { retryAfterSeconds?: number } }).details
    ?.retryAfterSeconds;
  if (retryAfter !== undefined) headers['Retry-After'] = retryAfter;
  response.writeHead(status, headers);
  response.end(text);
}

/**
 * Starts a Kubernetes API server stand-in on 127.0.0.1: the real paths, verbs, Status errors,
 * resourceVersions and discovery documents that @kubernetes/client-node and kubectl rely on,
 * over in-memory state.
 */
export async function startKubeSimulator(
  options: KubeSimulatorOptions = {},
): Promise<KubeSimulator> {
  const token = options.token ?? `simulator-${randomBytes(24).toString('hex')}`;
  const store = new ObjectStore();
  const resources = new ResourceHandler(store);
  seedObjects(store, resources, options.objects ?? []);
  const controllersRunOnWrite = (options.policyEndpoints ?? 'immediate') === 'immediate';
  if (controllersRunOnWrite) reconcilePolicyEndpoints(store);
  const requests: RecordedRequest[] = [];
  const context: RequestContext = { token, serverAddress: '', resources };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    readBody(request)
      .then((body) =>
        handleKubeRequest(
          {
            method,
            target: path,
            authorization: request.headers.authorization,
            contentType: request.headers['content-type'] ?? '',
            body,
          },
          context,
        ),
      )
      .catch((error: unknown) => {
        const failure =
          error instanceof KubeApiError
            ? error
            : new KubeApiError(500, 'InternalError', String(error));
        return { status: failure.code, body: failure.toStatus() };
      })
      .then(({ status, body }) => {
        if (controllersRunOnWrite && method !== 'GET' && status < 300) {
          reconcilePolicyEndpoints(store);
        }
        requests.push({ method, path, status });
        sendJson(response, status, body);
      })
      // The client went away mid-response; nothing is left to answer.
      .catch(() => response.destroy());
  });
  const port = await listenLoopback(server);
  const url = `http://127.0.0.1:${port}`;
  context.serverAddress = `127.0.0.1:${port}`;

  let stopped: Promise<void> | undefined;

  return {
    url,
    token,
    requests,
    kubeConfig() {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        // client-node refuses plain http unless skipTLSVerify is set.
        clusters: [{ name: CONTEXT, server: url, skipTLSVerify: true }],
        users: [{ name: CONTEXT, token }],
        contexts: [{ name: CONTEXT, cluster: CONTEXT, user: CONTEXT }],
        currentContext: CONTEXT,
      });
      return kubeConfig;
    },
    get(apiVersion, kind, namespace, name) {
      const resource = findResourceByKind(apiVersion, kind);
      return resource && store.get(resource, resource.namespaced ? namespace : null, name);
    },
    list(apiVersion, kind) {
      const resource = findResourceByKind(apiVersion, kind);
      return resource ? store.list(resource, null) : [];
    },
    reconcile() {
      reconcilePolicyEndpoints(store);
    },
    stop() {
      // Keep-alive sockets would hold the test process open, so they are closed too.
      stopped ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
