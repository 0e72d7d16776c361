import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coldStartImports, floorBundle, importTime, stackFloorBundle } from '../bench/bundles';
import { REPO_ROOT } from './helpers/events';

/**
 * The bench divides each function's cold init by two floors: the SDK clients alone, and those
 * clients with the stack every handler carries (middy, Powertools, the tracer). Both must be
 * built from what the function's cold start really loads, or the ratios say nothing.
 */
describe('Bench: the floors a cold init is measured against', () => {
  it('finds the SDK clients and Powertools utilities a cold start loads, not those behind import()', () => {
    const triage = coldStartImports(join(REPO_ROOT, 'functions/triage.ts'));
    expect(triage.clients.map((c) => c.name).sort()).toEqual(['DynamoDBClient', 'SFNClient']);
    // Config rules are described, and repeat findings commented on (Secrets Manager through
    // Powertools Parameters), by code triage loads only when it needs it.
    expect(triage.utilities).toEqual(['idempotency']);

    const openTicket = coldStartImports(join(REPO_ROOT, 'functions/openTicket.ts'));
    expect(openTicket.clients.map((c) => c.name)).toContain('SecretsManagerClient');
    expect(openTicket.utilities).toEqual(['parameters']);

    const imds = coldStartImports(join(REPO_ROOT, 'functions/actions/requireImdsv2.ts'));
    expect(imds.clients.map((c) => c.name)).toContain('EC2Client');
    expect(imds.utilities).toEqual([]);
  });

  it('the stack floor loads, exports a handler, and carries more than the SDK floor', async () => {
    const { clients, utilities } = coldStartImports(join(REPO_ROOT, 'functions/triage.ts'));
    const floor = await floorBundle('test-triage', clients);
    const stack = await stackFloorBundle('test-triage', clients, utilities);
    // importTime throws unless a fresh process imports the bundle and finds a handler function.
    expect(importTime(stack, 'stack floor')).toBeGreaterThan(0);
    expect(importTime(floor, 'floor')).toBeGreaterThan(0);
    expect(statSync(stack).size).toBeGreaterThan(statSync(floor).size + 50 * 1024);
  });
});
