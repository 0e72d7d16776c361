import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decisionsTable,
  GENERATED_MODULE,
  generatedPolicyModule,
  readmeWithDecisions,
} from '../scripts/policyDoc';
import { REPO_ROOT } from './helpers/events';

describe('The built-in policy file', () => {
  it('is what the planner loads (regenerate with npm run docs:policy)', () => {
    expect(readFileSync(join(REPO_ROOT, GENERATED_MODULE), 'utf8')).toBe(generatedPolicyModule());
  });

  it('is README\'s "What it decides" table (regenerate with npm run docs:policy)', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toBe(readmeWithDecisions(readme));
    expect(decisionsTable()).toMatch(
      /^\| `pod-compromise` \| .* \| `contain-pod` \| isolate-pod, /m,
    );
  });

  it('a change to the file makes the generated module stale', () => {
    const text = readFileSync(join(REPO_ROOT, 'packages/core/policy/default.yaml'), 'utf8');
    const edited = text.replace('      - label-pod\n', '');
    expect(edited).not.toBe(text);
    expect(generatedPolicyModule(edited)).not.toBe(generatedPolicyModule(text));
  });
});
