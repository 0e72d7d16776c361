import type { SlackMessenger } from '../client/slackMessenger';

/** Membership changes in Slack reach a warm Lambda within this long. */
export const USER_GROUP_CACHE_MS = 60_000;

/**
 * usergroups.users.list, cached per warm Lambda: the lookup costs a Slack round trip that the
 * 3-second budget can rarely afford twice. Failures are not cached.
 */
export class UserGroupCache {
  private readonly entries = new Map<string, { members: ReadonlySet<string>; until: number }>();

  constructor(
    private readonly slack: Pick<SlackMessenger, 'userGroupMembers'>,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = USER_GROUP_CACHE_MS,
  ) {}

  async members(groupId: string): Promise<ReadonlySet<string>> {
    const cached = this.entries.get(groupId);
    if (cached && cached.until > this.now()) return cached.members;
    const members = new Set(await this.slack.userGroupMembers(groupId));
    this.entries.set(groupId, { members, until: this.now() + this.ttlMs });
    return members;
  }
}
