/** A role only the given AWS service can assume (no account-root trust, no other principal). */
export function serviceRole(id: string, name: string, service: string) {
  return new aws.iam.Role(id, {
    name: `tourniquet-${$app.stage}-${name}`.slice(0, 64),
    assumeRolePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
    }),
  });
}
