import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Statement } from '../../infra/permissions';
import type { AuthRequest } from './requests';

/**
 * Evaluates one request against one identity policy with @cloud-copilot/iam-simulate (AWS's
 * policy evaluation logic: explicit deny, allow, implicit deny; every condition operator).
 * AGPL-3.0: a development-time check only, never imported by anything that is bundled into a
 * function (see docs/decisions.md; scripts/iamVerify.ts checks the bundles).
 */
export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

export async function evaluate(
  principal: string,
  account: string,
  statements: readonly Statement[],
  request: AuthRequest,
): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal,
        action: request.action,
        resource: { resource: request.resource, accountId: accountOf(request.resource, account) },
        contextVariables: request.context,
      },
      identityPolicies: [
        { name: 'function', policy: { Version: '2012-10-17', Statement: statements } },
      ],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType === 'error')
    throw new Error(
      `cannot simulate ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`,
    );
  return result.overallResult as Decision;
}

/** The account that owns the resource (an ARN without one, like a snapshot's, is the caller's). */
function accountOf(arn: string, fallback: string): string {
  const account = arn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : fallback;
}
