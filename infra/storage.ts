import { APPROVAL_TABLE, INCIDENT_TABLE, incidentTableDefinition } from '@tourniquet/aws';

/**
 * DynamoDB tables, declared from the same definitions the code and the tests use:
 * - incidents (docs/incidents.md): incident items are kept; the TTL attribute is set only on the
 *   transient items that share the table (triage's idempotency records);
 * - approvals: approval requests with their task tokens, the approval audit trail and the
 *   replay guard, all with a TTL.
 */
export function storage() {
  const definition = incidentTableDefinition('incidents');
  const incidents = new aws.dynamodb.Table('Incidents', {
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
  });
  const approvals = new aws.dynamodb.Table('Approvals', {
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
    serverSideEncryption: { enabled: true },
  });
  return { incidents, approvals };
}
