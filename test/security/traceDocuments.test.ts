import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import middy from '@middy/core';
import { type SubsegmentDocument, XRayTracer } from '@tourniquet/aws';
import { describe, expect, it } from 'vitest';
import { traceInvocations } from '../../functions/lib/tracing';

const HEADER = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
/** The most one UDP datagram to the X-Ray daemon can carry. */
const DATAGRAM_LIMIT = 64 * 1024;

/** Text an attacker chooses: long, with quotes, braces, newlines and control characters. */
const HOSTILE = `"},"fault":false,"annotations":{"Service":"forged"}}\n\u001b[31m${'x'.repeat(100_000)}`;

async function traced(work: () => Promise<unknown>) {
  const daemon = createSocket('udp4');
  const received: Buffer[] = [];
  daemon.on('message', (m) => received.push(m));
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  const tracer = new XRayTracer({
    serviceName: 'tourniquet-isolate-pod',
    env: {
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
      _HANDLER: 'index.handler',
    },
    traceHeader: () => HEADER,
  });
  await middy(work)
    .use(traceInvocations(tracer))({}, {} as never)
    .catch(() => undefined);
  for (let i = 0; i < 200 && received.length === 0; i++)
    await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 50));
  daemon.close();
  return received;
}

function parsed(datagram: Buffer): SubsegmentDocument {
  const text = datagram.toString('utf8');
  const newline = text.indexOf('\n');
  expect(JSON.parse(text.slice(0, newline))).toEqual({ format: 'json', version: 1 });
  return JSON.parse(text.slice(newline + 1)) as SubsegmentDocument;
}

describe('trace documents carrying attacker-chosen text', () => {
  it('an error message an attacker wrote is cut, stays inside its field, and the document still fits one datagram', async () => {
    const [datagram, ...rest] = await traced(async () => {
      throw new Error(`pod ${HOSTILE} not found`);
    });
    expect(rest).toEqual([]);
    expect(datagram?.length).toBeLessThanOrEqual(DATAGRAM_LIMIT);
    const doc = parsed(datagram as Buffer);
    expect(doc.annotations).toEqual({ ColdStart: true, Service: 'tourniquet-isolate-pod' });
    expect(doc.fault).toBe(true);
    expect(doc.cause?.exceptions).toHaveLength(1);
    expect(doc.cause?.exceptions[0]?.message.length).toBe(1024);
    expect(doc.cause?.exceptions[0]?.message.startsWith('pod "},"fault":false')).toBe(true);
  });

  it('a request path built from an attacker-chosen name is cut, and its query string (where a token could travel) is never recorded', async () => {
    const server = createServer((_, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const name = encodeURIComponent(HOSTILE.slice(0, 20_000));
    const datagrams = await traced(async () => {
      await fetch(`${base}/api/v1/namespaces/prod/pods/${name}?token=secret-value`);
    });
    await new Promise((r) => server.close(r));
    const docs = datagrams.map(parsed);
    const remote = docs.find((d) => d.namespace === 'remote') as SubsegmentDocument;
    expect(datagrams.every((d) => d.length <= DATAGRAM_LIMIT)).toBe(true);
    expect(remote.http?.request?.url.length).toBe(2048);
    expect(remote.http?.request?.url.startsWith(`${base}/api/v1/namespaces/prod/pods/`)).toBe(true);
    expect(datagrams.some((d) => d.toString('utf8').includes('secret-value'))).toBe(false);
  });
});
