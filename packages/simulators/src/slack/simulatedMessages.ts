/** A message as the simulated Slack holds it: the JSON the bot sent, and every update. */
export interface SimulatedMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  /** Earlier versions, oldest first (chat.update pushes the replaced one here). */
  history: Array<{ text: string; blocks: unknown[] }>;
}

export interface SimulatedEphemeral {
  channel: string;
  user: string;
  text: string;
}

export interface SimulatedCall {
  method: string;
  ok: boolean;
  error?: string;
}

/** Everything the simulated workspace recorded, for assertions and the local replay's output. */
export class SlackRecord {
  readonly messages: SimulatedMessage[] = [];
  readonly ephemerals: SimulatedEphemeral[] = [];
  readonly calls: SimulatedCall[] = [];
  private counter = 0;

  /** Slack message timestamps: seconds.microseconds, unique per channel. */
  nextTs(now: number): string {
    this.counter += 1;
    return `${Math.floor(now / 1000)}.${String(this.counter).padStart(6, '0')}`;
  }

  find(channel: string, ts: string): SimulatedMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }
}
