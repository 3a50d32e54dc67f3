import type { Logger } from '../shared/logger.js';

/**
 * Roles (DESIGN.md §7): admin (create, edit, delete, approve), operator (run, retry, pause, resume,
 * cancel), viewer (everyone: list and view). Admins can do what operators can. Configured ids are Slack
 * user ids (U…/W…) or user-group ids (S…), whose members are looked up with usergroups.users.list and
 * cached briefly; a failing lookup counts as "not a member" (and is retried on the next check), so a
 * Slack outage never grants a role.
 */
export type Role = 'admin' | 'operator' | 'viewer';

export type Permission =
  | 'create'
  | 'edit'
  | 'delete'
  | 'approve'
  | 'run'
  | 'retry'
  | 'pause'
  | 'resume'
  | 'cancel';

export const REQUIRED_ROLE: Readonly<Record<Permission, Exclude<Role, 'viewer'>>> = {
  create: 'admin',
  edit: 'admin',
  delete: 'admin',
  approve: 'admin',
  run: 'operator',
  retry: 'operator',
  pause: 'operator',
  resume: 'operator',
  cancel: 'operator',
};

const RANK: Readonly<Record<Role, number>> = { viewer: 0, operator: 1, admin: 2 };

export function roleAllows(role: Role, permission: Permission): boolean {
  return RANK[role] >= RANK[REQUIRED_ROLE[permission]];
}

/** Member user ids of a user group (usergroups.users.list). */
export type UserGroupLookup = (groupId: string) => Promise<string[]>;

export interface RoleResolver {
  roleOf(userId: string): Promise<Role>;
}

export function createRoleResolver(options: {
  admins: readonly string[];
  operators: readonly string[];
  lookupGroup: UserGroupLookup;
  nowMs: () => number;
  logger: Logger;
  cacheMs?: number;
}): RoleResolver {
  const cacheMs = options.cacheMs ?? 60_000;
  const cache = new Map<string, { members: Set<string>; atMs: number }>();

  async function members(groupId: string): Promise<Set<string>> {
    const cached = cache.get(groupId);
    if (cached && options.nowMs() - cached.atMs < cacheMs) return cached.members;
    try {
      const users = new Set(await options.lookupGroup(groupId));
      cache.set(groupId, { members: users, atMs: options.nowMs() });
      return users;
    } catch (error) {
      options.logger.warn({ err: error, groupId }, 'could not list user-group members; treating as empty');
      return cached?.members ?? new Set();
    }
  }

  async function isIn(ids: readonly string[], userId: string): Promise<boolean> {
    if (ids.includes(userId)) return true;
    for (const id of ids) {
      if (id.startsWith('S') && (await members(id)).has(userId)) return true;
    }
    return false;
  }

  return {
    async roleOf(userId) {
      if (await isIn(options.admins, userId)) return 'admin';
      if (await isIn(options.operators, userId)) return 'operator';
      return 'viewer';
    },
  };
}
