import { PathNotFoundError } from './errors';
import { EVICTION_GROUP_VERSION, RESOURCES, type ResourceDefinition } from './resourceDefinitions';

/** The version an EKS control plane reports; kubectl only warns on skew, never refuses. */
export const SIMULATED_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-eks-simulator',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.4',
  compiler: 'gc',
  platform: 'linux/amd64',
} as const;

const STATUS_VERBS = ['get', 'patch', 'update'] as const;

function apiResources(resource: ResourceDefinition): object[] {
  const entries: object[] = [
    {
      name: resource.plural,
      singularName: resource.singular,
      namespaced: resource.namespaced,
      kind: resource.kind,
      verbs: resource.verbs,
      shortNames: resource.shortNames,
    },
  ];
  for (const subresource of resource.subresources) {
    const name = `${resource.plural}/${subresource}`;
    entries.push(
      subresource === 'eviction'
        ? {
            name,
            singularName: '',
            namespaced: true,
            ...EVICTION_GROUP_VERSION,
            kind: 'Eviction',
            verbs: ['create'],
          }
        : {
            name,
            singularName: '',
            namespaced: resource.namespaced,
            kind: resource.kind,
            verbs: STATUS_VERBS,
          },
    );
  }
  return entries;
}

function resourceList(group: string, version: string): object {
  const resources = RESOURCES.filter((r) => r.group === group && r.version === version);
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: resources.flatMap(apiResources),
  };
}

/** Groups with their versions (kubectl drain evicts only when it finds policy/v1 here). */
function groups(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const { group, version } of RESOURCES) {
    if (!group) continue;
    const versions = found.get(group) ?? [];
    if (!versions.includes(version)) versions.push(version);
    found.set(group, versions);
  }
  return found;
}

function apiGroup(name: string, versions: string[]): object {
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

/** The discovery document at a path (`/version`, `/api`, `/apis/{group}/{version}`, ...). */
export function discoveryDocument(path: string, serverAddress: string): object {
  if (path === '/version') return SIMULATED_VERSION;
  if (path === '/api') {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }
  if (path === '/api/v1') return resourceList('', 'v1');
  const all = groups();
  if (path === '/apis') {
    const list = [...all].map(([name, versions]) => ({ ...apiGroup(name, versions) }));
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: list };
  }
  const [, , group, version] = path.split('/');
  const versions = group === undefined ? undefined : all.get(group);
  if (group === undefined || versions === undefined) throw new PathNotFoundError();
  if (version === undefined)
    return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, versions) };
  if (!versions.includes(version)) throw new PathNotFoundError();
  return resourceList(group, version);
}
