import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MemberSettings } from './member';
import { type StageSettings, stageSettings } from './settings';

const MEMBER_DEPLOY_KEYS = ['role', 'account', 'region', 'hub', 'organizationId'];

/** A member stage's settings (`deploy.role: "member"`), from the same file stageSettings reads. */
export function memberSettings(stage: string, root = process.cwd()): MemberSettings {
  const base = stageSettings(stage, root);
  const file = [`tourniquet.${stage}.json`, 'tourniquet.config.json'].find((f) =>
    existsSync(join(root, f)),
  ) as string;
  const document = JSON.parse(readFileSync(join(root, file), 'utf8')) as Record<string, unknown>;
  try {
    return parseMemberDeploy(document.deploy, base);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

/**
 * Validates the `deploy` block of a member stage: which hub (account, stage, region) its roles
 * trust, and under which condition. A member role that trusted the hub's role with no condition
 * would be assumable by anything that one day gets that role name in the hub account.
 */
export function parseMemberDeploy(deploy: unknown, base: StageSettings): MemberSettings {
  if (typeof deploy !== 'object' || deploy === null || Array.isArray(deploy))
    throw new Error('deploy: a member stage needs a deploy block with role, account and hub');
  const d = deploy as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (!MEMBER_DEPLOY_KEYS.includes(key))
      throw new Error(
        `deploy.${key}: not used by a member stage (expected ${MEMBER_DEPLOY_KEYS.join(', ')})`,
      );
  }
  if (d.role !== 'member') throw new Error('deploy.role: expected "member" for a member stage');
  if (typeof d.account !== 'string')
    throw new Error('deploy.account: a member stage names the member account it deploys to');
  const hub = d.hub as Record<string, unknown> | undefined;
  if (typeof hub !== 'object' || hub === null || Array.isArray(hub))
    throw new Error('deploy.hub: expected {"account", "stage", "region"} of the hub stage');
  for (const key of Object.keys(hub)) {
    if (!['account', 'stage', 'region'].includes(key))
      throw new Error(`deploy.hub.${key}: unknown key (expected account, stage, region)`);
  }
  if (typeof hub.account !== 'string' || !/^\d{12}$/.test(hub.account))
    throw new Error("deploy.hub.account: expected the hub's 12-digit account id");
  if (hub.account === d.account)
    throw new Error('deploy.hub.account: the hub is this account; deploy it as a hub stage');
  if (typeof hub.stage !== 'string' || !/^[A-Za-z0-9-]{1,40}$/.test(hub.stage))
    throw new Error(
      "deploy.hub.stage: expected the hub's stage name (its roles are tourniquet-<stage>-<action>)",
    );
  if (
    hub.region !== undefined &&
    (typeof hub.region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(hub.region))
  )
    throw new Error('deploy.hub.region: expected an AWS region such as us-east-1');
  const organizationId = d.organizationId;
  if (
    organizationId !== undefined &&
    (typeof organizationId !== 'string' || !/^o-[a-z0-9]{10,32}$/.test(organizationId))
  )
    throw new Error('deploy.organizationId: expected an organization id such as o-a1b2c3d4e5');
  const entry = base.config.accounts?.[d.account];
  if (!entry)
    throw new Error(
      `accounts.${d.account}: the member account must be listed under accounts, as in the hub's configuration`,
    );
  if (!entry.externalId && !organizationId)
    throw new Error(
      `accounts.${d.account}.externalId: set it (or deploy.organizationId) so the member roles trust the hub only under a condition`,
    );
  return {
    account: d.account,
    homeRegion: base.homeRegion,
    member: entry,
    clusters: base.config.clusters,
    hub: {
      account: hub.account,
      stage: hub.stage,
      region: (hub.region as string | undefined) ?? base.homeRegion,
    },
    ...(typeof organizationId === 'string' ? { organizationId } : {}),
    forwardFrom: base.forwardFrom,
  };
}
