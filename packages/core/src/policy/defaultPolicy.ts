import { DEFAULT_POLICY_JSON } from './defaultPolicy.generated';
import { type Policy, parsePolicy } from './policyFile';

/** Where the built-in policy is written; the generated module carries its content. */
export const DEFAULT_POLICY_FILE = 'packages/core/policy/default.yaml';

/** The built-in policy (packages/core/policy/default.yaml), validated like any policy file. */
export const DEFAULT_POLICY: Policy = parsePolicy(
  JSON.parse(DEFAULT_POLICY_JSON),
  DEFAULT_POLICY_FILE,
);
