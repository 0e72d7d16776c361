import { APPROVAL_TABLE, INCIDENT_TABLE, incidentTableDefinition } from '@tourniquet/aws';

/**
 * DynamoDB tables, declared from the same definitions the code and the tests use:
 * - incidents (docs/incidents.md): incident items are kept; the TTL attribute is set only on the
 *   transient items that share the table (triage's idempotency records);
 * - approvals: approval requests with their task tokens, the approval audit trail and the
 *   replay guard, all with a TTL; encrypted with a key of its own, and the task tokens in it
 *   sealed with another key that only the decision functions may decrypt with (see keys()).
 *
 * With `retain` (`deploy.retainData`, on unless the config opts out) removing the stage leaves
 * both tables in the account, and the approvals table's key with them: a table kept without
 * the key that encrypts it could not be read.
 */
export function storage(retain: boolean) {
  const kept = { retainOnDelete: retain };
  const approvalsKey = new aws.kms.Key(
    'ApprovalsTableKey',
    {
      description: `tourniquet ${$app.stage}: approvals table`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    },
    kept,
  );
  const taskTokenKey = new aws.kms.Key('TaskTokenKey', {
    description: `tourniquet ${$app.stage}: seals approval task tokens`,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
  });
  const definition = incidentTableDefinition('incidents');
  const incidents = new aws.dynamodb.Table(
    'Incidents',
    {
      name: `tourniquet-${$app.stage}-incidents`,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: INCIDENT_TABLE.partitionKey,
      rangeKey: INCIDENT_TABLE.sortKey,
      attributes: (definition.AttributeDefinitions ?? []).map((a) => ({
        name: a.AttributeName as string,
        type: a.AttributeType as string,
      })),
      globalSecondaryIndexes: (definition.GlobalSecondaryIndexes ?? []).map((index) => ({
        name: index.IndexName as string,
        hashKey: index.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName as string,
        rangeKey: index.KeySchema?.find((k) => k.KeyType === 'RANGE')?.AttributeName,
        projectionType: index.Projection?.ProjectionType as string,
      })),
      ttl: { attributeName: INCIDENT_TABLE.ttlAttribute, enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
    },
    kept,
  );
  const approvals = new aws.dynamodb.Table(
    'Approvals',
    {
      name: `tourniquet-${$app.stage}-approvals`,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: APPROVAL_TABLE.partitionKey,
      rangeKey: APPROVAL_TABLE.sortKey,
      attributes: [
        { name: APPROVAL_TABLE.partitionKey, type: 'S' },
        { name: APPROVAL_TABLE.sortKey, type: 'S' },
      ],
      ttl: { attributeName: APPROVAL_TABLE.ttlAttribute, enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: approvalsKey.arn },
    },
    kept,
  );
  return { incidents, approvals, keys: { approvalsTable: approvalsKey, taskTokens: taskTokenKey } };
}

/**
 * The task-token key's policy, once the roles exist: the account may administer the key but not
 * use it, and IAM policies cannot extend that (no `kms:*` for the account root), so only
 * request-approval can seal and only the decision functions can unseal, whatever else anyone in
 * the account is allowed.
 */
export function taskTokenKeyPolicy(
  key: aws.kms.Key,
  account: $util.Input<string>,
  partition: $util.Input<string>,
  roles: { seal: aws.iam.Role[]; unseal: aws.iam.Role[] },
) {
  return new aws.kms.KeyPolicy('TaskTokenKeyPolicy', {
    keyId: key.id,
    policy: $jsonStringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Administer',
          Effect: 'Allow',
          Principal: { AWS: $interpolate`arn:${partition}:iam::${account}:root` },
          Action: [
            'kms:Describe*',
            'kms:Get*',
            'kms:List*',
            'kms:PutKeyPolicy',
            'kms:EnableKeyRotation',
            'kms:TagResource',
            'kms:UntagResource',
            'kms:ScheduleKeyDeletion',
            'kms:CancelKeyDeletion',
          ],
          Resource: '*',
        },
        {
          Sid: 'Seal',
          Effect: 'Allow',
          Principal: { AWS: roles.seal.map((r) => r.arn) },
          Action: ['kms:Encrypt'],
          Resource: '*',
        },
        {
          Sid: 'Unseal',
          Effect: 'Allow',
          Principal: { AWS: roles.unseal.map((r) => r.arn) },
          Action: ['kms:Decrypt'],
          Resource: '*',
        },
      ],
    }),
  });
}
