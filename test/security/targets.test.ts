import { CreateRoleCommand, GetRoleCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { type ActionResponse, REVOKE_POLICY_PREFIX, runActionRequest } from '@tourniquet/actions';
import {
  createPlanner,
  functionArnsFor,
  normaliseEvent,
  type Plan,
  playbookDefinition,
  playbookInput,
} from '@tourniquet/core';
import { approveAll, LocalWorld, MemoryTicketDesk, runPlaybookLocally } from '@tourniquet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvent, sampleConfig, withValue } from '../helpers/events';

/**
 * Attacks on target selection: an attacker who controls what an event or a workload says must
 * not be able to choose what Tourniquet revokes, blocks or spares. Each step runs as the
 * playbook runs it — the plan's subject through the action Lambda's request handler — against
 * moto and the Kubernetes simulator seeded with the default scenario.
 */
const config = sampleConfig();
const planner = createPlanner(config);
const VICTIM = 'payments-api-irsa';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

let world: LocalWorld;
beforeAll(async () => {
  world = await LocalWorld.start({ config });
});
afterAll(async () => world?.stop());

const iam = () => world.aws('us-east-1').iam;
const kube = () => world.kubeConfig('prod-eks-01').makeApiClient(CoreV1Api);

/** What an attacker-chosen role must keep: no revocation policy, the trust policy as seeded. */
async function roleState(name: string) {
  const { PolicyNames = [] } = await iam().send(new ListRolePoliciesCommand({ RoleName: name }));
  const revoked = PolicyNames.some((p) => p.startsWith(REVOKE_POLICY_PREFIX));
  const { Role } = await iam().send(new GetRoleCommand({ RoleName: name }));
  return { revoked, trust: decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '') };
}

/** Runs every step of a plan (approval granted) the way the playbook's Tasks do. */
async function runPlan(plan: Plan): Promise<ActionResponse[]> {
  const responses: ActionResponse[] = [];
  for (const step of plan.steps) {
    if (step.action === 'open-ticket') continue;
    responses.push(
      await runActionRequest(
        {
          incidentKey: plan.incidentKey,
          action: step.action,
          target: step.subject,
          dryRun: step.dryRun,
          finding: plan.finding,
        },
        world.runtime(),
      ),
    );
  }
  return responses;
}

const planOf = (event: unknown) => planner.plan(normaliseEvent(event));
const outsideEgress = () => loadEvent('cloudtrail/irsa-assume-web-identity-outside-egress.json');

