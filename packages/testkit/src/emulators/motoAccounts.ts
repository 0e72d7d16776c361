/**
 * moto playing several accounts, as an AWS Organization with a hub and members does.
 *
 * moto answers every request as MOTO_ACCOUNT_ID when that is set, and only without it maps the
 * credentials of an AssumeRole into another account to that account (docs/aws-behaviours.md).
 * So the emulator leaves MOTO_ACCOUNT_ID unset and answers requests as the home (hub) account
 * unless their access key was issued for another account.
 *
 * moto also lets anyone assume any role, existing or not. AWS evaluates the role's trust policy:
 * a cross-account AssumeRole succeeds only when a statement allows the caller's principal and its
 * conditions hold (sts:ExternalId, aws:PrincipalOrgID). The emulator evaluates exactly that for
 * cross-account calls, failing closed on anything it does not understand, and answers
 * AccessDenied like STS; calls within one account keep moto's behaviour.
 */
export const MOTO_ACCOUNTS_PATCH = `
import json, os
from urllib.parse import unquote
home = os.environ["TOURNIQUET_HOME_ACCOUNT"]
organization = os.environ.get("TOURNIQUET_ORGANIZATION_ID")
from moto.core import responses as core_responses
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.iam.models import get_account_id_from, iam_backends
from moto.sts import responses as sts_responses
from moto.sts.exceptions import STSClientError

def current_account(self):
    if "x-moto-account-id" in self.headers:
        return self.headers["x-moto-account-id"]
    account = get_account_id_from(self.get_access_key())
    return home if account == DEFAULT_ACCOUNT_ID else account
core_responses.BaseResponse.get_current_account = current_account

def as_list(value):
    return value if isinstance(value, list) else [value]

def caller_arn(account, access_key, partition):
    key = iam_backends[account][partition].access_keys.get(access_key)
    return key.role_arn if key is not None and key.role_arn else None

def conditions_hold(condition, external_id):
    for operator, pairs in (condition or {}).items():
        if operator != "StringEquals":
            return False
        for name, wanted in pairs.items():
            if name == "sts:ExternalId":
                actual = external_id
            elif name == "aws:PrincipalOrgID":
                actual = organization
            else:
                return False
            if actual is None or actual not in as_list(wanted):
                return False
    return True

def trusted(document, principal, caller_account, external_id):
    for statement in document.get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        if not {"sts:AssumeRole", "sts:*", "*"} & set(as_list(statement.get("Action", []))):
            continue
        aws = as_list((statement.get("Principal") or {}).get("AWS", []))
        if principal not in aws and f"arn:aws:iam::{caller_account}:root" not in aws and "*" not in aws:
            continue
        if conditions_hold(statement.get("Condition"), external_id):
            return True
    return False

original_assume_role = sts_responses.TokenResponse.assume_role
def assume_role(self):
    role_arn = self._get_param("RoleArn") or ""
    parts = role_arn.split(":")
    target = parts[4] if len(parts) > 5 else ""
    caller_account = self.get_current_account()
    if target == caller_account:
        return original_assume_role(self)
    partition = parts[1] if len(parts) > 1 else "aws"
    principal = caller_arn(caller_account, self.get_access_key(), partition)
    who = principal or f"arn:aws:iam::{caller_account}:user/unknown"
    try:
        role = iam_backends[target][partition].get_role_by_arn(role_arn)
        document = json.loads(unquote(role.assume_role_policy_document))
    except Exception:
        document = None
    if document is None or principal is None or not trusted(document, principal, caller_account, self._get_param("ExternalId")):
        raise STSClientError("AccessDenied", f"User: {who} is not authorized to perform: sts:AssumeRole on resource: {role_arn}")
    return original_assume_role(self)
sts_responses.TokenResponse.assume_role = assume_role
`;

/** The header moto reads the account from when MOTO_ACCOUNT_ID is unset (server mode only). */
const ACCOUNT_HEADER = 'x-moto-account-id';

/** What the SDK hands a build-step middleware: the HTTP request about to be signed and sent. */
type Handler = (args: { request: { headers: Record<string, string> } }) => Promise<unknown>;

interface MiddlewareClient {
  middlewareStack: {
    add(middleware: (next: Handler) => Handler, options: { step: 'build'; name: string }): void;
  };
}

/**
 * Sends every request of these clients as `account`: how the emulator seeds a member account's
 * resources without any role there (in AWS, each member is deployed with its own credentials).
 */
export function pinToAccount<C extends object>(clients: C, account: string): C {
  for (const client of Object.values(clients)) {
    if (!client || typeof client !== 'object' || !('middlewareStack' in client)) continue;
    (client as MiddlewareClient).middlewareStack.add(
      (next) => (args) => {
        args.request.headers[ACCOUNT_HEADER] = account;
        return next(args);
      },
      { step: 'build', name: 'tourniquetMotoAccount' },
    );
  }
  return clients;
}
