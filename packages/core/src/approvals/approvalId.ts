import { randomBytes } from 'node:crypto';
import { InvalidApprovalIdError } from './errors';

const PREFIX = 'apr_';
const APPROVAL_ID = /^apr_[A-Za-z0-9_-]{22}$/;

/**
 * 128 random bits, base64url: unguessable, so the id in a Slack button (or a CLI argument) names
 * an approval without granting anything — the signature and the approver check do that.
 */
export function newApprovalId(): string {
  return `${PREFIX}${randomBytes(16).toString('base64url')}`;
}

export function isApprovalId(value: string): boolean {
  return APPROVAL_ID.test(value);
}

export function assertApprovalId(value: string): string {
  if (!isApprovalId(value)) throw new InvalidApprovalIdError(value);
  return value;
}
