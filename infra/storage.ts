/** DynamoDB tables: incidents (kept), approvals and idempotency records (TTL, transient). */
export function storage() {
  const table = (name: string, ttl: boolean) =>
    new aws.dynamodb.Table(name, {
      name: `tourniquet-${$app.stage}-${name.toLowerCase()}`,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'pk',
      rangeKey: 'sk',
      attributes: [
        { name: 'pk', type: 'S' },
        { name: 'sk', type: 'S' },
      ],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      ...(ttl ? { ttl: { attributeName: 'expiresAt', enabled: true } } : {}),
    });
  // The idempotency table uses Powertools' default key schema (id only).
  const idempotency = new aws.dynamodb.Table('Idempotency', {
    name: `tourniquet-${$app.stage}-idempotency`,
    billingMode: 'PAY_PER_REQUEST',
    hashKey: 'id',
    attributes: [{ name: 'id', type: 'S' }],
    ttl: { attributeName: 'expiration', enabled: true },
    serverSideEncryption: { enabled: true },
  });
  return { incidents: table('Incidents', false), approvals: table('Approvals', true), idempotency };
}
