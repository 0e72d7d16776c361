/** The parts of an IAM role ARN: `arn:<partition>:iam::<account>:role/<path/><name>`. */
export interface RoleArnParts {
  partition: string;
  account: string;
  /** `/` or `/team/…/`, as IAM reports it in `Role.Path`. */
  path: string;
  name: string;
}

// IAM role names: 1–64 of [\w+=,.@-]; paths: `/`-delimited segments of printable ASCII.
const ROLE_ARN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::(\d{12}):role(\/(?:[!-.0-~]+\/)*)([\w+=,.@-]{1,64})$/;

/** Splits a role ARN, or returns null when the string is not one. */
export function parseRoleArn(arn: string): RoleArnParts | null {
  const match = ROLE_ARN.exec(arn);
  if (!match) return null;
  const [, partition, account, path, name] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  return { partition, account, path, name };
}
