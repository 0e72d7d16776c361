/**
 * Slack's interactivity endpoint. Anyone can reach it, so the function itself verifies Slack's
 * request signature before doing anything.
 */
export function slackEndpoint(fn: aws.lambda.Function) {
  return new aws.lambda.FunctionUrl('SlackInteractionsUrl', {
    functionName: fn.name,
    authorizationType: 'NONE',
    invokeMode: 'BUFFERED',
  });
}

/**
 * `tourniquet approve|deny`'s endpoint. Public like Slack's: the caller proves its AWS identity
 * in the body (a presigned STS GetCallerIdentity bound to the decision), which the function has
 * STS verify, so approvers need no permission on the function, only credentials.
 */
export function decisionEndpoint(fn: aws.lambda.Function) {
  return new aws.lambda.FunctionUrl('DecisionUrl', {
    functionName: fn.name,
    authorizationType: 'NONE',
    invokeMode: 'BUFFERED',
  });
}
