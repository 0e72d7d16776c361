import type { SFNClient } from '@aws-sdk/client-sfn';
import { startIncidentRelease } from '@tourniquet/aws';
import {
  type ActionJournal,
  type IncidentStore,
  reachKeyFor,
  renderTarget,
  type TourniquetConfig,
} from '@tourniquet/core';
import type { ReleaseOutcome, ReleaseRequest } from '@tourniquet/slack';

export interface ReleaseStarterDeps {
  store: Pick<IncidentStore, 'head'>;
  journal: Pick<ActionJournal, 'list'>;
  sfn: SFNClient;
  clusters: TourniquetConfig['clusters'];
  /** State machine ARN by name (`release`, `release-<reach>`): PLAYBOOK_STATE_MACHINES. */
  stateMachines: Readonly<Record<string, string>>;
}

/**
 * What the Slack endpoint runs for an authorised Release click: the release playbook for the
 * incident the approval record names, through the same code as `tourniquet release`, started on
 * the copy that reaches the incident's cluster.
 */
export function createReleaseStarter(deps: ReleaseStarterDeps) {
  return async (request: ReleaseRequest): Promise<ReleaseOutcome> => {
    const release = await startIncidentRelease(request.incidentKey, {
      store: deps.store,
      journal: deps.journal,
      sfn: deps.sfn,
      now: request.now,
      stateMachineArn: (finding) => {
        const reach = reachKeyFor(deps.clusters, finding);
        const name = reach === 'public' ? 'release' : `release-${reach}`;
        const arn = deps.stateMachines[name];
        if (!arn) throw new Error(`no state machine is configured for ${name}`);
        return arn;
      },
    });
    if (release.status === 'no-incident' || release.status === 'nothing-to-release')
      return { status: release.status };
    return {
      status: release.status,
      executionArn: release.executionArn,
      steps: release.steps.map((s) => `${s.action} on ${renderTarget(s.subject)}`),
    };
  };
}
