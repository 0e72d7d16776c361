/**
 * The `deploy` block of a stage's configuration, validated strictly: a misspelt key or a value
 * of the wrong type stops the deploy with the key named, instead of being ignored or turning
 * into NaN somewhere in a state machine.
 */
export interface DeploySettings {
  /** The account the stage deploys to; null: the first configured cluster's. */
  account: string | null;
  /** The home region; null: the deploying account's first cluster's region. */
  region: string | null;
  approvalTimeoutSeconds: number;
  alarmEmail: string | null;
  reservedConcurrency: ReservedConcurrency;
  /**
   * Keep the incidents table (incidents, audit trail, step journal), the approvals table and the
   * approvals table's key when the stage is removed. On unless the config opts out.
   */
  retainData: boolean;
  /** Create EKS access entries for the action roles (false: mapped in aws-auth by hand). */
  accessEntries: boolean;
  /** Which program the stage deploys: the hub (default) or a member account's roles. */
  role: 'hub' | 'member';
  /** A policy file (docs/policy.md), relative to the stage file; null: the built-in policy. */
  policyFile: string | null;
}

/**
 * Concurrency set aside for the public Slack endpoint and for each containment (action)
 * function. The Slack endpoint is reachable by anyone: its reservation is also its ceiling, so a
 * flood of requests cannot take the account's concurrency from containment. The action functions'
 * reservation is a floor nothing else can take, and a ceiling on how fast they change things.
 */
export interface ReservedConcurrency {
  slackInteractions: number | null;
  actions: number | null;
}

export const DEFAULT_RESERVED_CONCURRENCY: ReservedConcurrency = {
  slackInteractions: 10,
  actions: 10,
};

/** Step Functions waits this long for an on-call decision before the request expires. */
export const APPROVAL_TIMEOUT_LIMITS = { min: 60, max: 86_400, default: 900 } as const;

/** `deploy.reservedConcurrency`: positive integers, or null to reserve nothing. */
export function parseReservedConcurrency(value: unknown): ReservedConcurrency {
  if (value === undefined) return { ...DEFAULT_RESERVED_CONCURRENCY };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(
      'deploy.reservedConcurrency: expected an object {"slackInteractions", "actions"}',
    );
  const result = { ...DEFAULT_RESERVED_CONCURRENCY };
  for (const [key, v] of Object.entries(value)) {
    if (!(key in result))
      throw new Error(
        `deploy.reservedConcurrency.${key}: unknown key (expected slackInteractions or actions)`,
      );
    // 0 would throttle every invocation: a function that never runs, not a limit.
    if (v !== null && !(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1000))
      throw new Error(
        `deploy.reservedConcurrency.${key}: expected an integer from 1 to 1000, or null for none (got ${JSON.stringify(v)})`,
      );
    result[key as keyof ReservedConcurrency] = v as number | null;
  }
  return result;
}

type Parsers = { [K in keyof DeploySettings]: (value: unknown) => DeploySettings[K] };

class Invalid extends Error {}

const expected = (what: string, value: unknown): never => {
  throw new Invalid(`expected ${what} (got ${JSON.stringify(value)})`);
};

/** One parser per key: the list of known keys, their defaults and their types in one place. */
const PARSERS: Parsers = {
  account: (v) =>
    v === undefined
      ? null
      : typeof v === 'string' && /^\d{12}$/.test(v)
        ? v
        : expected('a 12-digit AWS account id as a string', v),
  region: (v) =>
    v === undefined
      ? null
      : typeof v === 'string' && /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(v)
        ? v
        : expected('an AWS region such as us-east-1', v),
  approvalTimeoutSeconds: (v) => {
    if (v === undefined) return APPROVAL_TIMEOUT_LIMITS.default;
    const { min, max } = APPROVAL_TIMEOUT_LIMITS;
    return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? v
      : expected(`a whole number of seconds from ${min} to ${max}`, v);
  },
  alarmEmail: (v) =>
    v === undefined || v === null
      ? null
      : typeof v === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)
        ? v
        : expected('an e-mail address, or null', v),
  reservedConcurrency: (v) => {
    try {
      return parseReservedConcurrency(v);
    } catch (error) {
      // parseReservedConcurrency names the nested key itself.
      throw new Invalid((error as Error).message);
    }
  },
  retainData: (v) =>
    v === undefined ? true : typeof v === 'boolean' ? v : expected('true or false', v),
  accessEntries: (v) =>
    v === undefined ? true : typeof v === 'boolean' ? v : expected('true or false', v),
  policyFile: (v) =>
    v === undefined || v === null
      ? null
      : typeof v === 'string' && v.trim() !== ''
        ? v
        : expected('the path of a policy file, or null for the built-in policy', v),
  role: (v) =>
    v === undefined || v === 'hub'
      ? 'hub'
      : v === 'member'
        ? 'member'
        : expected('"hub" or "member"', v),
};

export const DEPLOY_KEYS = Object.keys(PARSERS) as Array<keyof DeploySettings>;

/**
 * Validates `deploy` (absent: every default). Every problem is reported at once, each naming its
 * key; an unknown key suggests the known one it is closest to.
 */
export function parseDeploySettings(value: unknown): DeploySettings {
  if (value === undefined) value = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`deploy: expected an object (got ${JSON.stringify(value)})`);
  const problems: string[] = [];
  for (const key of Object.keys(value)) {
    if ((DEPLOY_KEYS as string[]).includes(key)) continue;
    const near = closestKey(key, DEPLOY_KEYS);
    problems.push(
      `deploy.${key}: unknown key${near ? ` (did you mean ${near}?)` : ''}; known keys: ${DEPLOY_KEYS.join(', ')}`,
    );
  }
  const settings: Partial<Record<keyof DeploySettings, unknown>> = {};
  for (const key of DEPLOY_KEYS) {
    try {
      settings[key] = PARSERS[key]((value as Record<string, unknown>)[key]);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      problems.push(
        error.message.startsWith('deploy.') ? error.message : `deploy.${key}: ${error.message}`,
      );
    }
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return settings as DeploySettings;
}

/** The known key a misspelling most likely meant: same letters ignoring case, a prefix, or a few edits away. */
export function closestKey(key: string, known: readonly string[]): string | null {
  const lower = key.toLowerCase();
  let best: { key: string; distance: number } | null = null;
  for (const candidate of known) {
    const c = candidate.toLowerCase();
    if (c === lower) return candidate;
    if (lower.length >= 4 && (c.startsWith(lower) || lower.startsWith(c))) return candidate;
    const distance = editDistance(lower, c);
    if (distance <= Math.max(2, Math.floor(c.length / 4)) && (!best || distance < best.distance))
      best = { key: candidate, distance };
  }
  return best?.key ?? null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}
