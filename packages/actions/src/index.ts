export {
  type ActionRequest,
  type ActionResponse,
  type ActionRuntime,
  actionRequestSchema,
  runActionRequestWith,
} from './actionRequest';
export {
  currentAssociation,
  DENY_ALL_INSTANCE_PROFILE,
} from './actions/quarantineInstanceProfile';
export { REVOKE_POLICY_PREFIX, revokePolicyName } from './actions/revokeRoleSessions';
export { defineAction } from './defineAction';
export {
  type EndpointAccess,
  endpointAccessOf,
  unreachableReason,
} from './endpointReach';
export * from './errors';
export {
  type ClusterRoleBindingDocument,
  type ClusterRoleDocument,
  kubernetesActions,
  kubernetesGroup,
  kubernetesRbac,
  type RbacRule,
  rbacRules,
} from './kubernetesRbac';
export {
  type Enforcement,
  enforcementOf,
  type PolicyEnforcer,
  type SgpMode,
} from './networkEnforcement';
export { ACTIONS, getAction, type RegisteredActionName, runActionRequest } from './registry';
export { resolveRoleName } from './resolve';
export { UNTRACK_GROUP_NAME } from './securityGroupSwap';
export type * from './types';
