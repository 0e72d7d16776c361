import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

/**
 * The one table behind incidents (docs/incidents.md). Items of an incident share its partition,
 * so one Query reads the whole incident; the sparse, sharded, keys-only `byStatus` index lists
 * incidents (its keys change only when the status does); the TTL
 * attribute is set only on transient items (triage's idempotency records, the blast-radius
 * budget), never on an incident's own items. Approval tokens live in the approvals table.
 */
export const INCIDENT_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  statusIndex: 'byStatus',
  statusIndexPartitionKey: 'gsi1pk',
  statusIndexSortKey: 'gsi1sk',
  ttlAttribute: 'expiration',
} as const;

export const INCIDENT_ITEM = {
  head: 'META',
  auditPrefix: 'AUDIT#',
  actionPrefix: 'ACTION#',
  /**
   * Partition prefix (`DELIVERY#<incident key>`, sort key the event id) of the items recording
   * each repeat delivery of a known finding, put once (the redelivery guard).
   */
  deliveryPrefix: 'DELIVERY#',
  /**
   * Counters of repeat sightings and the joins they brought (`TALLY#F#<finding>`), and of joins
   * recorded without a sighting (`TALLY#X#<execution>`).
   */
  tallyPrefix: 'TALLY#',
} as const;

/**
 * Open incidents spread over this many `byStatus` partitions (`STATUS#open#<n>`), so listing is
 * a handful of parallel queries and no single index partition takes every incident's writes.
 */
export const STATUS_SHARDS = 8;

export function incidentPartition(key: string): string {
  return `INCIDENT#${key}`;
}

/** Fixed width, so the sort key orders audit entries and action records numerically. */
export function sequenceKey(seq: number): string {
  return String(seq).padStart(10, '0');
}

/**
 * Where Powertools Idempotency keeps a function's records in this table: one partition per
 * function, the hashed payload as sort key, `expiration` as the TTL.
 */
export function idempotencyPersistenceOptions(tableName: string, functionName = 'triage') {
  return {
    tableName,
    keyAttr: INCIDENT_TABLE.partitionKey,
    sortKeyAttr: INCIDENT_TABLE.sortKey,
    staticPkValue: `IDEMPOTENCY#${functionName}`,
    expiryAttr: INCIDENT_TABLE.ttlAttribute,
  };
}

/** The table as CreateTable takes it: what infra/ declares, and what tests and local runs create. */
export function incidentTableDefinition(tableName: string): CreateTableCommandInput {
  const t = INCIDENT_TABLE;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: t.partitionKey, AttributeType: 'S' },
      { AttributeName: t.sortKey, AttributeType: 'S' },
      { AttributeName: t.statusIndexPartitionKey, AttributeType: 'S' },
      { AttributeName: t.statusIndexSortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: t.partitionKey, KeyType: 'HASH' },
      { AttributeName: t.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: t.statusIndex,
        KeySchema: [
          { AttributeName: t.statusIndexPartitionKey, KeyType: 'HASH' },
          { AttributeName: t.statusIndexSortKey, KeyType: 'RANGE' },
        ],
        // Keys only: the index entry is written when the status changes, not on every append.
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
  };
}

/** Creates the table (and its TTL setting) unless it exists: for tests and local runs. */
export async function ensureIncidentTable(client: DynamoDBClient, tableName: string) {
  try {
    await client.send(new CreateTableCommand(incidentTableDefinition(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    return;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { Enabled: true, AttributeName: INCIDENT_TABLE.ttlAttribute },
    }),
  );
}
