import * as z from '@tourniquet/core/zod';

// Lenient on purpose: the message must still be sent when a field is missing or odd, so every
// field falls back to null instead of failing the approval request.
const text = z.catch(z.nullish(z.string()), null);
const obj = <T extends z.core.$ZodShape>(shape: T) =>
  z.catch(z.nullish(z.looseObject(shape)), null);

const findingViewSchema = z.looseObject({
  origin: text,
  id: text,
  type: text,
  title: text,
  severity: text,
  account: text,
  region: text,
  cluster: text,
  pod: obj({ namespace: text, name: text }),
  node: obj({ instanceId: text }),
  role: obj({ arn: text, serviceAccount: obj({ namespace: text, name: text }) }),
  resource: obj({ type: text, id: text }),
  count: z.catch(z.nullish(z.number()), null),
  lastSeen: text,
  sample: z.catch(z.nullish(z.boolean()), null),
  context: obj({
    ruleName: text,
    eventName: text,
    serviceAccount: obj({ namespace: text, name: text }),
  }),
});

export interface FindingView {
  origin: string | null;
  id: string | null;
  type: string;
  title: string;
  severity: string;
  account: string | null;
  region: string | null;
  cluster: string | null;
  pod: string | null;
  node: string | null;
  role: string | null;
  serviceAccount: string | null;
  resource: string | null;
  count: number | null;
  lastSeen: string | null;
  sample: boolean;
  ruleName: string | null;
}

/** The finding fields the approval message shows, from whatever the playbook passed. */
export function findingView(finding: unknown): FindingView {
  const parsed = findingViewSchema.safeParse(finding ?? {});
  const f = parsed.success ? parsed.data : findingViewSchema.parse({});
  const pod = f.pod?.name ? `${f.pod.namespace ?? 'default'}/${f.pod.name}` : null;
  // A denied web identity has no role (the one it asked for is not a target): the caller is
  // the service account in the CloudTrail context.
  const sa = f.role?.serviceAccount ?? f.context?.serviceAccount;
  return {
    origin: f.origin ?? null,
    id: f.id ?? null,
    type: f.type ?? 'unknown finding type',
    title: f.title ?? f.type ?? 'Untitled finding',
    severity: f.severity ?? 'UNKNOWN',
    account: f.account ?? null,
    region: f.region ?? null,
    cluster: f.cluster ?? null,
    pod,
    node: f.node?.instanceId ?? null,
    role: f.role?.arn ?? null,
    serviceAccount: sa?.name ? `${sa.namespace ?? 'default'}/${sa.name}` : null,
    resource: f.resource?.id ? `${f.resource.type ?? 'resource'} ${f.resource.id}` : null,
    count: f.count ?? null,
    lastSeen: f.lastSeen ?? null,
    sample: f.sample ?? false,
    ruleName: f.context?.ruleName ?? null,
  };
}
