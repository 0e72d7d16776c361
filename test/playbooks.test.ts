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
  PLAYBOOK_ACTIONS,
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
} from '@tourniquet/testkit';
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
    '%s: every Task retries transient errors with jitter; a failure is recorded and the playbook goes on',
    (name) => {
      const definition = playbookDefinition(name, functions);
      const failureKeys = new Set<string>();
      for (const [state, body] of Object.entries(allStates(definition))) {
        if (body.Type !== 'Task') continue;
        const retry = body.Retry as Array<{
          ErrorEquals: string[];
          JitterStrategy: string;
          BackoffRate: number;
        }>;
        expect(retry[0]?.ErrorEquals, state).toContain('TransientActionError');
        expect(retry[0]?.ErrorEquals, state).toContain('Lambda.ClientExecutionTimeoutException');
        expect(retry[0]?.JitterStrategy).toBe('FULL');
        const catches = body.Catch as Array<{
          ErrorEquals: string[];
          Next: string;
          ResultPath: string;
        }>;
        const all = catches.find((c) => c.ErrorEquals.includes('States.ALL'));
        if (state === 'Escalate') {
          expect(all?.Next).toBe('Escalation failed');
          continue;
        }
        // Nothing but the final check leads to the escalation: every failure is recorded first.
        expect(all?.Next, state).not.toBe('Escalate');
        if (state === 'Open ticket') {
          expect(all?.ResultPath).toBe('$.ticket');
          continue;
        }
        expect(all?.ResultPath, state).toMatch(/^\$\.failures\.[A-Za-z0-9]+$/);
        // An action Task goes on to where its success would have gone; an escalation whose
        // target cannot be resolved or whose request fails is not asked for or run.
        const escalation =
          state.endsWith('(resolve, escalated)') || state.startsWith('Request approval (');
        if (body.Next !== 'Approved' && !escalation) expect(all?.Next, state).toBe(body.Next);
        failureKeys.add(String(all?.ResultPath).slice('$.failures.'.length));
      }
      // The final check looks at every key a Task can record, and only it reaches Escalate.
      const check = definition.States['Any step failed?'] as any;
      const checked = check.Choices[0].Or.map((c: { Variable: string }) => c.Variable);
      for (const key of failureKeys) expect(checked).toContain(`$.failures.${key}`);
      expect(check.Choices[0].Next).toBe('Escalate');
      expect(definition.States.Escalated).toMatchObject({
        Type: 'Fail',
        Error: 'Tourniquet.Escalated',
      });
    },
  );

  it('the approval Task waits for a task token, with the configured timeout', () => {
    const definition = playbookDefinition('contain-pod', functions, {
      approvalTimeoutSeconds: 600,
    });
    const request = allStates(definition)['Request approval'] as any;
    expect(request.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(request.TimeoutSeconds).toBe(600);
    expect(request.Parameters.Payload['taskToken.$']).toBe('$$.Task.Token');
  });

  it('contain-pod opens the ticket first, then isolates while the approval is resolved and requested', () => {
    const definition = playbookDefinition('contain-pod', functions);
    expect(definition.StartAt).toBe('Open ticket');
    expect(definition.States['Open ticket']).toMatchObject({
      Resource: functions.ticket,
      Parameters: { phase: 'start' },
      Next: 'Run steps',
    });
    const parallel = definition.States['Run steps'] as any;
    expect(parallel.Type).toBe('Parallel');
    const [auto, approval] = parallel.Branches as Array<{
      StartAt: string;
      States: Record<string, any>;
    }>;
    // The automatic branch starts with isolation; label-pod and evidence follow.
    expect(auto?.StartAt).toBe('Plan has isolate-pod?');
    // Right after isolate-pod: a pod NOT isolated pages on-call at once, guarded by IsPresent.
    expect(auto?.States['isolate-pod'].Next).toBe('pod-not-isolated?');
    expect(auto?.States['pod-not-isolated?']).toEqual({
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.results.isolatePod.data.isolated', IsPresent: true },
            { Variable: '$.results.isolatePod.data.isolated', IsBoolean: true },
            { Variable: '$.results.isolatePod.data.isolated', BooleanEquals: false },
          ],
          Next: 'Page on-call (pod-not-isolated)',
        },
      ],
      Default: 'Plan has label-pod?',
    });
    expect(auto?.States['Page on-call (pod-not-isolated)']).toMatchObject({
      Resource: functions.escalate,
      Parameters: { reason: 'pod-not-isolated' },
      Next: 'Plan has label-pod?',
    });
    expect(auto?.States['label-pod'].Next).toBe('Plan has capture-evidence?');
    // The approval branch resolves the targets needing approval, then asks.
    expect(approval?.StartAt).toBe('Plan has isolate-pod to resolve?');
    expect(Object.keys(approval?.States ?? {})).toContain('Request approval');
    expect(definition.States['Update ticket']).toMatchObject({ Parameters: { phase: 'end' } });
  });

  it('the plan and the state machine list the actions in the same order', () => {
    const order = (file: string) =>
      createPlanner(baseConfig)
        .plan(normaliseEvent(loadEvent(file)))
        .steps.map((s): string => s.action)
        .filter((a) => a !== 'open-ticket');
    const planned = order('guardduty/runtime-reverse-shell-payments.json');
    expect(planned.length).toBeGreaterThan(3);
    expect(planned).toEqual(PLAYBOOK_ACTIONS['contain-pod'].filter((a) => planned.includes(a)));
    expect(PLAYBOOK_ACTIONS['contain-pod'].slice(0, 3)).toEqual([
      'isolate-pod',
      'label-pod',
      'capture-evidence',
    ]);
  });
});