describe('Red team: choosing the victim', () => {
  it('an AccessDenied web identity naming another workload’s role contains the caller, not that role', async () => {
    const before = await roleState(VICTIM);
    const plan = planOf(loadEvent('cloudtrail/irsa-assume-web-identity-access-denied.json'));
    const responses = await runPlan(plan);
    expect(await roleState(VICTIM)).toEqual(before);
    // The token that asked is the compromised one: its own role is revoked and blocked for it.
    expect(responses.map((r) => [r.action, r.status])).toEqual([
      ['revoke-role-sessions', 'applied'],
      ['block-web-identity', 'applied'],
    ]);
    const caller = await roleState('batch-runner-irsa');
    expect(caller.revoked).toBe(true);
    expect(caller.trust).toContain('"Effect":"Deny"');
    expect(caller.trust).toContain('system:serviceaccount:batch:batch-runner');
  });

  it('a role ARN in a foreign account is not acted on, even though a local role has its name', async () => {
    const before = await roleState(VICTIM);
    const foreign = 'arn:aws:iam::999988887777:role/payments-api-irsa';
    const plan = planOf(withValue(outsideEgress(), 'detail.requestParameters.roleArn', foreign));
    expect(plan.playbook).toBe('ticket-only');
    expect(plan.reason).toContain('is in account 999988887777');
    // A step that names it anyway (a forged or stale plan) is refused by the action itself.
    const forged = await runActionRequest(
      {
        incidentKey: plan.incidentKey,
        action: 'revoke-role-sessions',
        target: { kind: 'role', arn: foreign },
        finding: plan.finding,
      },
      world.runtime(),
    );
    expect(forged).toMatchObject({
      status: 'skipped',
      detail: expect.stringContaining("not the incident's account 111122223333"),
    });
    expect(await roleState(VICTIM)).toEqual(before);
  });

  it('a role ARN with a path IAM does not have is not acted on, though IAM names roles without paths', async () => {
    const before = await roleState(VICTIM);
    const pathed = 'arn:aws:iam::111122223333:role/team/payments-api-irsa';
    const plan = planOf(withValue(outsideEgress(), 'detail.requestParameters.roleArn', pathed));
    expect(plan.steps.map((s) => s.action)).toContain('revoke-role-sessions');
    const responses = await runPlan(plan);
    expect(responses.map((r) => [r.action, r.status])).toEqual([
      ['revoke-role-sessions', 'skipped'],
      ['block-web-identity', 'skipped'],
    ]);
    for (const r of responses) {
      expect((r as { detail: string }).detail).toContain(
        'is not the role IAM has under that name (arn:aws:iam::111122223333:role/payments-api-irsa)',
      );
    }
    expect(await roleState(VICTIM)).toEqual(before);
  });

  it('a service account annotated with an unrelated role does not get that role revoked or blocked', async () => {
    const before = await roleState(VICTIM);
    // The workload's owner (or an attacker with edit rights in the namespace) points the
    // annotation at a role that was never made for this service account.
    await kube().patchNamespacedServiceAccount(
      {
        namespace: 'payments',
        name: 'payments-ledger',
        body: {
          metadata: {
            annotations: {
              'eks.amazonaws.com/role-arn': `arn:aws:iam::111122223333:role/${VICTIM}`,
            },
          },
        },
      },
      MERGE,
    );
    const event = withValue(
      loadEvent('guardduty/runtime-reverse-shell-payments.json'),
      'detail.resource.kubernetesDetails.kubernetesWorkloadDetails.name',
      'payments-ledger-84c6b9d7f-9zj4t',
    );
    event.detail.resource.kubernetesDetails.kubernetesWorkloadDetails.uid =
      '8a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d';
    event.detail.resource.kubernetesDetails.kubernetesWorkloadDetails.serviceAccountName =
      'payments-ledger';
    const plan = planOf(event);
    const revoke = plan.steps.find((s) => s.action === 'revoke-role-sessions');
    expect(revoke?.subject).toEqual({
      kind: 'serviceaccount-role',
      namespace: 'payments',
      name: 'payments-ledger',
    });
    const ctx = { incidentKey: plan.incidentKey, finding: plan.finding };
    const outcomes = await Promise.all([
      runActionRequest(
        { ...ctx, action: 'revoke-role-sessions', target: revoke?.subject },
        world.runtime(),
      ),
      runActionRequest(
        {
          ...ctx,
          action: 'block-web-identity',
          target: {
            kind: 'web-identity',
            roleArn: null,
            namespace: 'payments',
            serviceAccount: 'payments-ledger',
          },
        },
        world.runtime(),
      ),
    ]);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({
        status: 'skipped',
        detail: expect.stringContaining(
          "role payments-api-irsa does not trust cluster prod-eks-01's service account payments/payments-ledger",
        ),
      });
    }
    expect(await roleState(VICTIM)).toEqual(before);
  });
});

