import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, type TourniquetConfig } from '@tourniquet/core';

/** What one stage (one account) deploys, read from `tourniquet.<stage>.json` or the default config. */
export interface StageSettings {
  config: TourniquetConfig;
  /** The account this stage may deploy to (the only one in `allowedAccountIds`). */
  account: string;
  homeRegion: string;
  /** Regions whose security events are forwarded to the home region's bus. */
  forwardFrom: string[];
  approvalTimeoutSeconds: number;
  /** Where alarms go (email subscription), if anywhere. */
  alarmEmail: string | null;
}

export function stageSettings(stage: string, root = process.cwd()): StageSettings {
  const candidates = [`tourniquet.${stage}.json`, 'tourniquet.config.json'];
  for (const file of candidates) {
    let text: string;
    try {
      text = readFileSync(join(root, file), 'utf8');
    } catch {
      continue;
    }
    const document = JSON.parse(text) as Record<string, unknown>;
    const deploy = (document.deploy ?? {}) as Record<string, unknown>;
    const { deploy: _deploy, ...rest } = document;
    const config = parseConfig(rest);
    const accounts = [...new Set(config.clusters.map((c) => c.account))];
    const account = (deploy.account as string | undefined) ?? accounts[0];
    if (!account)
      throw new Error(
        `${file}: no clusters and no deploy.account: which account does stage ${stage} deploy to?`,
      );
    const homeRegion =
      (deploy.region as string | undefined) ??
      config.clusters.find((c) => c.account === account)?.region ??
      'us-east-1';
    const regions = [
      ...new Set(config.clusters.filter((c) => c.account === account).map((c) => c.region)),
    ];
    return {
      config: { ...config, clusters: config.clusters.filter((c) => c.account === account) },
      account,
      homeRegion,
      forwardFrom: regions.filter((r) => r !== homeRegion),
      approvalTimeoutSeconds: Number(deploy.approvalTimeoutSeconds ?? 900),
      alarmEmail: (deploy.alarmEmail as string | undefined) ?? null,
    };
  }
  throw new Error(
    `no configuration for stage ${stage}: create ${candidates[0]} (see docs/deploy.md)`,
  );
}
