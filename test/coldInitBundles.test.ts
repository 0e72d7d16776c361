import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction } from '../infra/bundle';
import { REPO_ROOT } from './helpers/events';

const OUT = join(REPO_ROOT, '.build', 'test', 'coldInit');

/** Strings found only in one SDK's own code: the service names its protocol signs with. */
const SDK_MARKER = {
  securityHub: 'SecurityHubAPIService',
  config: 'StarlingDoveService',
  kms: 'TrentService',
} as const;
/** Strings of the ticket sinks' own code and of Powertools Parameters (which reads secrets). */
const TICKETING_MARKER = {
  jira: '/rest/api/3/issue',
  parameters: 'POWERTOOLS_PARAMETERS_MAX_AGE',
} as const;
/** A string of the Slack messenger's own code (the Web API method it updates messages with). */
const SLACK_MARKER = 'chat.update';
/** A message of `@slack/web-api`'s own request code: the Slack SDK, which no function bundles. */
const SLACK_SDK_MARKER = 'Retry header did not contain';
/** Strings of the ticket service's own code: its Markdown report and escalation parsing. */
const TICKET_MARKER = {
  report: '## Current state',
  escalationRequest: 'escalation request',
} as const;

/**
 * A bundle as infra/ builds it, split into what a cold start loads (the entry file and the
 * chunks it imports statically, transitively) and what only an `import()` reaches.
 */
