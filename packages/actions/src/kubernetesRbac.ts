import { ACTIONS, type RegisteredActionName } from './registry';

/** An RBAC PolicyRule as a ClusterRole holds it. */
export interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

export interface ClusterRoleDocument {
  apiVersion: 'rbac.authorization.k8s.io/v1';
  kind: 'ClusterRole';
  metadata: { name: string };
  rules: RbacRule[];
}

export interface ClusterRoleBindingDocument {
  apiVersion: 'rbac.authorization.k8s.io/v1';
  kind: 'ClusterRoleBinding';
  metadata: { name: string };
  roleRef: { apiGroup: 'rbac.authorization.k8s.io'; kind: 'ClusterRole'; name: string };
  subjects: Array<{ apiGroup: 'rbac.authorization.k8s.io'; kind: 'Group'; name: string }>;
}

/** The API group of each resource a rule names (the core group when absent). */
const API_GROUPS: Readonly<Record<string, string>> = {
  networkpolicies: 'networking.k8s.io',
  daemonsets: 'apps',
  policyendpoints: 'networking.k8s.aws',
};

/** The Kubernetes group an action's EKS access entry maps its role to. */
export function kubernetesGroup(action: string): string {
  return `tourniquet:${action}`;
}

/** An action's Kubernetes rules (`verb,verb resource,resource`) as RBAC rules. */
export function rbacRules(action: RegisteredActionName): RbacRule[] {
  return ACTIONS[action].permissions.kubernetes.map((rule) => {
    const [verbs = '', resources = ''] = rule.split(' ');
    const names = resources.split(',');
    return {
      apiGroups: [...new Set(names.map((resource) => API_GROUPS[resource] ?? ''))],
      resources: names,
      verbs: verbs.split(','),
    };
  });
}

/** The actions that call the Kubernetes API, in registry order. */
export function kubernetesActions(): RegisteredActionName[] {
  return (Object.keys(ACTIONS) as RegisteredActionName[]).filter(
    (name) => ACTIONS[name].permissions.kubernetes.length > 0,
  );
}

/**
 * The ClusterRole and ClusterRoleBinding of each action that calls Kubernetes (docs/rbac.yaml):
 * the role holds exactly the verbs the action declares, bound to the group its access entry maps
 * its Lambda role to. `tourniquet doctor` reads them back and compares.
 */
export function kubernetesRbac(): Array<
  [role: ClusterRoleDocument, binding: ClusterRoleBindingDocument]
> {
  return kubernetesActions().map((name) => [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: kubernetesGroup(name) },
      rules: rbacRules(name),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: kubernetesGroup(name) },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: kubernetesGroup(name),
      },
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: kubernetesGroup(name) },
      ],
    },
  ]);
}
