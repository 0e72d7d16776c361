import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiException } from '@kubernetes/client-node';
import { classifyError, getAction } from '@tourniquet/actions';
import { parseConfig } from '@tourniquet/core';
import { LocalWorld } from '@tourniquet/testkit';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionHandler } from '../functions/lib/actionHandler';
import { REPO_ROOT } from './helpers/events';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const context = {
  functionName: 'tourniquet-isolate-pod',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;
const KEY = '111122223333:us-east-1:prod-eks-01:pod:payments/payments-api-7d9f8b6c5-x2kqp';
const finding = {
  cluster: 'prod-eks-01',
  region: 'us-east-1',
  lastSeen: '2025-03-10T14:20:00.000Z',
};
const target = {
  kind: 'pod',
  namespace: 'payments',
  name: 'payments-api-7d9f8b6c5-x2kqp',
  uid: null,
};

describe('Handler: action Lambdas', () => {
  let world: LocalWorld;
  let handler: (event: unknown, context: Context) => Promise<any>;

  beforeAll(async () => {
    world = await LocalWorld.start({
      config: parseConfig(
        JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')),
      ),
    });
    handler = createActionHandler(
      getAction('isolate-pod'),
      { clients: {} },
      world.runtime(),
    ) as unknown as typeof handler;
  });
  afterAll(async () => world?.stop());

  it('applies, verifies and undoes through the Lambda contract', async () => {
    const request = { incidentKey: KEY, action: 'isolate-pod', target, finding };
    const applied = await handler({ ...request, mode: 'apply' }, context);
    expect(applied).toMatchObject({
      action: 'isolate-pod',
      status: 'applied',
      data: { mechanisms: ['security-group', 'network-policy'] },
    });
    expect(await handler({ ...request, mode: 'verify' }, context)).toMatchObject({
      status: 'verified',
    });
    const undone = await handler({ ...request, mode: 'undo' }, context);
    expect(undone.status).toBe('applied');
    await expect(handler({ ...request, mode: 'verify' }, context)).rejects.toMatchObject({
      name: 'VerificationFailedError',
    });
  });

  it('a dry-run request changes nothing', async () => {
    const outcome = await handler(
      { incidentKey: KEY, action: 'isolate-pod', target, finding, dryRun: true },
      context,
    );
    expect(outcome.status).toBe('dry-run');
    expect(world.simulator('prod-eks-01').list('networking.k8s.io/v1', 'NetworkPolicy')).toEqual(
      [],
    );
  });

  it('refuses a request for another action (each function keeps its own role)', async () => {
    await expect(
      handler({ incidentKey: KEY, action: 'cordon-node', target, finding }, context),
    ).rejects.toThrow('this function runs isolate-pod, not cordon-node');
  });

  it.each([
    [{ action: 'isolate-pod', target, finding }, 'incidentKey'],
    [
      {
        incidentKey: KEY,
        action: 'isolate-pod',
        target: { kind: 'pod', namespace: 'payments' },
        finding,
      },
      'name',
    ],
    [{ incidentKey: KEY, action: 'isolate-pod', target, finding, mode: 'explode' }, 'mode'],
  ])(
    'rejects a malformed request with InvalidParametersError naming the field (%#)',
    async (request, field) => {
      await expect(handler(request, context)).rejects.toMatchObject({
        name: 'InvalidParametersError',
        message: expect.stringContaining(field),
      });
    },
  );

  it('a pod on a cluster without a simulator connection fails as a typed error', async () => {
    await expect(
      handler(
        { incidentKey: KEY, action: 'isolate-pod', target, finding: { ...finding, cluster: null } },
        context,
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParametersError',
      message: expect.stringContaining('needs a cluster'),
    });
  });
});

describe('Typed action errors', () => {
  const aws = (name: string, status: number, extra: object = {}) =>
    Object.assign(new Error(`${name} happened`), {
      name,
      $metadata: { httpStatusCode: status },
      ...extra,
    });

  it.each([
    [aws('ThrottlingException', 400), 'TransientActionError'],
    [aws('RequestLimitExceeded', 503), 'TransientActionError'],
    [aws('InternalError', 500), 'TransientActionError'],
    [aws('SlowDown', 400, { $retryable: { throttling: true } }), 'TransientActionError'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'TransientActionError'],
    [new ApiException(429, 'Too Many Requests', {}, {}), 'TransientActionError'],
    [new ApiException(503, 'Service Unavailable', {}, {}), 'TransientActionError'],
    [aws('UnauthorizedOperation', 403), 'PermanentActionError'],
    [aws('InvalidParameterValue', 400), 'PermanentActionError'],
    [new ApiException(403, 'Forbidden', {}, {}), 'PermanentActionError'],
    [new ApiException(422, 'Invalid', {}, {}), 'PermanentActionError'],
  ])('%s → %s', (error, name) => {
    const classified = classifyError(error, 'isolate-pod apply');
    expect(classified.name).toBe(name);
    expect(classified.message).toMatch(/^isolate-pod apply: /);
    expect(classified.cause).toBe(error);
  });
});
