import type { AwsClientOverrides, IncidentStore } from '@tourniquet/aws';
import type { PlaybookStarter } from '@tourniquet/core';
import {
  JIRA_SIMULATOR_CREDENTIALS,
  type JiraSimulator,
  PAGERDUTY_SIMULATOR_ROUTING_KEY,
  type PagerDutySimulator,
  SERVICENOW_SIMULATOR_CREDENTIALS,
  type ServiceNowSimulator,
  startJiraSimulator,
  startPagerDutySimulator,
  startServiceNowSimulator,
} from '@tourniquet/simulators';
import {
  createSinks,
  IncidentRecordingStarter,
  parseTicketSettings,
  securityHubClients,
  TicketService,
  type TicketService as TicketServiceType,
  type TicketSink,
} from '@tourniquet/tickets';
import type { Approver, TicketDesk } from '../playbooks/localServices';
import { LocalSink } from './localSink';

export const LOCAL_TICKET_SINKS = [
  'local',
  'jira',
  'pagerduty',
  'servicenow',
  'securityhub',
] as const;
export type LocalTicketSink = (typeof LOCAL_TICKET_SINKS)[number];

/** `jira`, `jira,pagerduty`, `all` (every real sink, simulated) or `none` (the record is the ticket). */
export function parseTicketSinks(value: string): LocalTicketSink[] {
  const v = value.trim();
  if (v === 'none') return [];
  if (v === 'all') return ['jira', 'pagerduty', 'servicenow', 'securityhub'];
  const names = v.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!(LOCAL_TICKET_SINKS as readonly string[]).includes(name)) {
      throw new Error(
        `unknown ticket sink '${name}': expected ${LOCAL_TICKET_SINKS.join(', ')}, all or none`,
      );
    }
  }
  return [...new Set(names)] as LocalTicketSink[];
}

export interface LocalTicketingOptions {
  sinks: readonly LocalTicketSink[];
  store: IncidentStore;
  /** moto, for the Security Hub sink (BatchImportFindings). */
  aws?: AwsClientOverrides & { region: string; account?: string };
  /** Audit trail actor prefix (default `local`: `local:triage`, `local:tickets`). */
  actor?: string;
  now?: () => Date;
  claimLeaseSeconds?: number;
}

export interface LocalTicketing {
  service: TicketServiceType;
  /** For the local playbook runner's ticket and escalation Tasks. */
  desk: TicketDesk;
  store: IncidentStore;
  simulators: {
    jira?: JiraSimulator;
    pagerduty?: PagerDutySimulator;
    servicenow?: ServiceNowSimulator;
  };
  local: LocalSink | null;
  /** The approver, with every request and decision (and who made it) recorded on the incident. */
  recordApprovals(approver: Approver): Approver;
  /** The starter, with every finding and execution recorded on the incident (triage's part). */
  recordIncidents(starter: PlaybookStarter): PlaybookStarter;
  stop(): Promise<void>;
}

/** Secret names the local settings point at; the simulators' credentials are their values. */
const SECRETS: Readonly<Record<string, unknown>> = {
  'tourniquet/local/jira': JIRA_SIMULATOR_CREDENTIALS,
  'tourniquet/local/pagerduty': { routingKey: PAGERDUTY_SIMULATOR_ROUTING_KEY },
  'tourniquet/local/servicenow': SERVICENOW_SIMULATOR_CREDENTIALS,
};

/**
 * The ticket side of a local run, built from the deployed code: the same settings parser,
 * sinks, ticket service and recording starter as the Lambdas, with Jira, PagerDuty and
 * ServiceNow simulated over HTTP on 127.0.0.1 and Security Hub in moto. Stop it when done.
 */
export async function startLocalTicketing(options: LocalTicketingOptions): Promise<LocalTicketing> {
  const simulators: LocalTicketing['simulators'] = {};
  try {
    const settings: Array<Record<string, unknown>> = [];
    for (const sink of options.sinks) {
      if (sink === 'jira') {
        simulators.jira = await startJiraSimulator();
        settings.push({
          type: 'jira',
          baseUrl: simulators.jira.url,
          projectKey: 'SEC',
          credentialsSecret: 'tourniquet/local/jira',
        });
      } else if (sink === 'pagerduty') {
        simulators.pagerduty = await startPagerDutySimulator();
        settings.push({
          type: 'pagerduty',
          eventsUrl: `${simulators.pagerduty.url}/v2/enqueue`,
          credentialsSecret: 'tourniquet/local/pagerduty',
        });
      } else if (sink === 'servicenow') {
        simulators.servicenow = await startServiceNowSimulator();
        settings.push({
          type: 'servicenow',
          instanceUrl: simulators.servicenow.url,
          credentialsSecret: 'tourniquet/local/servicenow',
        });
      } else if (sink === 'securityhub') {
        if (!options.aws) throw new Error('the securityhub sink needs moto (aws.endpoint)');
        settings.push({
          type: 'securityhub',
          ...(options.aws.account ? { account: options.aws.account } : {}),
        });
      }
    }
    const region = options.aws?.region ?? 'us-east-1';
    const real = createSinks(parseTicketSettings({ sinks: settings }), {
      secrets: async (name) => SECRETS[name],
      securityHub: securityHubClients(options.aws ?? {}),
      defaultRegion: region,
    });
    const local = options.sinks.includes('local') ? new LocalSink() : null;
    // Keep the order asked for: the first sink is the primary one.
    const sinks: TicketSink[] = options.sinks.map((name) =>
      name === 'local' ? (local as LocalSink) : (real.shift() as TicketSink),
    );
    const service = new TicketService({
      store: options.store,
      sinks,
      actor: `${options.actor ?? 'local'}:tickets`,
      now: options.now,
      claimLeaseSeconds: options.claimLeaseSeconds,
    });
    return {
      service,
      desk: { openTicket: (r) => service.openTicket(r), escalate: (r) => service.escalate(r) },
      store: options.store,
      simulators,
      local,
      recordApprovals: (approver) => async (request) => {
        await service.approvalRequested(request);
        const decision = await approver(request);
        // An expired approval is recorded by the escalation that follows it.
        if (decision.decision !== 'expired') await service.approvalDecided(request, decision);
        return decision;
      },
      recordIncidents: (starter) =>
        new IncidentRecordingStarter(starter, {
          store: options.store,
          tickets: service,
          actor: `${options.actor ?? 'local'}:triage`,
          now: options.now,
        }),
      stop: async () => {
        await Promise.allSettled(Object.values(simulators).map((s) => s.stop()));
      },
    };
  } catch (error) {
    await Promise.allSettled(Object.values(simulators).map((s) => s.stop()));
    throw error;
  }
}
