import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DOCTOR_USAGE } from '../src/doctorCommand';
import { main } from '../src/main';

const REPO = join(import.meta.dirname, '..', '..', '..');

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: REPO,
  });
  return { code, stdout, stderr };
}

describe('tourniquet preflight (the first name of doctor)', () => {
  it('is doctor: the same help', async () => {
    const { code, stdout } = await run(['preflight', '--help']);
    expect(code).toBe(0);
    expect(stdout).toBe(DOCTOR_USAGE);
    expect(stdout).toMatch(/'tourniquet preflight' is the same command/);
  });

  it('asks, as doctor does, which stage to check', async () => {
    const { code, stderr } = await run(['preflight']);
    expect(code).toBe(64);
    expect(stderr).toMatch(/^tourniquet preflight: name the deployed stage with --stage STAGE/);
  });
});

describe('tourniquet doctor --stage without AWS credentials', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    for (const key of Object.keys(process.env)) {
      if (key.startsWith('AWS_')) delete process.env[key];
    }
    process.env.AWS_CONFIG_FILE = join(REPO, 'no-such-aws-config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(REPO, 'no-such-aws-credentials');
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('says so in one line and exits 64', async () => {
    const { code, stdout, stderr } = await run(['doctor', '--stage', 'prod']);
    expect(code).toBe(64);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^tourniquet doctor: no AWS credentials found: set AWS_PROFILE/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});
