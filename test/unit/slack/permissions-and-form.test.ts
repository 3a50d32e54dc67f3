import { describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/shared/logger.js';
import { paramBlockId } from '../../../src/slack/blocks/ids.js';
import { messagesFor } from '../../../src/slack/i18n/index.js';
import { relevantParams } from '../../../src/slack/param-fields.js';
import { createRoleResolver, roleAllows } from '../../../src/slack/permissions.js';
import { newForm, validateTaskForm } from '../../../src/slack/task-form.js';

describe('roles', () => {
  it('admins can do what operators can; viewers change nothing', () => {
    expect(roleAllows('admin', 'run')).toBe(true);
    expect(roleAllows('operator', 'run')).toBe(true);
    expect(roleAllows('operator', 'delete')).toBe(false);
    expect(roleAllows('viewer', 'pause')).toBe(false);
  });

  it('resolves user groups once per cache period and tolerates lookup failures', async () => {
    let nowMs = 0;
    let calls = 0;
    let failing = true;
    const roles = createRoleResolver({
      admins: ['U1'],
      operators: ['S1'],
      lookupGroup: async () => {
        calls += 1;
        if (failing) throw new Error('ratelimited');
        return ['U2'];
      },
      nowMs: () => nowMs,
      logger: createSilentLogger(),
      cacheMs: 1000,
    });
    expect(await roles.roleOf('U1')).toBe('admin');
    expect(await roles.roleOf('U2')).toBe('viewer');
    failing = false;
    expect(await roles.roleOf('U2')).toBe('operator');
    expect(await roles.roleOf('U3')).toBe('viewer');
    expect(calls).toBe(2);
    nowMs = 1500;
    expect(await roles.roleOf('U2')).toBe('operator');
    expect(calls).toBe(3);
  });
});

describe('roles: user-group lookups fail closed', () => {
  it('serves the last members for at most staleGraceMs past the cache expiry while lookups fail, then denies', async () => {
    let nowMs = 0;
    let failing = false;
    const lookups: number[] = [];
    const roles = createRoleResolver({
      admins: ['S_ADMINS'],
      operators: [],
      lookupGroup: async () => {
        lookups.push(nowMs);
        if (failing) throw new Error('slack unreachable');
        return ['U2'];
      },
      nowMs: () => nowMs,
      logger: createSilentLogger(),
      cacheMs: 1000,
      staleGraceMs: 2000,
    });
    expect(await roles.roleOf('U2')).toBe('admin');
    failing = true;
    nowMs = 999; // still fresh: no lookup
    expect(await roles.roleOf('U2')).toBe('admin');
    nowMs = 2999; // expired, lookup fails, inside the grace
    expect(await roles.roleOf('U2')).toBe('admin');
    nowMs = 3000; // past cacheMs + staleGraceMs: a failed lookup means "not a member"
    expect(await roles.roleOf('U2')).toBe('viewer');
    nowMs = 3001; // and stays so while Slack fails, without the old entry coming back
    expect(await roles.roleOf('U2')).toBe('viewer');
    expect(lookups).toEqual([0, 2999, 3000, 3001]);
    failing = false;
    expect(await roles.roleOf('U2')).toBe('admin');
  });

  it('grants nothing when the first lookup of a group fails', async () => {
    const roles = createRoleResolver({
      admins: [],
      operators: ['S_OPS'],
      lookupGroup: async () => {
        throw new Error('ratelimited');
      },
      nowMs: () => 0,
      logger: createSilentLogger(),
    });
    expect(await roles.roleOf('U2')).toBe('viewer');
  });
});

describe('task form validation', () => {
  const m = messagesFor('en');
  const options = {
    now: new Date('2026-11-28T10:00:00Z'),
    defaultTimezone: 'Europe/Paris',
    cronRevision: 2,
    m,
  };

  it('maps every problem to the block of its field', () => {
    const form = {
      ...newForm(undefined, 'Europe/Paris', 'en'),
      name: '',
      cron: 'bad',
      timeoutSeconds: '1.5',
      maxRetries: '9',
    };
    const result = validateTaskForm(form, options);
    expect(result.ok).toBe(false);
    expect(Object.keys(result.ok ? {} : result.errors).sort()).toEqual([
      'cron_2',
      'name',
      'retries',
      'timeout',
    ]);
  });

  it("shows a clean-up of chronops's own table as an error on the Table field", () => {
    const form = {
      ...newForm('cleanup_old_logs', 'Europe/Paris', 'en'),
      params: { mode: 'older_than', table: 'audit_log', timestampColumn: 'created_at', olderThanDays: 30 },
    };
    const result = validateTaskForm(form, options);
    expect(result).toEqual({
      ok: false,
      errors: {
        [paramBlockId('cleanup', 'table')]:
          `table: "audit_log" is one of chronops's own tables (audit_log); clean-ups may not delete from it.`,
      },
    });
  });

  it('returns a draft with normalised params', () => {
    const form = { ...newForm('cleanup_rate_limits', 'Europe/Paris', 'en') };
    const result = validateTaskForm(form, options);
    expect(result.ok && result.draft.params).toEqual({
      mode: 'expired',
      table: 'rate_limits',
      expiresColumn: 'expires_at',
      batchSize: 5000,
    });
  });

  it('keeps only the params of the chosen variant', () => {
    expect(
      relevantParams('cleanup', { mode: 'expired', table: 't', olderThanDays: 3, timestampColumn: '' }),
    ).toEqual({
      mode: 'expired',
      table: 't',
    });
    expect(relevantParams('cleanup', { table: 't', olderThanDays: 3 })).toEqual({
      table: 't',
      olderThanDays: 3,
    });
  });
});
