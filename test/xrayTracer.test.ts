import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import {
  parseDaemonAddress,
  parseTraceHeader,
  type SubsegmentDocument,
  XRayTracer,
} from '@tourniquet/aws';
import { startFaultProxy } from '@tourniquet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceInvocations } from '../functions/lib/tracing';
import { REPO_ROOT } from './helpers/events';
import { useMoto } from './helpers/moto';
import { writeAndRefuse } from './helpers/xrayCalls';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const HELPERS = join(REPO_ROOT, 'test', 'helpers');
const LAMBDA_SEGMENT = '53995c3f42cd8ad8';
const HEADER = `Root=${ROOT};Parent=${LAMBDA_SEGMENT};Sampled=1;Lineage=a87bd80c:0`;

/** A stand-in X-Ray daemon: a UDP socket on loopback keeping every datagram it receives. */
async function startDaemon(): Promise<{
  socket: Socket;
  address: string;
  received: string[];
  documents: (count: number) => Promise<SubsegmentDocument[]>;
}> {
  const socket = createSocket('udp4');
  const received: string[] = [];
  socket.on('message', (m) => received.push(m.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  const documents = async (count: number) => {
    for (let i = 0; i < 200 && received.length < count; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return received.map((datagram) => {
      const [header, body] = datagram.split('\n');
      expect(JSON.parse(header as string)).toEqual({ format: 'json', version: 1 });
      return JSON.parse(body as string) as SubsegmentDocument;
    });
  };
  return { socket, address: `127.0.0.1:${port}`, received, documents };
}

/** One HTTP server answering 404 on /missing, 200 with a body elsewhere. */
async function startWebServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    res.statusCode = req.url?.startsWith('/missing') ? 404 : 200;
    res.setHeader('content-length', '2');
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const httpGet = (url: string) =>
  new Promise<number>((resolve, reject) =>
    get(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode as number));
    }).on('error', reject),
  );

/** What two tracers must agree on for an AWS call: everything but ids, times and request ids. */
function comparable(doc: SubsegmentDocument) {
  return {
    name: doc.name,
    namespace: doc.namespace,
    type: doc.type,
    trace_id: doc.trace_id,
    operation: doc.aws?.operation,
    region: doc.aws?.region,
    retries: doc.aws?.retries,
    hasRequestId: typeof doc.aws?.request_id === 'string' && doc.aws.request_id.length > 0,
    // Lengths differ with the table names and timestamps in the answers; that one is given matters.
    status: doc.http?.response?.status,
    hasLength: typeof doc.http?.response?.content_length === 'number',
    error: doc.error ?? false,
    throttle: doc.throttle ?? false,
    fault: doc.fault ?? false,
    causes: doc.cause?.exceptions.map((e) => ({ type: e.type, remote: e.remote })),
  };
}

describe('trace header and daemon address', () => {
  it('reads Root, Parent and Sampled, and refuses a header without a valid Root or Parent', () => {
    expect(parseTraceHeader(HEADER)).toEqual({ root: ROOT, parent: LAMBDA_SEGMENT, sampled: true });
    expect(parseTraceHeader(`Root=${ROOT};Parent=${LAMBDA_SEGMENT};Sampled=0`)?.sampled).toBe(
      false,
    );
    expect(parseTraceHeader(`Root=${ROOT}`)).toBeNull();
    expect(parseTraceHeader(`Root=1-xyz;Parent=${LAMBDA_SEGMENT};Sampled=1`)).toBeNull();
    expect(parseTraceHeader(undefined)).toBeNull();
  });

  it('takes the UDP address from either form of AWS_XRAY_DAEMON_ADDRESS', () => {
    expect(parseDaemonAddress('169.254.79.129:2000')).toEqual({
      host: '169.254.79.129',
      port: 2000,
    });
    expect(parseDaemonAddress('tcp:127.0.0.1:2000 udp:127.0.0.2:2001')).toEqual({
      host: '127.0.0.2',
      port: 2001,
    });
    expect(parseDaemonAddress('not an address')).toBeNull();
    expect(parseDaemonAddress(undefined)).toBeNull();
  });
});

