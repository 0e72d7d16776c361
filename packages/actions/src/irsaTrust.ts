import type { PolicyDocument, PolicyStatement } from './policyDocument';

export interface IrsaTrustQuery {
  /** The incident cluster's IAM OIDC provider: `arn:<partition>:iam::<account>:oidc-provider/<issuer>`. */
  providerArn: string;
  /** `oidc.eks.<region>.amazonaws.com/id/<ID>`: the prefix of the `:sub` and `:aud` condition keys. */
  issuer: string;
  /** `system:serviceaccount:<ns>:<sa>`, or null when the event did not name the service account. */
  subject: string | null;
}

export type IrsaTrust =
  /**
   * `subject`: an Allow names the subject (StringEquals / StringLike on `:sub`); `some-subject`:
   * no subject was asked for and some service account of the cluster is trusted;
   * `every-service-account`: an Allow for the provider has no `:sub` condition (`:aud` only).
   */
  | { trusted: true; scope: 'subject' | 'some-subject' | 'every-service-account' }
  | { trusted: false; why: string };

const WEB_IDENTITY = 'sts:assumerolewithwebidentity';

/**
 * Whether a role's trust policy lets the cluster's service account (`subject`) assume it with
 * its web identity token. Only Allow statements count: a Deny — Tourniquet's own block
 * included — does not change whom the role was made for. Conservative wherever IAM is richer
 * than this reading: NotPrincipal / NotAction, and any operator on `:sub` other than
 * StringEquals / StringLike (with ForAnyValue: or IfExists), make a statement not count.
 *
 * A statement for the provider without a `:sub` condition lets every service account of the
 * cluster in (EKS tokens always carry `aud` sts.amazonaws.com), the compromised one included:
 * that counts as trusting the subject, reported as `every-service-account`.
 */
export function irsaTrust(document: PolicyDocument, query: IrsaTrustQuery): IrsaTrust {
  const subKey = `${query.issuer}:sub`.toLowerCase();
  let namesProvider = false;
  let best: IrsaTrust | null = null;
  for (const statement of document.Statement ?? []) {
    if (!allowsWebIdentityFrom(statement, query.providerArn)) continue;
    namesProvider = true;
    const patterns = subConditions(statement, subKey);
    if (patterns === 'unsupported') continue;
    if (patterns.length === 0) {
      best ??= { trusted: true, scope: 'every-service-account' };
      continue;
    }
    if (query.subject === null) return { trusted: true, scope: 'some-subject' };
    const subject = query.subject;
    // Operators in one statement are ANDed; values within one operator are ORed.
    if (patterns.every((anyOf) => anyOf.some((matches) => matches(subject)))) {
      return { trusted: true, scope: 'subject' };
    }
  }
  if (best) return best;
  return {
    trusted: false,
    why: namesProvider
      ? `its trust policy names ${query.issuer} but not ${query.subject ?? 'any service account'}`
      : `its trust policy does not allow sts:AssumeRoleWithWebIdentity from ${query.providerArn}`,
  };
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function allowsWebIdentityFrom(statement: PolicyStatement, providerArn: string): boolean {
  const s = statement as PolicyStatement & { NotAction?: unknown; NotPrincipal?: unknown };
  if (s.Effect !== 'Allow' || s.NotAction !== undefined || s.NotPrincipal !== undefined)
    return false;
  const actions = list(s.Action).map((a) => String(a).toLowerCase());
  if (!actions.some((a) => a === WEB_IDENTITY || a === 'sts:*' || a === '*')) return false;
  const principal = s.Principal as { Federated?: unknown } | undefined;
  return list(principal?.Federated).includes(providerArn);
}

type Matcher = (subject: string) => boolean;

/** One list of alternatives per operator that tests `:sub`, or 'unsupported'. */
function subConditions(statement: PolicyStatement, subKey: string): Matcher[][] | 'unsupported' {
  const result: Matcher[][] = [];
  for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
    for (const [key, value] of Object.entries(block ?? {})) {
      // Condition keys are case-insensitive in IAM; values are compared as the operator says.
      if (key.toLowerCase() !== subKey) continue;
      const base = operator.replace(/^ForAnyValue:/, '').replace(/IfExists$/, '');
      const values = list(value).map(String);
      if (base === 'StringEquals') result.push(values.map((v) => (s: string) => s === v));
      else if (base === 'StringLike') result.push(values.map(globMatcher));
      else return 'unsupported';
    }
  }
  return result;
}

/** IAM StringLike: `*` any run of characters, `?` one character, case-sensitive. */
function globMatcher(pattern: string): Matcher {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${source}$`, 's');
  return (s) => regex.test(s);
}
