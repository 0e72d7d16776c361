import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import { freePort } from '@tourniquet/core/testkit';

export const FAULT_KINDS = [
  'throttle',
  'server-error',
  'timeout',
  'drop',
  'lost-response',
] as const;
/**
 * Faults only DynamoDB gives, injected on request: its answer when another transaction holds an
 * item being written (moto serialises requests and never gives it). Not among FAULT_KINDS, so
 * the generic fault runs keep their mix.
 */
export const DYNAMODB_FAULT_KINDS = ['transaction-conflict'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number] | (typeof DYNAMODB_FAULT_KINDS)[number];

export interface FaultProxyOptions {
  /** Where healthy requests go, e.g. moto's http://127.0.0.1:port. */
  target: string;
  /** Probability (0–1) that a request gets a fault instead of an answer. */
  rate: number;
  seed?: number;
  kinds?: readonly FaultKind[];
  /** How long a `timeout` fault holds the request before answering 504. */
  timeoutMs?: number;
}

export interface FaultProxy {
  url: string;
  /** Requests seen and faults injected, by kind. */
  stats: { requests: number; faults: Record<FaultKind, number> };
  stop(): Promise<void>;
}

/** Small seeded PRNG (mulberry32): fault sequences are reproducible for a seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The AWS service a SigV4-signed request is for (`Credential=…/<region>/<service>/aws4_request`). */
function awsService(req: IncomingMessage): string | null {
  return (
    /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(
      req.headers.authorization ?? '',
    )?.[1] ?? null
  );
}

/**
 * The throttling answer each protocol really gives: query/XML services (EC2 uses `Response`
 * with RequestLimitExceeded, IAM/STS `ErrorResponse` with Throttling), JSON services
 * (`__type` ThrottlingException), REST-JSON services (EKS: 429 + x-amzn-ErrorType), and
 * Kubernetes (429 Status, Retry-After).
 */
function throttle(req: IncomingMessage, res: ServerResponse): void {
  const service = awsService(req);
  const contentType = String(req.headers['content-type'] ?? '');
  if (!service) {
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' });
    res.end(
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Too many requests, please try again later.',
        reason: 'TooManyRequests',
        code: 429,
      }),
    );
  } else if (service === 'ec2') {
    res.writeHead(503, { 'content-type': 'text/xml' });
    res.end(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>fault-injected</RequestID></Response>',
    );
  } else if (contentType.includes('x-www-form-urlencoded')) {
    res.writeHead(400, { 'content-type': 'text/xml' });
    res.end(
      '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>fault-injected</RequestId></ErrorResponse>',
    );
  } else if (contentType.includes('x-amz-json')) {
    res.writeHead(400, { 'content-type': contentType });
    res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
  } else {
    res.writeHead(429, {
      'content-type': 'application/json',
      'x-amzn-errortype': 'ThrottlingException',
    });
    res.end(JSON.stringify({ message: 'Rate exceeded' }));
  }
}

const DYNAMODB_WRITES = new Set(['TransactWriteItems', 'PutItem', 'UpdateItem', 'DeleteItem']);

/** The DynamoDB operation of a request (`X-Amz-Target: DynamoDB_20120810.<Operation>`). */
function dynamoOperation(req: IncomingMessage): string | null {
  const target = String(req.headers['x-amz-target'] ?? '');
  return target.startsWith('DynamoDB_') ? (target.split('.')[1] ?? null) : null;
}

/**
 * DynamoDB's answers to a write that meets another transaction on one of its items: a
 * TransactWriteItems is cancelled with `TransactionConflict` as the reason for the item (the
 * others `None`), and a single-item write fails with TransactionConflictException. Nothing is
 * written in either case.
 */
function transactionConflict(req: IncomingMessage, res: ServerResponse, operation: string): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const json = { 'content-type': 'application/x-amz-json-1.0' };
    if (operation !== 'TransactWriteItems') {
      res.writeHead(400, json);
      res.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionConflictException',
          message: 'Transaction is ongoing for the item',
        }),
      );
      return;
    }
    let items = 1;
    try {
      items = Math.max(1, JSON.parse(Buffer.concat(chunks).toString('utf8')).TransactItems.length);
    } catch {
      // An unreadable body still gets a cancellation naming one item.
    }
    const reasons = Array.from({ length: items }, (_, i) =>
      i === 0
        ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }
        : { Code: 'None' },
    );
    res.writeHead(400, json);
    res.end(
      JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
        CancellationReasons: reasons,
      }),
    );
  });
}

/**
 * An HTTP proxy on 127.0.0.1 in front of an emulator that fails a share of requests the ways
 * real APIs fail: throttling, 5xx, timeouts, dropped connections — those never reach the
 * emulator, so a retry is the only way the change happens — and lost responses: the emulator
 * applies the request, then the connection drops before the answer arrives (a Lambda timeout,
 * a network partition), so the caller cannot tell whether its change happened.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const next = random(options.seed ?? 1);
  const kinds = options.kinds ?? FAULT_KINDS;
  const target = new URL(options.target);
  const stats = {
    requests: 0,
    faults: Object.fromEntries(
      [...FAULT_KINDS, ...DYNAMODB_FAULT_KINDS].map((k) => [k, 0]),
    ) as Record<FaultKind, number>,
  };
  const sockets = new Set<Socket>();
  /** Sends the request on; with `lose`, waits for the whole answer and then drops the connection. */
  const forward = (req: IncomingMessage, res: ServerResponse, lose: boolean) => {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        if (lose) {
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    stats.requests++;
    if (next() < options.rate) {
      const kind = kinds[Math.floor(next() * kinds.length)] as FaultKind;
      if (kind === 'transaction-conflict') {
        // Only writes to DynamoDB can meet a transaction; everything else passes.
        const operation = dynamoOperation(req);
        if (!operation || !DYNAMODB_WRITES.has(operation)) return forward(req, res, false);
        stats.faults[kind]++;
        return transactionConflict(req, res, operation);
      }
      stats.faults[kind]++;
      if (kind !== 'lost-response') req.resume();
      if (kind === 'throttle') return throttle(req, res);
      if (kind === 'server-error') {
        res.writeHead(next() < 0.5 ? 500 : 503, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ message: 'InternalError (fault injected)' }));
      }
      if (kind === 'drop') return req.socket.destroy();
      if (kind === 'lost-response') return forward(req, res, true);
      const timer = setTimeout(() => {
        timers.delete(timer);
        res.writeHead(504, { 'content-type': 'text/plain' });
        res.end('Gateway Timeout (fault injected)');
      }, options.timeoutMs ?? 200);
      timers.add(timer);
      return;
    }
    forward(req, res, false);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