async function bundled(entry: string, name: string) {
  const outfile = join(OUT, `${name}.mjs`);
  const { files } = await bundleFunction({ entry: join(REPO_ROOT, entry), outfile });
  const text = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
  const eager = new Set<string>();
  const visit = (file: string) => {
    if (eager.has(file)) return;
    eager.add(file);
    for (const m of (text.get(file) ?? '').matchAll(
      /\bimport\s*(?:[^"'()]*?from\s*)?"(\.\/[^"]+)"/g,
    )) {
      visit(join(dirname(file), m[1] as string));
    }
  };
  visit(outfile);
  const lazy = files.filter((f) => !eager.has(f));
  const has = (set: Iterable<string>, marker: string) =>
    [...set].filter((f) => text.get(f)?.includes(marker)).map((f) => basename(f));
  return { outfile, files, eager, lazy, has };
}

type Bundled = Awaited<ReturnType<typeof bundled>>;

describe('What a cold start loads', () => {
  const ticketing = [
    ['functions/triage.ts', 'triage'],
    ['functions/openTicket.ts', 'openTicket'],
    ['functions/escalate.ts', 'escalate'],
  ] as const;
  let bundles: Map<string, Bundled>;
  beforeAll(async () => {
    bundles = new Map();
    for (const [entry, name] of ticketing) bundles.set(name, await bundled(entry, name));
  }, 600_000);

  it.each(ticketing)(
    '%s loads the Security Hub SDK only when a securityhub sink calls it',
    (_, name) => {
      const b = bundles.get(name) as Bundled;
      expect(b.has(b.eager, SDK_MARKER.securityHub)).toEqual([]);
      expect(b.has(b.lazy, SDK_MARKER.securityHub)).toHaveLength(1);
    },
  );

  it('triage loads the Config SDK only when a Config rule is looked up', () => {
    const b = bundles.get('triage') as Bundled;
    expect(b.has(b.eager, SDK_MARKER.config)).toEqual([]);
    expect(b.has(b.lazy, SDK_MARKER.config)).toHaveLength(1);
  });

  it('triage loads the ticket sinks and Powertools Parameters only when a repeat is commented on', () => {
    const b = bundles.get('triage') as Bundled;
    for (const marker of Object.values(TICKETING_MARKER)) {
      expect(b.has(b.eager, marker), marker).toEqual([]);
      expect(b.has(b.lazy, marker), marker).toHaveLength(1);
    }
    // open-ticket opens tickets on every invocation: its sinks load with it.
    const open = bundles.get('openTicket') as Bundled;
    expect(open.has(open.eager, TICKETING_MARKER.jira)).toHaveLength(1);
  });

  it('escalate loads Slack, the approval settings and KMS only when an approval has expired', () => {
    const b = bundles.get('escalate') as Bundled;
    expect(b.has(b.eager, SLACK_MARKER)).toEqual([]);
    expect(b.has(b.lazy, SLACK_MARKER)).toHaveLength(1);
    // It never reads a task token: the KMS client is not even in a lazy chunk.
    expect(b.has(b.files, SDK_MARKER.kms)).toEqual([]);
  });

  it('the approval functions record approvals on the incident with no ticket code and no Slack SDK', async () => {
    const b = await bundled('functions/decide.ts', 'decide');
    // The approval events are there; the incident report and the escalation request are not.
    expect(b.has(b.eager, '"approval-decided"')).not.toEqual([]);
    expect(b.has(b.files, TICKET_MARKER.report)).toEqual([]);
    expect(b.has(b.files, TICKET_MARKER.escalationRequest)).toEqual([]);
    expect(b.has(b.eager, SLACK_MARKER)).not.toEqual([]);
    expect(b.has(b.files, SLACK_SDK_MARKER)).toEqual([]);
  });

  it('a function whose code never reaches a securityhub sink ships no Security Hub chunk', async () => {
    const b = await bundled('functions/actions/labelPod.ts', 'labelPod');
    expect(b.files.length).toBeGreaterThan(1);
    expect(b.has(b.files, SDK_MARKER.securityHub)).toEqual([]);
  });

  it('a rebuild leaves no chunk of an earlier build next to the entry', async () => {
    const first = await bundled('functions/triage.ts', 'rebuilt');
    const stale = join(OUT, 'rebuilt.STALE000.mjs');
    writeFileSync(stale, 'export {};\n');
    const second = await bundled('functions/triage.ts', 'rebuilt');
    expect(second.files.sort()).toEqual(first.files.sort());
    expect(() => readFileSync(stale)).toThrow(/ENOENT/);
  });
});

describe('Lazily loaded SDKs in a split bundle', () => {
  it('a bundled securityhub client and Config lookup load their chunks on first use', async () => {
    mkdirSync(OUT, { recursive: true });
    const probe = join(OUT, 'lazyProbe.ts');
    writeFileSync(
      probe,
      `import { ConfigRuleLookup } from '@tourniquet/aws';
import { securityHubClients } from '@tourniquet/tickets';
export async function probe() {
  const hub = await securityHubClients({ endpoint: 'http://127.0.0.1:9' })('eu-west-1');
  let made: unknown;
  const lookup = new ConfigRuleLookup({ instrument: (client) => { made = client; throw new Error('stop here'); } });
  const refused = await lookup.source({ name: 'r', account: '111122223333', region: 'eu-west-1' }).catch((e: Error) => e.message);
  return { hub: hub.config.serviceId, config: (made as { config: { serviceId: string } }).config.serviceId, refused };
}
`,
    );
    const { outfile, lazy } = await bundled(relative(REPO_ROOT, probe), 'lazyProbe');
    expect(lazy.length).toBeGreaterThan(0);
    const { probe: run } = await import(pathToFileURL(outfile).href);
    expect(await run()).toEqual({
      hub: 'SecurityHub',
      config: 'Config Service',
      refused: 'stop here',
    });
  });
});

describe('zod in a bundle', () => {
  it('a bundled config check names the problem in English (zod/mini with its locale set)', async () => {
    mkdirSync(OUT, { recursive: true });
    const probe = join(OUT, 'zodProbe.ts');
    writeFileSync(
      probe,
      `import { parseConfig } from '@tourniquet/core';
export function probe() {
  try { parseConfig({ dryRun: 'yes', blastRadius: { maxPodsPerHour: 0 } }); return 'accepted'; }
  catch (error) { return (error as Error).message; }
}
`,
    );
    const { outfile } = await bundled(relative(REPO_ROOT, probe), 'zodProbe');
    const { probe: run } = await import(pathToFileURL(outfile).href);
    const message: string = run();
    expect(message).toContain('dryRun: Invalid input: expected boolean, received string');
    expect(message).toContain('blastRadius.maxPodsPerHour: Too small: expected number to be >=1');
  });
});
