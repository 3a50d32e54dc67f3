import type { Logger } from '../shared/logger.js';

/**
 * Roles (docs/ARCHITECTURE.md §7): admin (create, edit, delete, approve), operator (run, retry, pause, resume,
 * cancel, redeliver an undeliverable alert), viewer (everyone: list and view). Admins can do what operators can. Configured ids are Slack
 * user ids (U…/W…) or user-group ids (S…), whose members are looked up with usergroups.users.list and
 * cached for a minute. Lookups fail closed: while they fail (retried at every check), the last members
 * read keep their role for at most a further minute past the cache's expiry (so a Slack hiccup does not
 * lock everyone out), then the group counts as empty — someone removed from the group loses the role at
 * most two minutes later even during an outage, and a Slack outage never grants one.
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
  | 'cancel'
  | 'redeliver';

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
  redeliver: 'operator',
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

/**
 * Roles of Slack users from the configured ids. `cacheMs` (default 60 s): how long a group's members are
 * used without asking Slack again. `staleGraceMs` (default 60 s): how long past that expiry they still
 * answer while lookups fail; afterwards a failed lookup means "not a member". `nowMs` is the clock.
 */
export function createRoleResolver(options: {
  admins: readonly string[];
  operators: readonly string[];
  lookupGroup: UserGroupLookup;
  nowMs: () => number;
  logger: Logger;
  cacheMs?: number;
  staleGraceMs?: number;
}): RoleResolver {
  const cacheMs = options.cacheMs ?? 60_000;
  const staleGraceMs = options.staleGraceMs ?? 60_000;
  const cache = new Map<string, { members: Set<string>; atMs: number }>();

  async function members(groupId: string): Promise<Set<string>> {
    const cached = cache.get(groupId);
    if (cached && options.nowMs() - cached.atMs < cacheMs) return cached.members;
    try {
      const users = new Set(await options.lookupGroup(groupId));
      cache.set(groupId, { members: users, atMs: options.nowMs() });
      return users;
    } catch (error) {
      const ageMs = cached ? options.nowMs() - cached.atMs : undefined;
      if (cached && ageMs !== undefined && ageMs < cacheMs + staleGraceMs) {
        options.logger.warn(
          { err: error, groupId, ageMs },
          'could not list user-group members; using the members read before, for a short while',
        );
        return cached.members;
      }
      // Fail closed: too old to vouch for anyone. Forget it, so it can never answer again.
      cache.delete(groupId);
      options.logger.warn({ err: error, groupId }, 'could not list user-group members; treating as empty');
      return new Set();
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
