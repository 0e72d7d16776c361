import type { SimulatedWorkspace } from '@tourniquet/simulators';
import { type ApprovalSettings, parseApprovalSettings } from '@tourniquet/slack';

/** Approval settings that fit a simulated workspace: its first channel, its team, its on-call group. */
export function localApprovalSettings(
  workspace: SimulatedWorkspace,
  overrides: { twoPersonActions?: string[] } = {},
): ApprovalSettings {
  const [group] = Object.keys(workspace.userGroups);
  return parseApprovalSettings({
    twoPersonActions: overrides.twoPersonActions ?? [],
    slack: {
      channel: workspace.channels[0],
      teamId: workspace.teamId,
      ...(group ? { approverUserGroup: group } : { approverUserIds: [workspace.users[0]?.id] }),
    },
  });
}
