import { describe, expect, it } from 'vitest';
import { irsaTrust } from '../src/irsaTrust';
import type { PolicyDocument, PolicyStatement } from '../src/policyDocument';

const ISSUER = 'oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const PROVIDER = `arn:aws:iam::111122223333:oidc-provider/${ISSUER}`;
const OTHER_ISSUER = 'oidc.eks.us-west-2.amazonaws.com/id/STAGING0B7E4C2A9D1F3E5A7C9B1D3EX';
const OTHER_PROVIDER = `arn:aws:iam::111122223333:oidc-provider/${OTHER_ISSUER}`;
const SUBJECT = 'system:serviceaccount:payments:payments-api';

/** The trust policy `eksctl create iamserviceaccount` writes. */
function irsaStatement(
  condition: PolicyStatement['Condition'] = {
    StringEquals: { [`${ISSUER}:sub`]: SUBJECT, [`${ISSUER}:aud`]: 'sts.amazonaws.com' },
  },
  provider = PROVIDER,
): PolicyStatement {
  return {
    Effect: 'Allow',
    Principal: { Federated: provider },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: condition,
  };
}

const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement,
});
const query = (subject: string | null = SUBJECT) => ({
  providerArn: PROVIDER,
  issuer: ISSUER,
  subject,
});

describe('irsaTrust', () => {
  it('trusts the subject a StringEquals on :sub names', () => {
    expect(irsaTrust(doc(irsaStatement()), query())).toEqual({ trusted: true, scope: 'subject' });
  });

  it('does not trust another service account of the same cluster', () => {
    const result = irsaTrust(
      doc(irsaStatement()),
      query('system:serviceaccount:batch:batch-runner'),
    );
    expect(result).toEqual({
      trusted: false,
      why: `its trust policy names ${ISSUER} but not system:serviceaccount:batch:batch-runner`,
    });
  });

  it('does not trust the subject through another cluster’s provider', () => {
    const other = irsaStatement(
      { StringEquals: { [`${OTHER_ISSUER}:sub`]: SUBJECT } },
      OTHER_PROVIDER,
    );
    expect(irsaTrust(doc(other), query())).toEqual({
      trusted: false,
      why: `its trust policy does not allow sts:AssumeRoleWithWebIdentity from ${PROVIDER}`,
    });
  });

  it.each([
    ['system:serviceaccount:payments:*', true],
    ['system:serviceaccount:payments:payments-???', true],
    ['system:serviceaccount:batch:*', false],
    ['system:serviceaccount:payments:payments.api', false],
  ])('StringLike %s → %s', (pattern, trusted) => {
    const result = irsaTrust(
      doc(irsaStatement({ StringLike: { [`${ISSUER}:sub`]: pattern } })),
      query(),
    );
    expect(result.trusted).toBe(trusted);
  });

  it('a list of subjects trusts each of them; condition keys match case-insensitively', () => {
    const statement = irsaStatement({
      StringEquals: { [`${ISSUER.toUpperCase()}:SUB`]: ['system:serviceaccount:x:y', SUBJECT] },
    });
    expect(irsaTrust(doc(statement), query()).trusted).toBe(true);
  });

  it('every condition on :sub must hold (operators are ANDed)', () => {
    const statement = irsaStatement({
      StringLike: { [`${ISSUER}:sub`]: 'system:serviceaccount:payments:*' },
      StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:payments:other' },
    });
    expect(irsaTrust(doc(statement), query()).trusted).toBe(false);
  });

  it('an :aud-only trust lets every service account of the cluster in', () => {
    const statement = irsaStatement({ StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com' } });
    expect(irsaTrust(doc(statement), query())).toEqual({
      trusted: true,
      scope: 'every-service-account',
    });
  });

  it('prefers the statement that names the subject', () => {
    const audOnly = irsaStatement({ StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com' } });
    expect(irsaTrust(doc(audOnly, irsaStatement()), query())).toEqual({
      trusted: true,
      scope: 'subject',
    });
  });

  it('without a subject, any Allow for the provider is enough', () => {
    expect(irsaTrust(doc(irsaStatement()), query(null))).toEqual({
      trusted: true,
      scope: 'some-subject',
    });
  });

  it.each<[string, PolicyStatement]>([
    ['a Deny', { ...irsaStatement(), Effect: 'Deny' }],
    [
      'an EC2 service trust',
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
    ['AssumeRole only', { ...irsaStatement(), Action: 'sts:AssumeRole' }],
    [
      'StringNotEquals on :sub',
      irsaStatement({ StringNotEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:x:y' } }),
    ],
    [
      'NotAction',
      { ...irsaStatement(), Action: undefined, NotAction: 'sts:AssumeRole' } as PolicyStatement,
    ],
  ])('%s does not count as trust', (_, statement) => {
    expect(irsaTrust(doc(statement), query()).trusted).toBe(false);
  });

  it('a Deny next to the Allow (Tourniquet’s own block) does not change whom the role trusts', () => {
    const deny = {
      ...irsaStatement({ StringEquals: { [`${ISSUER}:sub`]: SUBJECT } }),
      Effect: 'Deny' as const,
    };
    expect(irsaTrust(doc(irsaStatement(), deny), query()).trusted).toBe(true);
  });

  it('accepts Federated and Action as lists, and sts:*', () => {
    const statement: PolicyStatement = {
      ...irsaStatement(),
      Principal: { Federated: [OTHER_PROVIDER, PROVIDER] },
      Action: ['sts:TagSession', 'sts:*'],
    };
    expect(irsaTrust(doc(statement), query()).trusted).toBe(true);
  });
});
