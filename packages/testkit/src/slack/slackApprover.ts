import { DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '@tourniquet/aws';
import type { ApprovalDecision, ApprovalRequest } from '@tourniquet/core';
import type { FunctionUrlHandler, SimulatedMessage, SimulatedUser } from '@tourniquet/simulators';
import { type SlackSimulator, startSlackSimulator } from '@tourniquet/simulators';
import {
  type ApprovalLog,
  type ApprovalSettings,
  createApprovalTable,
  createSlackMessenger,
  DynamoApprovalStore,
  requestApproval,
  slackInteractionsFunction,
  UserGroupCache,
} from '@tourniquet/slack';
import { type MotoServer, startMoto } from '../emulators/moto';
import { LOCAL_CREDENTIALS } from '../localWorld';
import type { Approver } from '../playbooks/localServices';
import { InProcessTaskCompleter } from './inProcessTaskCompleter';
import { localApprovalSettings } from './localApprovalSettings';

export const LOCAL_APPROVALS_TABLE = 'tourniquet-approvals';

export interface SlackApproverOptions {
  /** What the simulated on-call clicks. */
  choice: 'approve' | 'deny';
  /** Who clicks, in order (two different people under the two-person rule). */
  clickers?: SimulatedUser[];
  settings?: ApprovalSettings;
  /** An AWS endpoint (moto) for the approvals table; without it one moto is started on first use. */
  aws?: {
    endpoint: string;
    region?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
  };
  /** One line per step, and the message JSON as posted. */
  progress?: (line: string) => void;
}

export interface SlackApproverHandle {
  approver: Approver;
  simulator: SlackSimulator;
  /** Stops the simulator and the moto this approver started (not a given one). */
  stop(): Promise<void>;
}

/**
 * An Approver for local runs that goes the deployed way: the real request-approval code stores
 * the request in DynamoDB (moto) and posts the Block Kit message with @slack/web-api to the
 * simulator; the simulated on-call clicks; the real decision endpoint verifies, authorises,
 * decides and completes the in-process Task. The approver resolves with what the Task received.
 */
export async function createSlackApprover(
  options: SlackApproverOptions,
): Promise<SlackApproverHandle> {
  const say = options.progress ?? (() => {});
  const simulator = await startSlackSimulator();
  const settings = options.settings ?? localApprovalSettings(simulator.workspace);
  const clickers = options.clickers ?? simulator.workspace.users.slice(0, 2);
  const completer = new InProcessTaskCompleter();
  const slack = createSlackMessenger({ botToken: simulator.botToken, apiUrl: simulator.apiUrl });
  const log: ApprovalLog = {
    info() {},
    warn: (message, attributes) => say(`slack: ${message} ${JSON.stringify(attributes ?? {})}`),
    error: (message, attributes) => say(`slack: ${message} ${JSON.stringify(attributes ?? {})}`),
  };
  let ownMoto: MotoServer | null = null;
  let ready: Promise<{ store: DynamoApprovalStore; endpoint: FunctionUrlHandler }> | null = null;

  const connect = async () => {
    let endpoint = options.aws?.endpoint;
    if (!endpoint) {
      say('slack: starting moto for the approvals table…');
      ownMoto = await startMoto();
      endpoint = ownMoto.endpoint;
    }
    const client = new DynamoDBClient({
      ...awsClientConfig({ region: options.aws?.region ?? 'us-east-1', endpoint }),
      credentials: options.aws?.credentials ?? LOCAL_CREDENTIALS,
    });
    await createApprovalTable(client, LOCAL_APPROVALS_TABLE).catch((error: unknown) => {
      if (!(error instanceof ResourceInUseException)) throw error;
    });
    const store = new DynamoApprovalStore({ client, tableName: LOCAL_APPROVALS_TABLE });
    const slackSettings = settings.slack;
    if (!slackSettings) throw new Error('the Slack approver needs approvals.slack settings');
    const handler: FunctionUrlHandler = slackInteractionsFunction({
      signingSecret: async () => simulator.signingSecret,
      slackSettings,
      consoleDomain: settings.consoleDomain,
      store,
      completer,
      slack,
      groups: new UserGroupCache(slack),
      now: () => new Date(),
      log,
    });
    return { store, endpoint: handler };
  };

  const approver: Approver = async (request: ApprovalRequest): Promise<ApprovalDecision> => {
    ready ??= connect();
    const { store, endpoint } = await ready;
    const completion = completer.wait(request.taskToken);
    const requested = await requestApproval(request, {
      store,
      settings,
      slack,
      now: () => new Date(),
      log,
    });
    const record = await store.get(requested.approvalId);
    const located = record?.message;
    const message = located ? simulator.record.find(located.channel, located.ts) : undefined;
    if (!requested.posted || !record || !message) {
      say(`slack: approval ${requested.approvalId} was not posted; nobody can click it`);
      completer.giveUp(request.taskToken);
    } else {
      say(`slack: posted approval ${record.approvalId} to ${message.channel} (ts ${message.ts}):`);
      say(JSON.stringify({ text: message.text, blocks: message.blocks }, null, 2));
      await clickAll(
        simulator,
        message,
        options.choice,
        clickers,
        record.requiredApprovals,
        endpoint,
        say,
      );
      completer.giveUp(request.taskToken);
    }
    const result = await completion;
    if (result.kind === 'success') return result.output;
    if (result.kind === 'timed-out') return { decision: 'expired' };
    const decided = await store.get(requested.approvalId);
    return {
      decision: 'denied',
      by: decided?.decidedBy?.id ?? 'slack',
      at: decided?.decidedAt ?? new Date().toISOString(),
    };
  };

  return {
    approver,
    simulator,
    async stop() {
      await simulator.stop();
      await (ownMoto as MotoServer | null)?.stop();
    },
  };
}

async function clickAll(
  simulator: SlackSimulator,
  message: SimulatedMessage,
  choice: 'approve' | 'deny',
  clickers: SimulatedUser[],
  required: number,
  endpoint: FunctionUrlHandler,
  say: (line: string) => void,
): Promise<void> {
  const clicks = choice === 'approve' ? required : 1;
  for (const user of clickers.slice(0, clicks)) {
    const answer = await simulator.click({ message, choice, user, to: endpoint });
    const body =
      typeof answer.body === 'string'
        ? answer.body
        : `${answer.body.result}: ${answer.body.message}`;
    say(`slack: ${user.name} clicked ${choice} → ${answer.status} ${body}`);
    if (answer.status !== 200) return;
  }
}
