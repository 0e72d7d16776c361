/**
 * Run in a fresh Node process by test/xrayTracer.test.ts (with Lambda's X-Ray environment set):
 * makes the same DynamoDB calls traced either by the X-Ray SDK (`XRAY_ORACLE_BY=xray-sdk`, the
 * reference) or by Tourniquet's XRayTracer, so the documents the two send can be compared.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { XRayTracer } from '@tourniquet/aws';
import { writeAndRefuse } from './xrayCalls';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const by = env('XRAY_ORACLE_BY');
const table = env('XRAY_ORACLE_TABLE');
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const region = 'us-east-1';
const client = new DynamoDBClient({ endpoint: env('XRAY_ORACLE_ENDPOINT'), region, credentials });
// Throttled on every attempt by the fault proxy in front of moto; two attempts.
const throttling = new DynamoDBClient({
  endpoint: env('XRAY_ORACLE_THROTTLING_ENDPOINT'),
  region,
  credentials,
  maxAttempts: 2,
});

/** A table, a write, a refused conditional write, a read, and a read throttled twice. */
async function run(ddb: DynamoDBClient, throttled: DynamoDBClient) {
  await writeAndRefuse(ddb, table);
  await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'a' } } }));
  await throttled
    .send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'a' } } }))
    .catch(() => undefined);
}

if (by === 'xray-sdk') {
  // Loaded only here: in Lambda mode it sets up its facade segment when imported.
  const { default: AWSXRay } = await import('aws-xray-sdk-core');
  await AWSXRay.captureAsyncFunc('## index.handler', async (sub) => {
    await run(AWSXRay.captureAWSv3Client(client), AWSXRay.captureAWSv3Client(throttling));
    sub?.close();
  });
} else {
  const tracer = new XRayTracer({ serviceName: 'oracle' });
  tracer.beginInvocation();
  await run(tracer.captureAWSv3Client(client), tracer.captureAWSv3Client(throttling));
  tracer.endInvocation();
}
