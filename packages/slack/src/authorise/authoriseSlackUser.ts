import type { SlackSettings } from '../settings/approvalSettings';
import type { UserGroupCache } from './userGroupCache';

export type SlackAuthorisation =
  | { authorised: true; via: 'user-list' | 'user-group' }
  | { authorised: false; reason: string; retryable: boolean };

/**
 * Whether a Slack user may decide: listed by id, or a member of the approver group. Ids only —
 * display names can be changed by their owner. When the group cannot be read, the answer is no
 * (fail closed) and the click can be repeated.
 */
export async function authoriseSlackUser(
  user: { id: string; teamId: string },
  settings: SlackSettings,
  groups: UserGroupCache | null,
): Promise<SlackAuthorisation> {
  if (user.teamId !== settings.teamId) {
    return {
      authorised: false,
      reason: 'the click came from another Slack workspace',
      retryable: false,
    };
  }
  if (settings.approverUserIds.includes(user.id)) return { authorised: true, via: 'user-list' };
  if (settings.approverUserGroup && groups) {
    try {
      const members = await groups.members(settings.approverUserGroup);
      if (members.has(user.id)) return { authorised: true, via: 'user-group' };
    } catch (error) {
      return {
        authorised: false,
        reason: `could not read the approver group from Slack (${(error as Error).message}); try again`,
        retryable: true,
      };
    }
  }
  return { authorised: false, reason: 'you are not an approver for Tourniquet', retryable: false };
}