/** Every state of a definition, Parallel branches included. */
function allStates(definition: { States: Record<string, any> }): Record<string, any> {
  const states: Record<string, any> = {};
  for (const [name, body] of Object.entries(definition.States)) {
    states[name] = body;
    if (body.Type === 'Parallel')
      for (const branch of body.Branches) Object.assign(states, allStates(branch));
  }
  return states;
}

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

  it('capture-evidence failing for good: cordon, isolation and revocation still run, then one escalation names it', async () => {
    const { execution, desk, results, plan } = await run(
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
    // Every other step ran as the plan says.
    expect(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.status]))).toEqual({
      isolatePod: 'applied',
      labelPod: 'applied',
      protectNode: 'applied',
      cordonNode: 'applied',
      revokeRoleSessions: 'applied',
    });
    const sim = world.simulator('prod-eks-01');
    expect(
      (sim.get('v1', 'Node', null, 'ip-10-0-12-34.ec2.internal') as any).spec?.unschedulable,
    ).toBe(true);
    // One page, naming the failed step, after the ticket was updated with the run.
    expect(desk.pages).toHaveLength(1);
    expect(desk.pages[0]?.reason).toBe('step-failed');
    expect(desk.pages[0]?.failures).toEqual({
      captureEvidence: {
        Error: 'PermanentActionError',
        Cause: expect.stringContaining('UnauthorizedOperation'),
      },
    });
    expect(desk.pages[0]?.results).toMatchObject({ cordonNode: { status: 'applied' } });
    const [ticket] = desk.tickets.values();
    expect(ticket?.comments.at(-1)).toMatch(
      /steps failed: capture-evidence \(PermanentActionError: .*UnauthorizedOperation/,
    );
    const order = execution.timeline.map((t) => t.state);
    expect(order.indexOf('Update ticket')).toBeLessThan(order.indexOf('Escalate'));
    expect(order.filter((s) => s === 'Escalate')).toHaveLength(1);
    await release(execution, plan);
  });

  it('the approval request goes out while the automatic steps run', async () => {
    // capture-evidence (automatic) cannot start until on-call has been asked: sequential
    // playbooks, which only ask after every automatic step, never get there.
    let asked!: () => void;
    const approvalAsked = new Promise<void>((resolve) => {
      asked = resolve;
    });
    const seen: string[] = [];
    const { execution, plan } = await run(
      'guardduty/runtime-reverse-shell-payments.json',
      async (request) => {
        seen.push('approval requested');
        asked();
        return approveAll(request);
      },
      {
        beforeTask: async (state) => {
          if (state === 'capture-evidence') await approvalAsked;
          seen.push(state);
        },
      },
    );
    expect(execution.status).toBe('SUCCEEDED');
    expect(seen.indexOf('Open ticket')).toBe(0);
    expect(seen.indexOf('approval requested')).toBeLessThan(seen.indexOf('capture-evidence'));
    expect(seen.indexOf('capture-evidence')).toBeLessThan(seen.indexOf('cordon-node (approved)'));
    const request = execution.timeline.find((t) => t.state === 'Request approval');
    const evidence = execution.timeline.find(
      (t) => t.state === 'capture-evidence' && t.outcome === 'succeeded',
    );
    expect(request?.startedAt).toBeLessThanOrEqual(
      (evidence?.startedAt ?? 0) + (evidence?.durationMs ?? 0),
    );
    await release(execution, plan);
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
      [
        'captureEvidence',
        'protectNode',
        'quarantineInstanceProfile',
        'cordonNode',
        'isolateNode',
        'revokeRoleSessions',
      ],
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