describe('Red team: changing the target after on-call approved it', () => {
  it('a service account re-pointed at another role between approval and apply is not acted on', async () => {
    const issuer = config.clusters[0]?.oidcIssuer as string;
    // A role that does trust batch-runner, so every check but the approval would pass.
    await iam().send(
      new CreateRoleCommand({
        RoleName: 'batch-runner-admin',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: `arn:aws:iam::111122223333:oidc-provider/${issuer}` },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: {
                StringEquals: { [`${issuer}:sub`]: 'system:serviceaccount:batch:batch-runner' },
              },
            },
          ],
        }),
      }),
    );
    const before = await roleState('batch-runner-admin');
    const annotate = (role: string) =>
      kube().patchNamespacedServiceAccount(
        {
          namespace: 'batch',
          name: 'batch-runner',
          body: {
            metadata: {
              annotations: {
                'eks.amazonaws.com/role-arn': `arn:aws:iam::111122223333:role/${role}`,
              },
            },
          },
        },
        MERGE,
      );
    const plan = planOf(loadEvent('cloudtrail/irsa-assume-web-identity-access-denied.json'));
    const desk = new MemoryTicketDesk();
    const approved: unknown[] = [];
    try {
      const execution = await runPlaybookLocally(
        playbookDefinition('revoke-identity', functionArnsFor('tourniquet')),
        playbookInput(plan),
        {
          runtime: world.runtime(),
          functions: functionArnsFor('tourniquet'),
          desk,
          approver: async (request) => {
            approved.push(request.resolved);
            await annotate('batch-runner-admin');
            return approveAll(request);
          },
        },
      );
      expect(approved).toEqual([
        expect.objectContaining({
          revokeRoleSessions: expect.objectContaining({
            resolved: 'arn:aws:iam::111122223333:role/batch-runner-irsa',
          }),
        }),
      ]);
      expect(execution.status).toBe('FAILED');
      expect(desk.pages[0]?.failures?.revokeRoleSessions).toMatchObject({
        Error: 'PermanentActionError',
        Cause: expect.stringContaining(
          'now resolves to arn:aws:iam::111122223333:role/batch-runner-admin, but on-call approved arn:aws:iam::111122223333:role/batch-runner-irsa',
        ),
      });
      expect(await roleState('batch-runner-admin')).toEqual(before);
    } finally {
      await annotate('batch-runner-irsa');
    }
  });
});

describe('Red team: choosing to be spared', () => {
  it('a pod that labels itself tourniquet.io/protect=true is still isolated', async () => {
    const pod = { namespace: 'checkout', name: 'checkout-web-5b8c9d7f4-m7tqz' };
    await kube().patchNamespacedPod(
      { ...pod, body: { metadata: { labels: { 'tourniquet.io/protect': 'true' } } } },
      MERGE,
    );
    const outcome = await runActionRequest(
      {
        incidentKey: `111122223333:us-east-1:prod-eks-01:pod:${pod.namespace}/${pod.name}`,
        action: 'isolate-pod',
        target: { kind: 'pod', ...pod, uid: null },
        finding: {
          cluster: 'prod-eks-01',
          region: 'us-east-1',
          lastSeen: new Date().toISOString(),
        },
      },
      world.runtime(),
    );
    expect(outcome).toMatchObject({ action: 'isolate-pod', status: 'applied' });
    expect(outcome).not.toHaveProperty('protected');
  });

  it('a node that labels itself tourniquet.io/protect=true is still cordoned', async () => {
    // A node's kubelet may set labels on its own Node object: after an escape, so can the attacker.
    const name = 'ip-10-0-33-78.ec2.internal';
    await kube().patchNode(
      { name, body: { metadata: { labels: { 'tourniquet.io/protect': 'true' } } } },
      MERGE,
    );
    const outcome = await runActionRequest(
      {
        incidentKey: `111122223333:us-east-1:prod-eks-01:node:${name}`,
        action: 'cordon-node',
        target: { kind: 'node', instanceId: world.seeded.physical('i-0c3d4e5f607182930') },
        finding: {
          cluster: 'prod-eks-01',
          region: 'us-east-1',
          lastSeen: new Date().toISOString(),
        },
      },
      world.runtime(),
    );
    expect(outcome).toMatchObject({ action: 'cordon-node', status: 'applied' });
  });
});
