import { Sha256 } from '@aws-crypto/sha256-js';
import { EventBridgeClient, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { awsClientConfig } from '@tourniquet/aws';
import { ROUTING_RULES, stageResourceNames, stageRules } from '@tourniquet/core';
import type { Scenario } from './scenario';

export interface DeploymentSeedOptions {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** Where the hub stage of a scenario has its home: its first cluster's region. */
export function homeRegionOf(scenario: Scenario): string {
  return scenario.clusters[0]?.region ?? 'us-east-1';
}

/**
 * What `tourniquet doctor --local` reads besides the clusters: each account's GuardDuty detector
 * in its cluster regions, and the hub stage as infra/ deploys it — the routing rules in the home
 * region, the forwarding rules in the others (names and states from core, as infra/ creates
 * them), the dead-letter queue. Replays do not need them, so LocalWorld does not seed them.
 */
export async function seedDeployment(
  scenario: Scenario,
  options: DeploymentSeedOptions,
): Promise<void> {
  const accounts = [
    { account: scenario.account, clusters: scenario.clusters, guardDuty: scenario.guardDuty },
    ...scenario.accounts,
  ];
  for (const { account, clusters, guardDuty } of accounts) {
    if (!guardDuty) continue;
    const pin: Record<string, string> =
      account === scenario.account ? {} : { 'x-moto-account-id': account };
    for (const region of new Set(clusters.map((c) => c.region))) {
      await createDetector(region, guardDuty, pin, options);
    }
  }
  const { stage, disabledRules, deadLetters } = scenario.deployment;
  const home = homeRegionOf(scenario);
  const disabled = new Set(disabledRules);
  for (const rule of stageRules(
    stage,
    home,
    scenario.clusters.map((c) => c.region),
  )) {
    const events = new EventBridgeClient({
      ...awsClientConfig({ region: rule.region, endpoint: options.endpoint }),
      credentials: options.credentials,
    });
    const routing = ROUTING_RULES.find((r) => r.name === rule.routes);
    await events.send(
      new PutRuleCommand({
        Name: rule.name,
        EventPattern: JSON.stringify(routing?.pattern),
        State: disabled.has(rule.routes) ? 'DISABLED' : rule.state,
      }),
    );
    events.destroy();
  }
  const sqs = new SQSClient({
    ...awsClientConfig({ region: home, endpoint: options.endpoint }),
    credentials: options.credentials,
  });
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: stageResourceNames.deadLetterQueue(stage) }),
  );
  for (let i = 0; i < deadLetters; i++) {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: JSON.stringify({ 'detail-type': 'GuardDuty Finding', deadLetter: i + 1 }),
      }),
    );
  }
  sqs.destroy();
}

/** GuardDuty CreateDetector (REST; moto keeps the features as given and GetDetector returns them). */
async function createDetector(
  region: string,
  guardDuty: NonNullable<Scenario['guardDuty']>,
  headers: Record<string, string>,
  options: DeploymentSeedOptions,
): Promise<void> {
  const url = new URL('/detector', options.endpoint);
  const body = JSON.stringify({
    enable: true,
    features: guardDuty.features.map((name) => ({
      name,
      status: 'ENABLED',
      ...(name === 'EKS_AUDIT_LOGS'
        ? {}
        : {
            additionalConfiguration: [
              {
                name: 'EKS_ADDON_MANAGEMENT',
                status: guardDuty.eksAddonManagement ? 'ENABLED' : 'DISABLED',
              },
            ],
          }),
    })),
  });
  const signed = await new SignatureV4({
    service: 'guardduty',
    region,
    credentials: options.credentials,
    sha256: Sha256,
  }).sign(
    new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: { host: url.host, 'content-type': 'application/json', ...headers },
      body,
    }),
  );
  const response = await fetch(url, { method: 'POST', headers: signed.headers, body });
  if (!response.ok) {
    throw new Error(`moto refused GuardDuty CreateDetector in ${region}: HTTP ${response.status}`);
  }
}
