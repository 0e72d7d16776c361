import {
  CreateTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

/**
 * One table, string keys `pk`/`sk`, TTL on `ttl` (epoch seconds):
 * - `approval#<id>` / `approval`: the approval, its task token and its state;
 * - `incident#<incidentKey>` / `audit#<iso time>#<nonce>`: the incident's audit trail;
 * - `unattributed#<yyyy-mm-dd>` / `audit#…`: attempts that name no known approval;
 * - `request#<sha256>` / `request`: signatures already seen (replay guard).
 * TTL removes items lazily (up to days late), so expiry is enforced by conditions, never by TTL.
 */
export const APPROVAL_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
} as const;

export const approvalKey = (approvalId: string) => ({
  pk: `approval#${approvalId}`,
  sk: 'approval',
});

export const incidentAuditPartition = (incidentKey: string) => `incident#${incidentKey}`;

export const unattributedAuditPartition = (at: Date) =>
  `unattributed#${at.toISOString().slice(0, 10)}`;

export const requestKey = (fingerprint: string) => ({
  pk: `request#${fingerprint}`,
  sk: 'request',
});

/** Creates the table (on-demand, TTL on) for local runs and tests; infra/ creates the real one. */
export async function createApprovalTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: APPROVAL_TABLE.partitionKey, AttributeType: 'S' },
        { AttributeName: APPROVAL_TABLE.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: APPROVAL_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: APPROVAL_TABLE.sortKey, KeyType: 'RANGE' },
      ],
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: APPROVAL_TABLE.ttlAttribute, Enabled: true },
    }),
  );
}