describe('XRayTracer: subsegments a traced invocation sends', () => {
  const moto = useMoto();
  let daemon: Awaited<ReturnType<typeof startDaemon>>;
  let web: Awaited<ReturnType<typeof startWebServer>>;
  beforeAll(async () => {
    daemon = await startDaemon();
    web = await startWebServer();
  });
  afterAll(async () => {
    daemon.socket.close();
    await new Promise((r) => web.server.close(r));
  });

  const tracerFor = (header: string | undefined) =>
    new XRayTracer({
      serviceName: 'tourniquet-test',
      env: { AWS_XRAY_DAEMON_ADDRESS: daemon.address, _HANDLER: 'index.handler' },
      traceHeader: () => header,
    });

  it('one per invocation, AWS call and HTTP request, each naming its parent; the AWS call carries its subsegment as trace parent', async () => {
    daemon.received.length = 0;
    const tracer = tracerFor(HEADER);
    const { endpoint, region, credentials } = moto();
    const ddb = tracer.captureAWSv3Client(new DynamoDBClient({ endpoint, region, credentials }));
    const sentHeaders: string[] = [];
    ddb.middlewareStack.add(
      (next) => async (args) => {
        const headers = (args.request as { headers: Record<string, string> }).headers;
        sentHeaders.push(headers['X-Amzn-Trace-Id'] as string);
        return next(args);
      },
      { step: 'finalizeRequest', name: 'probeHeaders' },
    );
    const table = 'traced';
    const handler = middy(async () => {
      const refused = await writeAndRefuse(ddb, table);
      const missing = await httpGet(`${web.url}/missing?token=secret`);
      const fetched = (await fetch(`${web.url}/found`)).status;
      return { refused, missing, fetched };
    }).use(traceInvocations(tracer));

    expect(await handler({}, {} as never)).toEqual({
      refused: 'ConditionalCheckFailedException',
      missing: 404,
      fetched: 200,
    });
    const docs = await daemon.documents(6);
    expect(docs).toHaveLength(6);
    const invocation = docs.find((d) => d.name === '## index.handler') as SubsegmentDocument;
    expect(invocation).toMatchObject({
      type: 'subsegment',
      trace_id: ROOT,
      parent_id: LAMBDA_SEGMENT,
      annotations: { ColdStart: true, Service: 'tourniquet-test' },
    });
    expect(invocation.fault).toBeUndefined();
    const calls = docs.filter((d) => d.namespace === 'aws');
    expect(calls.map((d) => d.aws?.operation)).toEqual(['CreateTable', 'PutItem', 'PutItem']);
    for (const call of calls) {
      expect(call).toMatchObject({ name: 'DynamoDB', trace_id: ROOT, parent_id: invocation.id });
      expect(call.aws?.region).toBe('us-east-1');
      expect(call.aws?.request_id).toMatch(/\S/);
      expect(call.end_time as number).toBeGreaterThanOrEqual(call.start_time);
      expect(call.start_time).toBeGreaterThanOrEqual(invocation.start_time);
    }
    expect(calls[1]?.http?.response?.status).toBe(200);
    expect(calls[1]?.error).toBeUndefined();
    expect(calls[2]).toMatchObject({
      error: true,
      fault: true,
      http: { response: { status: 400 } },
      cause: { exceptions: [{ type: 'ConditionalCheckFailedException', remote: true }] },
    });
    // Each AWS request names its own subsegment as parent, so the service's segment hangs below it.
    expect(sentHeaders).toEqual(calls.map((c) => `Root=${ROOT};Parent=${c.id};Sampled=1`));
    // Other HTTP: one subsegment each, the SDK's own requests not traced twice, no query string.
    const remote = docs.filter((d) => d.namespace === 'remote');
    expect(remote.map((d) => [d.name, d.http])).toEqual([
      [
        '127.0.0.1',
        {
          request: { method: 'GET', url: `${web.url}/missing` },
          response: { status: 404, content_length: 2 },
        },
      ],
      [
        '127.0.0.1',
        {
          request: { method: 'GET', url: `${web.url}/found` },
          response: { status: 200, content_length: 2 },
        },
      ],
    ]);
    expect(remote[0]?.error).toBe(true);
    expect(remote.every((d) => d.parent_id === invocation.id)).toBe(true);
  });

  it('a handler that throws: the invocation is a fault with its cause; the next one is not a cold start', async () => {
    daemon.received.length = 0;
    const tracer = tracerFor(HEADER);
    const failing = middy(async () => {
      throw new TypeError('boom');
    }).use(traceInvocations(tracer));
    await expect(failing({}, {} as never)).rejects.toThrow('boom');
    await expect(failing({}, {} as never)).rejects.toThrow('boom');
    const docs = await daemon.documents(2);
    expect(docs.map((d) => d.annotations?.ColdStart)).toEqual([true, false]);
    expect(docs[0]).toMatchObject({
      fault: true,
      cause: { exceptions: [{ type: 'TypeError', message: 'boom', remote: false }] },
    });
  });

  it('sends nothing for an unsampled invocation, one without a header, or calls outside an invocation; the calls still work', async () => {
    daemon.received.length = 0;
    const { endpoint, region, credentials } = moto();
    for (const header of [`Root=${ROOT};Parent=${LAMBDA_SEGMENT};Sampled=0`, undefined]) {
      const tracer = tracerFor(header);
      const ddb = tracer.captureAWSv3Client(new DynamoDBClient({ endpoint, region, credentials }));
      await ddb.send(new GetItemCommand({ TableName: 'traced', Key: { pk: { S: 'a' } } }));
      const handler = middy(async () =>
        ddb.send(new GetItemCommand({ TableName: 'traced', Key: { pk: { S: 'a' } } })),
      ).use(traceInvocations(tracer));
      expect((await handler({}, {} as never)).Item).toEqual({ pk: { S: 'a' } });
      expect(await httpGet(`${web.url}/found`)).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(daemon.received).toEqual([]);
  });

  it('an unreachable daemon or a sender that throws never fails the traced work', async () => {
    const { endpoint, region, credentials } = moto();
    for (const tracer of [
      new XRayTracer({
        serviceName: 's',
        env: { AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:9' },
        traceHeader: () => HEADER,
      }),
      new XRayTracer({
        serviceName: 's',
        send: () => {
          throw new Error('socket gone');
        },
        traceHeader: () => HEADER,
      }),
    ]) {
      const ddb = tracer.captureAWSv3Client(new DynamoDBClient({ endpoint, region, credentials }));
      const handler = middy(async () =>
        ddb.send(new GetItemCommand({ TableName: 'traced', Key: { pk: { S: 'a' } } })),
      ).use(traceInvocations(tracer));
      expect((await handler({}, {} as never)).Item).toEqual({ pk: { S: 'a' } });
    }
  });
});

describe('XRayTracer against the X-Ray SDK: the same calls give the same AWS subsegments', () => {
  const moto = useMoto();

  /** test/helpers/xrayOracle.ts in a fresh Node process, traced by the X-Ray SDK or by XRayTracer. */
  async function traced(by: 'xray-sdk' | 'tourniquet', table: string) {
    const daemon = await startDaemon();
    const { endpoint } = moto();
    const proxy = await startFaultProxy({ target: endpoint, rate: 1, kinds: ['throttle'] });
    const child = spawn(process.execPath, ['--import', 'tsx', join(HELPERS, 'xrayOracle.ts')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        XRAY_ORACLE_BY: by,
        XRAY_ORACLE_TABLE: table,
        XRAY_ORACLE_ENDPOINT: endpoint,
        XRAY_ORACLE_THROTTLING_ENDPOINT: proxy.url,
        LAMBDA_TASK_ROOT: HELPERS,
        AWS_XRAY_DAEMON_ADDRESS: daemon.address,
        AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
        AWS_XRAY_DEBUG_MODE: '',
        _X_AMZN_TRACE_ID: HEADER,
        _HANDLER: 'index.handler',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    const docs = await daemon.documents(6);
    daemon.socket.close();
    await proxy.stop();
    return docs;
  }

  it('CreateTable, PutItem, a refused PutItem, GetItem and a throttled GetItem to moto', async () => {
    const sdk = await traced('xray-sdk', 'oracle-sdk');
    const ours = await traced('tourniquet', 'oracle-ours');
    const handlerOf = (docs: SubsegmentDocument[]) =>
      docs.find((d) => d.name === '## index.handler') as SubsegmentDocument;
    for (const docs of [sdk, ours]) {
      expect(handlerOf(docs)).toMatchObject({ trace_id: ROOT, parent_id: LAMBDA_SEGMENT });
      const calls = docs.filter((d) => d.namespace === 'aws');
      expect(calls).toHaveLength(5);
      expect(calls.every((d) => d.parent_id === handlerOf(docs).id)).toBe(true);
    }
    const calls = (docs: SubsegmentDocument[]) =>
      docs.filter((d) => d.namespace === 'aws').map(comparable);
    expect(calls(ours)).toEqual(calls(sdk));
    expect(calls(ours).map((c) => [c.operation, c.error, c.throttle, c.fault, c.retries])).toEqual([
      ['CreateTable', false, false, false, 1],
      ['PutItem', false, false, false, 1],
      ['PutItem', true, false, true, 1],
      ['GetItem', false, false, false, 1],
      ['GetItem', true, true, true, 2],
    ]);
  }, 60_000);
});
