/**
 * The one public URL: Slack's interactivity endpoint. Anyone can reach it, so the function
 * itself verifies Slack's request signature before doing anything.
 */
export function slackEndpoint(fn: aws.lambda.Function) {
  return new aws.lambda.FunctionUrl('SlackInteractionsUrl', {
    functionName: fn.name,
    authorizationType: 'NONE',
    invokeMode: 'BUFFERED',
  });
}
