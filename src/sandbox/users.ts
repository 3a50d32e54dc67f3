/**
 * The simulated people of the sandbox workspace. Two admins are needed to try the two-person approval
 * of custom tasks (the author cannot approve their own); the operator shows what the operator role may
 * and may not do. main.ts gives these ids their roles when SLACK_ADMINS / SLACK_OPERATORS are unset.
 */
export interface SandboxUser {
  readonly id: string;
  readonly name: string;
  readonly realName: string;
  readonly role: 'admin' | 'operator';
}

export const SANDBOX_USERS: readonly SandboxUser[] = [
  { id: 'U0SBADA', name: 'ada', realName: 'Ada (admin)', role: 'admin' },
  { id: 'U0SBOTTO', name: 'otto', realName: 'Otto (operator)', role: 'operator' },
  { id: 'U0SBGRACE', name: 'grace', realName: 'Grace (admin)', role: 'admin' },
];

export const SANDBOX_BOT = { userId: 'U0CHRONOPS', botId: 'B0CHRONOPS', name: 'chronops' } as const;
export const SANDBOX_TEAM = { id: 'T0SANDBOX', domain: 'sandbox', name: 'chronops sandbox' } as const;
export const SANDBOX_APP_ID = 'A0CHRONOPS';

export const ALERTS_CHANNEL = { id: 'C0ALERTS', name: 'alerts' } as const;
export const GENERAL_CHANNEL = { id: 'C0GENERAL', name: 'general' } as const;

/** The id of the direct-message conversation between a user and the app (`U0SBADA` → `D0SBADA`). */
export function dmChannelOf(userId: string): string {
  return `D${userId.slice(1)}`;
}
