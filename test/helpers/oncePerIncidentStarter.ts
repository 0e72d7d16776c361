import {
  executionName,
  type Plan,
  type PlaybookStarter,
  type StartedPlaybook,
} from '@tourniquet/core';

/**
 * Step Functions' answer per incident: the first start starts, later ones are duplicates (an
 * execution name is unique per state machine). `calls` counts the starts asked for; `delayMs`
 * holds each answer, as a round trip to Step Functions would.
 */
export class OncePerIncidentStarter implements PlaybookStarter {
  private readonly started = new Set<string>();
  calls = 0;
  constructor(private readonly delayMs = 0) {}
  async start(plan: Plan, at: Date): Promise<StartedPlaybook> {
    this.calls++;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const first = !this.started.has(plan.incidentKey);
    this.started.add(plan.incidentKey);
    return {
      status: first ? 'started' : 'duplicate',
      executionName: executionName(plan.incidentKey, at),
      executionArn: null,
    };
  }
}
