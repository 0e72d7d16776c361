/**
 * Credentials as `sst.Secret` (set per stage with `npx sst secret set <Name> <value>`), copied
 * into one Secrets Manager secret the functions read at run time with Powertools Parameters:
 * never in config files, never in environment variables.
 */
export const SECRET_NAMES = [
  'SlackBotToken',
  'SlackSigningSecret',
  'JiraApiToken',
  'PagerDutyRoutingKey',
  'ServiceNowPassword',
] as const;

export function secrets() {
  const values = Object.fromEntries(
    SECRET_NAMES.map((name) => [name, new sst.Secret(name, 'unset').value]),
  );
  const secret = new aws.secretsmanager.Secret('Credentials', {
    name: `tourniquet/${$app.stage}/credentials`,
    description: 'Tourniquet: Slack and ticket-system credentials (from sst secrets)',
  });
  new aws.secretsmanager.SecretVersion('CredentialsValue', {
    secretId: secret.id,
    secretString: $jsonStringify(values),
  });
  return secret;
}
