import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig, DynamoIncidentStore } from '@tourniquet/aws';
import { requiredEnv } from './env';
import { tracer } from './powertools';

/** The incidents table's client, built once per cold start and traced. */
export function incidentsClient(): DynamoDBClient {
  return tracer.captureAWSv3Client(new DynamoDBClient(awsClientConfig()));
}

/** The incident store on `$INCIDENTS_TABLE` (required: every Tourniquet function records). */
export function incidentStoreFromEnv(
  client: DynamoDBClient = incidentsClient(),
): DynamoIncidentStore {
  return new DynamoIncidentStore({ client, tableName: requiredEnv('INCIDENTS_TABLE') });
}
