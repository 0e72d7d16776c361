import { loadEvent, without, withValue } from '@tourniquet/core/testkit';
import { describe, expect, it } from 'vitest';
import { EventValidationError, normaliseEvent } from '../src';

const outside = loadEvent('cloudtrail/irsa-assume-web-identity-outside-egress.json');
const ISSUER = 'oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';

describe('Normaliser: CloudTrail (IRSA)', () => {
  it('AssumeRoleWithWebIdentity names the role, the service account and the OIDC issuer', () => {
    const f = normaliseEvent(outside);
    expect(f).toMatchObject({
      origin: 'cloudtrail',
      type: 'CloudTrail:sts/AssumeRoleWithWebIdentity',
      severity: 'HIGH',
      cluster: null,
      role: { arn: outside.detail.requestParameters.roleArn },
      resource: { type: 'AWS::IAM::Role' },
      context: {
        identity: 'web-identity',
        oidcIssuer: ISSUER,
        sourceIp: '203.0.113.10',
        errorCode: null,
      },
    });
    expect(f.role?.serviceAccount).toEqual(
      expect.objectContaining({ namespace: expect.any(String), name: expect.any(String) }),
    );
    expect(f.id).toBe(outside.detail.eventID);
  });

  it('AccessDenied is recorded with its error code and MEDIUM severity', () => {
    const f = normaliseEvent(loadEvent('cloudtrail/irsa-assume-web-identity-access-denied.json'));
    expect(f.severity).toBe('MEDIUM');
    expect(f.context).toMatchObject({ identity: 'web-identity', errorCode: 'AccessDenied' });
    expect(f.title).toContain('AccessDenied');
  });

  it('AccessDenied names the requesting service account; the role it asked for is not the finding role', () => {
    const event = loadEvent('cloudtrail/irsa-assume-web-identity-access-denied.json');
    const f = normaliseEvent(event);
    expect(f.role).toBeNull();
    expect(f.resource).toBeNull();
    expect(f.context).toMatchObject({
      serviceAccount: { namespace: 'batch', name: 'batch-runner' },
      requestedRoleArn: event.detail.requestParameters.roleArn,
    });
    expect(f.title).toContain(`for ${event.detail.requestParameters.roleArn}`);
  });

  it('a later call with the IRSA session names the role from the session issuer', () => {
    const event = loadEvent('cloudtrail/irsa-session-ec2-start-instances-outside.json');
    const f = normaliseEvent(event);
    expect(f.type).toBe('CloudTrail:ec2/StartInstances');
    expect(f.role).toEqual({
      arn: event.detail.userIdentity.sessionContext.sessionIssuer.arn,
      serviceAccount: null,
    });
    expect(f.context).toMatchObject({ identity: 'irsa-session', oidcIssuer: ISSUER });
  });

  it.each([
    'negative/cloudtrail-sts-assume-role-iam-user.json',
    'negative/cloudtrail-iam-user-get-secret-value.json',
    'negative/cloudtrail-assumed-role-without-web-identity.json',
  ])('%s is not an IRSA identity', (file) => {
    expect(normaliseEvent(loadEvent(file)).context).toMatchObject({
      identity: 'other',
      oidcIssuer: null,
    });
  });

  it('a web identity from a non-EKS OIDC provider is not IRSA', () => {
    const event = withValue(
      outside,
      'detail.userIdentity.identityProvider',
      'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com',
    );
    expect(normaliseEvent(event).context).toMatchObject({ identity: 'other' });
  });

  it.each([
    [without(outside, 'detail.sourceIPAddress'), 'detail.sourceIPAddress'],
    [withValue(outside, 'detail.eventTime', 'not a time'), 'detail.eventTime'],
    [without(outside, 'detail.userIdentity'), 'detail.userIdentity'],
    [withValue(outside, 'detail.userIdentity.type', 7), 'detail.userIdentity.type'],
  ])('rejects a broken event naming the field (%#: %s)', (event, field) => {
    expect(() => normaliseEvent(event)).toThrow(EventValidationError);
    expect(() => normaliseEvent(event)).toThrow(`${field}:`);
  });
});

describe('Normaliser: EventBridge envelope', () => {
  it.each([
    [null, 'got null'],
    [[outside], 'got an array'],
    ['{"id":1}', 'got string'],
  ])('rejects %j that is not an event object', (value, message) => {
    expect(() => normaliseEvent(value)).toThrow(message);
  });

  it.each([
    [without(outside, 'detail-type'), 'detail-type:'],
    [withValue(outside, 'account', 'root'), 'account:'],
    [without(outside, 'detail'), 'detail:'],
    [withValue(outside, 'time', 'soon'), 'time:'],
  ])('rejects a broken envelope naming the field (%#)', (event, field) => {
    expect(() => normaliseEvent(event)).toThrow(field);
  });

  it('rejects an event from a source Tourniquet does not handle', () => {
    expect(() =>
      normaliseEvent({ ...outside, source: 'aws.s3', 'detail-type': 'Object Created' }),
    ).toThrow(/source "aws\.s3" with detail-type "Object Created" is not/);
  });

  it('does not accept a GuardDuty detail-type from another source', () => {
    expect(() =>
      normaliseEvent({
        ...loadEvent('guardduty/runtime-reverse-shell-payments.json'),
        source: 'custom.forged',
      }),
    ).toThrow(/is not a GuardDuty finding/);
  });
});
