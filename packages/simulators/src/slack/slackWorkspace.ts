/** Who and what exists in a simulated Slack workspace. */
export interface SimulatedUser {
  id: string;
  name: string;
}

export interface SimulatedWorkspace {
  teamId: string;
  teamDomain: string;
  botUserId: string;
  botId: string;
  users: SimulatedUser[];
  /** User group id → member user ids (usergroups.users.list). */
  userGroups: Record<string, string[]>;
  /** Channel ids that exist; posting elsewhere answers `channel_not_found`. */
  channels: string[];
}

/** The default workspace: one channel, two on-call approvers in a group, one bystander. */
export const DEFAULT_WORKSPACE: SimulatedWorkspace = {
  teamId: 'T0TOURNIQ01',
  teamDomain: 'tourniquet-sim',
  botUserId: 'U0TQBOTUSER',
  botId: 'B0TQBOTAPP1',
  users: [
    { id: 'U0ONCALL001', name: 'alice.oncall' },
    { id: 'U0ONCALL002', name: 'bob.oncall' },
    { id: 'U0BYSTANDR1', name: 'mallory' },
  ],
  userGroups: { S0ONCALLGRP: ['U0ONCALL001', 'U0ONCALL002'] },
  channels: ['C0INCIDENTS'],
};
