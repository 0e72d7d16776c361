import { createServer } from 'node:http';
import { closeServer, listenLoopback, readRequestBody } from '@tourniquet/core/testkit';
import {
  type FunctionUrlHandler,
  functionUrlEventFor,
  normaliseResult,
} from '@tourniquet/simulators';

export interface DecisionEndpointServer {
  /** The endpoint's URL, as the Slack app's Interactivity Request URL would name it. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Serves a Function URL handler over HTTP on 127.0.0.1: each request becomes the event Lambda
 * would build (base64 body, lower-case headers), the handler's result becomes the response.
 */
export async function startDecisionEndpoint(
  handler: FunctionUrlHandler,
): Promise<DecisionEndpointServer> {
  const server = createServer((request, response) => {
    readRequestBody(request)
      .then(async (body) => {
        const event = functionUrlEventFor({
          method: request.method ?? 'GET',
          path: request.url ?? '/',
          headers: request.headers,
          body,
          sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        });
        const result = normaliseResult(await handler(event));
        response.writeHead(result.status, { 'Content-Type': 'application/json' });
        response.end(result.body);
      })
      .catch((error: unknown) => {
        response.writeHead(502, { 'Content-Type': 'text/plain' });
        response.end(`handler failed: ${(error as Error).message}`);
      });
  });
  const port = await listenLoopback(server);
  return { url: `http://127.0.0.1:${port}/`, stop: () => closeServer(server) };
}
