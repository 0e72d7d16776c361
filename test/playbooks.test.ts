import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import {
  PermanentActionError,
  REVOKE_POLICY_PREFIX,
  TransientActionError,
} from '@tourniquet/actions';
import {
  createPlanner,
  functionArnsFor,
  normaliseEvent,
  parseConfig,
  playbookDefinition,
  playbookInput,
  releasableSteps,
  releaseInput,
  STATE_MACHINE_NAMES,
  triage,
} from '@tourniquet/core';
import {
  type Approver,
  approveAll,
  approveNone,
  ExecutionAlreadyExistsError,
  LocalPlaybookStarter,
  LocalWorld,
  MemoryTicketDesk,
  runPlaybookLocally,
} from '@tourniquet/local';
import aslValidator from 'asl-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvent, REPO_ROOT } from './helpers/events';

const functions = functionArnsFor('tourniquet');
const baseConfig = parseConfig(
  JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')),
);

describe('Playbook definitions', () => {
  it.each(STATE_MACHINE_NAMES)('%s is valid ASL (asl-validator, JSONPath)', (name) => {
    const definition = playbookDefinition(name, functions);
    const { isValid, errors } = aslValidator(definition, { checkPaths: true, checkArn: true });
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
    expect(definition.QueryLanguage).toBe('JSONPath');
    expect(JSON.stringify(definition)).not.toContain('{%');
  });

  it.each(STATE_MACHINE_NAMES)(
    '%s: every Task retries transient errors with jitter and catches to the escalation path',
    (name) => {
      const definition = playbookDefinition(name, functions);
      for (const [state, body] of Object.entries(definition.States)) {
        if (body.Type !== 'Task') continue;
        const retry = body.Retry as Array<{
          ErrorEquals: string[];
          JitterStrategy: string;
          BackoffRate: number;
        }>;
        expect(retry[0]?.ErrorEquals, state).toContain('TransientActionError');
        expect(retry[0]?.JitterStrategy).toBe('FULL');
        const catches = body.Catch as Array<{ ErrorEquals: string[]; Next: string }>;
        const all = catches.find((c) => c.ErrorEquals.includes('States.ALL'));
        expect(all?.Next, state).toBe(state === 'Escalate' ? 'Escalation failed' : 'Escalate');
      }
    },
  );

  it('the approval Task waits for a task token, with the configured timeout', () => {
    const definition = playbookDefinition('contain-pod', functions, {
      approvalTimeoutSeconds: 600,
    });
    const request = definition.States['Request approval'] as any;
    expect(request.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(request.TimeoutSeconds).toBe(600);
    expect(request.Parameters.Payload['taskToken.$']).toBe('$$.Task.Token');
  });
});

describe('Playbooks executed locally (aws-local-stepfunctions → real handlers → emulators)', () => {
  let world: LocalWorld;
  beforeAll(async () => {
    world = await LocalWorld.start({ config: baseConfig });
  });
  afterAll(async () => world?.stop());

  function planOf(file: string) {
    const event = world.seeded.translate(loadEvent(file));
    return createPlanner(world.config).plan(normaliseEvent(event));
  }

  async function run(
    file: string,
    approver: Approver = approveAll,
    extra: Partial<Parameters<typeof runPlaybookLocally>[2]> = {},
  ) {
    const plan = planOf(file);
    const desk = new MemoryTicketDesk();
    const execution = await runPlaybookLocally(
      playbookDefinition(plan.playbook as never, functions),
      playbookInput(plan),
      {
        runtime: world.runtime(),
        functions,
        approver,
        desk,
        ...extra,
      },
    );
    return {
      plan,
      execution,
      desk,
      results: (execution.output?.results ?? {}) as Record<string, any>,
    };
  }

  it('contain-pod happy path: every step applied, one approval, a ticket', async () => {
    const asked: string[][] = [];
    const { execution, desk, results, plan } = await run(
      'guardduty/runtime-reverse-shell-payments.json',
      async (request) => {
        asked.push(request.actions);
        return approveAll(request);
      },
    );
    expect(execution.error).toBeNull();
    expect(execution.status).toBe('SUCCEEDED');
    expect(asked).toEqual([['cordon-node', 'revoke-role-sessions']]);
    expect(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.status]))).toEqual({
      labelPod: 'applied',
      isolatePod: 'applied',
      captureEvidence: 'applied',
      protectNode: 'applied',
      cordonNode: 'applied',
      revokeRoleSessions: 'applied',
    });
    expect(execution.output?.approvalStatus).toBe('approved');
    expect([...desk.tickets.values()]).toHaveLength(1);
    await release(execution, plan);
  });

  it('on-call approves concrete targets: each step needing approval is resolved before the request', async () => {
    const shown: unknown[] = [];
    const { execution, plan } = await run(
      'guardduty/runtime-reverse-shell-payments.json',
      async (request) => {
        shown.push(request.resolved);
        return approveAll(request);
      },
    );
    expect(execution.status).toBe('SUCCEEDED');
    const instance = world.seeded.physical('i-0a1b2c3d4e5f60718');
    expect(shown).toEqual([
      {
        cordonNode: expect.objectContaining({
          status: 'resolved',
          resolved: `${instance} (node ip-10-0-12-34.ec2.internal)`,
        }),
        revokeRoleSessions: expect.objectContaining({
          status: 'resolved',
          target: 'serviceaccount-role/payments/payments-api',
          resolved: 'arn:aws:iam::111122223333:role/payments-api-irsa',
        }),
      },
    ]);
    await release(execution, plan);
  });

  async function release(
    execution: Awaited<ReturnType<typeof run>>['execution'],
    plan: ReturnType<typeof planOf>,
    approver: Approver = approveAll,
  ) {
    const output = execution.output as NonNullable<typeof execution.output>;
    const { raw: _raw, ...finding } = plan.finding;
    const input = releaseInput(plan.incidentKey, finding, releasableSteps(output));
    return runPlaybookLocally(playbookDefinition('release', functions), input, {
      runtime: world.runtime(),
      functions,
      approver,
      desk: new MemoryTicketDesk(),
    });
  }

  const podState = async () => {
    const sim = world.simulator('prod-eks-01');
    const { NetworkInterfaces = [] } = await world.aws('us-east-1').ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'addresses.private-ip-address', Values: ['10.0.12.77'] }],
      }),
    );
    const { PolicyNames = [] } = await world
      .aws('us-east-1')
      .iam.send(new ListRolePoliciesCommand({ RoleName: 'payments-api-irsa' }));
    const revocation = PolicyNames.filter((n) => n.startsWith(REVOKE_POLICY_PREFIX));
    return {
      groups: NetworkInterfaces.map((e) => (e.Groups ?? []).map((g) => g.GroupId)),
      policies: sim.list('networking.k8s.io/v1', 'NetworkPolicy').map((p) => p.metadata.name),
      labels: (sim.get('v1', 'Pod', 'payments', 'payments-api-7d9f8b6c5-x2kqp') as any).metadata
        .labels,
      cordoned:
        (sim.get('v1', 'Node', null, 'ip-10-0-12-34.ec2.internal') as any).spec?.unschedulable ??
        false,
      revocation,
    };
  };

  it('release (after approval) restores exactly the state before containment', async () => {
    const before = await podState();
    const { plan, execution } = await run('guardduty/runtime-reverse-shell-payments.json');
    expect(await podState()).not.toEqual(before);
    const released = await release(execution, plan);
    expect(released.error).toBeNull();
    expect(released.output?.approvalStatus).toBe('approved');
    expect(
      Object.values(released.output?.results ?? {}).every(
        (r: any) => r.status === 'applied' || r.status === 'skipped',
      ),
    ).toBe(true);
    expect(await podState()).toEqual(before);
  });

  it('release denied changes nothing', async () => {
    const { plan, execution } = await run('guardduty/runtime-reverse-shell-payments.json');
    const contained = await podState();
    const denied = await release(execution, plan, approveNone);
    expect(denied.output?.approvalStatus).toBe('denied');
    expect(await podState()).toEqual(contained);
    await release(execution, plan);
  });

  it('approval denied: only the non-destructive steps run, the ticket is still opened', async () => {
    const { execution, desk, results, plan } = await run(
      'guardduty/runtime-cc-activity-checkout.json',
      approveNone,
    );
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output?.approvalStatus).toBe('denied');
    expect(Object.keys(results).sort()).toEqual([
      'captureEvidence',
      'isolatePod',
      'labelPod',
      'protectNode',
    ]);
    expect(desk.tickets.size).toBe(1);
    expect(desk.pages).toEqual([]);
    await release(execution, plan);
  });

  it('approval timed out: denied by default, on-call paged, the ticket says so', async () => {
    const plan = planOf('guardduty/runtime-crypto-miner-data-critical.json');
    const desk = new MemoryTicketDesk();
    const never: Approver = () => new Promise(() => {});
    const execution = await runPlaybookLocally(
      playbookDefinition('contain-pod', functions, { approvalTimeoutSeconds: 1 }),
      playbookInput(plan),
      { runtime: world.runtime(), functions, approver: never, desk },
    );
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output?.approvalStatus).toBe('timed-out');
    expect(Object.keys(execution.output?.results ?? {})).not.toContain('cordonNode');
    expect(desk.pages.map((p) => p.reason)).toEqual(['approval-expired']);
    const [ticket] = desk.tickets.values();
    expect(`${ticket?.title} ${ticket?.comments.join(' ')}`).toMatch(/expired/);
    await release(execution, plan);
  });

  it('a transient error succeeds on retry', async () => {
    let failures = 0;
    const { execution, results, plan } = await run(
      'guardduty/runtime-reverse-shell-payments.json',
      approveAll,
      {
        beforeTask: (state) => {
          if (state === 'isolate-pod' && failures++ === 0)
            throw new TransientActionError('ThrottlingException: Rate exceeded');
        },
      },
    );
    expect(execution.status).toBe('SUCCEEDED');
    expect(results.isolatePod.status).toBe('applied');
    expect(
      execution.timeline.filter((t) => t.state === 'isolate-pod').map((t) => t.outcome),
    ).toEqual(['failed', 'retried', 'succeeded']);
    await release(execution, plan);
  });

  it('a permanent error escalates: on-call paged, the ticket says what failed, execution fails', async () => {
    const { execution, desk, results } = await run(
      'guardduty/runtime-reverse-shell-payments.json',
      approveAll,
      {
        beforeTask: (state) => {
          if (state === 'capture-evidence')
            throw new PermanentActionError(
              'capture-evidence apply: UnauthorizedOperation: not allowed',
            );
        },
      },
    );
    expect(execution.status).toBe('FAILED');
    expect(execution.error?.name).toBe('Tourniquet.Escalated');
    expect(desk.pages).toHaveLength(1);
    expect(desk.pages[0]?.failure).toMatchObject({
      Error: 'PermanentActionError',
      Cause: expect.stringContaining('UnauthorizedOperation'),
    });
    const [ticket] = desk.tickets.values();
    expect(ticket?.title).toMatch(/step failed: PermanentActionError/);
    // Isolation ran before the failure and is reported; nothing destructive ran after it.
    expect(desk.pages[0]?.results).toMatchObject({ isolatePod: { status: 'applied' } });
    expect(results).toEqual({});
    const sim = world.simulator('prod-eks-01');
    expect(
      (sim.get('v1', 'Node', null, 'ip-10-0-12-34.ec2.internal') as any).spec?.unschedulable ??
        false,
    ).toBe(false);
    // Clean up what ran before the failure: the page carries the results so far.
    const plan = planOf('guardduty/runtime-reverse-shell-payments.json');
    const partial = {
      actions: playbookInput(plan).actions,
      results: desk.pages[0]?.results as Record<string, unknown>,
    };
    const { raw: _raw, ...finding } = plan.finding;
    await runPlaybookLocally(
      playbookDefinition('release', functions),
      releaseInput(plan.incidentKey, finding, releasableSteps(partial)),
      {
        runtime: world.runtime(),
        functions,
        approver: approveAll,
        desk: new MemoryTicketDesk(),
      },
    );
  });

  it('a repeated finding and another finding on the same pod start one execution', async () => {
    const desk = new MemoryTicketDesk();
    const starter = new LocalPlaybookStarter({
      runtime: world.runtime(),
      functions,
      approver: approveAll,
      desk,
    });
    const planner = createPlanner(world.config);
    const at = new Date('2026-11-23T12:00:00Z');
    const event = (file: string) => world.seeded.translate(loadEvent(file));
    const first = await triage(
      event('guardduty/runtime-reverse-shell-payments.json'),
      planner,
      starter,
      at,
    );
    const repeat = await triage(
      event('guardduty/runtime-reverse-shell-payments-repeat.json'),
      planner,
      starter,
      at,
    );
    expect(first.execution?.status).toBe('started');
    expect(repeat.execution).toMatchObject({
      status: 'duplicate',
      executionName: first.execution?.executionName,
    });
    expect(starter.executions.size).toBe(1);
    const execution = await starter.execution(first.execution?.executionName as string);
    expect(execution.status).toBe('SUCCEEDED');
    await release(execution, first.plan);
  });

  it('the local StartExecution answers a name in use as a Standard workflow does', async () => {
    const starter = new LocalPlaybookStarter({
      runtime: world.runtime(),
      functions,
      approver: approveAll,
      desk: new MemoryTicketDesk(),
    });
    const planner = createPlanner(world.config);
    const event = world.seeded.translate(loadEvent('guardduty/runtime-cc-activity-checkout.json'));
    const plan = planner.plan(normaliseEvent(event));
    const input = playbookInput(plan);
    const first = starter.startExecution('checkout-incident', input);
    // Identical input while it runs: success, the original execution and start date.
    expect(starter.startExecution('checkout-incident', structuredClone(input))).toEqual({
      startDate: first.startDate,
      created: false,
    });
    expect(() =>
      starter.startExecution('checkout-incident', { ...input, reason: 'other input' }),
    ).toThrow(ExecutionAlreadyExistsError);
    const execution = await starter.execution('checkout-incident');
    // Closed: even identical input is ExecutionAlreadyExists.
    expect(() => starter.startExecution('checkout-incident', input)).toThrow(
      ExecutionAlreadyExistsError,
    );
    await release(execution, plan);
  });

  it.each([
    [
      'guardduty/node-runtime-cc-activity-ng-general.json',
      'contain-node',
      ['captureEvidence', 'protectNode', 'cordonNode', 'isolateNode', 'revokeRoleSessions'],
    ],
    [
      'cloudtrail/irsa-assume-web-identity-outside-egress.json',
      'revoke-identity',
      ['revokeRoleSessions', 'blockWebIdentity'],
    ],
    [
      'config/eks-endpoint-no-public-access-noncompliant.json',
      'remediate-config',
      ['disablePublicEndpoint'],
    ],
    ['config/restricted-ssh-noncompliant.json', 'remediate-config', ['revokeOpenIngress']],
    ['guardduty/audit-anonymous-access-granted.json', 'ticket-only', []],
  ])('%s runs %s end to end and a release afterwards succeeds', async (file, playbook, steps) => {
    const { plan, execution, desk, results } = await run(file);
    expect(plan.playbook).toBe(playbook);
    expect(execution.error).toBeNull();
    expect(Object.keys(results).sort()).toEqual([...steps].sort());
    expect(Object.values(results).every((r: any) => r.status === 'applied')).toBe(true);
    expect(desk.tickets.size).toBe(1);
    if (steps.length > 0) expect((await release(execution, plan)).error).toBeNull();
  });
});
