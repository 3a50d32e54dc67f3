import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideApproval } from '../../../src/store/approvals.js';
import { listAuditForTask } from '../../../src/store/audit.js';
import {
  createTask,
  deleteTask,
  findTaskByName,
  findTaskByRef,
  getTask,
  listTasks,
  pauseTask,
  resumeTask,
  updateTask,
} from '../../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { makeDraft, T0 } from '../../support/fixtures.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

const alice = { id: 'UALICE' };
const bob = { id: 'UBOB' };

describe('task store', () => {
  it('creates a task with defaults, its first occurrence and an audit entry', async () => {
    const draft = makeDraft({ name: 'Nightly backup', type: 'backup', cron: '0 2 * * *', params: {} });
    const task = await createTask(database.db, draft, { actor: alice, now: T0 });
    expect(task).toMatchObject({
      name: 'Nightly backup',
      timezone: 'Europe/Paris',
      timeoutSeconds: 3600,
      maxRetries: 3,
      overlapPolicy: 'skip',
      misfirePolicy: 'run_once',
      enabled: true,
      isRunning: false,
      isSystem: false,
      approvalState: 'approved',
      version: 1,
      createdBy: 'UALICE',
    });
    // 02:00 in Paris (UTC+1 in November) after 2026-11-28T10:00Z is the next day at 01:00Z.
    expect(task.nextRunAt?.toISOString()).toBe('2026-11-29T01:00:00.000Z');
    const audit = await listAuditForTask(database.db, task.id);
    expect(audit.map((entry) => entry.action)).toEqual(['task.created']);
    expect(audit[0]?.after).toMatchObject({ cron: '0 2 * * *' });
  });

  it('refuses a duplicate name regardless of case, naming the field', async () => {
    await createTask(database.db, makeDraft({ name: 'Purge sessions' }), { actor: alice, now: T0 });
    await expect(
      createTask(database.db, makeDraft({ name: 'PURGE SESSIONS' }), { actor: alice, now: T0 }),
    ).rejects.toMatchObject({ code: 'duplicate_task_name', field: 'name' });
    expect((await findTaskByName(database.db, 'purge sessions'))?.name).toBe('Purge sessions');
  });

  it('finds a task by id or by name', async () => {
    const task = await createTask(database.db, makeDraft({ name: 'Find me' }), { actor: alice, now: T0 });
    expect((await findTaskByRef(database.db, task.id))?.id).toBe(task.id);
    expect((await findTaskByRef(database.db, '  find ME '))?.id).toBe(task.id);
    expect(await findTaskByRef(database.db, 'nothing like it')).toBeUndefined();
    expect(await getTask(database.db, 'not-a-uuid')).toBeUndefined();
  });

  it('updates with optimistic concurrency: the second of two editors is refused', async () => {
    const task = await createTask(database.db, makeDraft({ name: 'Edited twice' }), {
      actor: alice,
      now: T0,
    });
    const later = new Date(T0.getTime() + 60_000);
    const first = await updateTask(
      database.db,
      task.id,
      makeDraft({ name: 'Edited twice', cron: '0 3 * * *' }),
      {
        actor: alice,
        now: later,
        expectedVersion: 1,
      },
    );
    expect(first.version).toBe(2);
    expect(first.cron).toBe('0 3 * * *');
    await expect(
      updateTask(database.db, task.id, makeDraft({ name: 'Edited twice', cron: '0 4 * * *' }), {
        actor: bob,
        now: later,
        expectedVersion: 1,
      }),
    ).rejects.toMatchObject({ code: 'version_conflict' });
    const stored = await getTask(database.db, task.id);
    expect(stored?.cron).toBe('0 3 * * *');
    expect(stored?.updatedBy).toBe('UALICE');
    const audit = await listAuditForTask(database.db, task.id);
    expect(audit.map((entry) => entry.action)).toEqual(['task.updated', 'task.created']);
    expect(audit[0]?.before).toMatchObject({ cron: '*/5 * * * *' });
    expect(audit[0]?.after).toMatchObject({ cron: '0 3 * * *' });
  });

  it('pauses with a reason and resumes with a fresh next run', async () => {
    const task = await createTask(database.db, makeDraft({ name: 'Pausable' }), { actor: alice, now: T0 });
    const paused = await pauseTask(database.db, task.id, {
      actor: bob,
      now: T0,
      reason: 'migration tonight',
    });
    expect(paused).toMatchObject({ enabled: false, pausedReason: 'migration tonight', pausedBy: 'UBOB' });
    expect((await listTasks(database.db, { enabledOnly: true })).some((row) => row.id === task.id)).toBe(
      false,
    );
    const next = new Date('2026-11-30T08:05:00.000Z');
    const resumed = await resumeTask(database.db, task.id, { actor: bob, now: T0, nextRunAt: next });
    expect(resumed).toMatchObject({ enabled: true, pausedReason: null, pausedBy: null });
    expect(resumed.nextRunAt?.toISOString()).toBe(next.toISOString());
    expect(resumed.version).toBe(3);
  });

  it('deletes user tasks but refuses system tasks', async () => {
    const user = await createTask(database.db, makeDraft({ name: 'Temporary' }), { actor: alice, now: T0 });
    const system = await createTask(database.db, makeDraft({ name: 'System cleanup' }), {
      actor: { id: 'system' },
      now: T0,
      isSystem: true,
    });
    await deleteTask(database.db, user.id, { actor: alice, now: T0 });
    expect(await getTask(database.db, user.id)).toBeUndefined();
    // The audit trail outlives the task.
    expect((await listAuditForTask(database.db, user.id)).map((entry) => entry.action)).toEqual([
      'task.deleted',
      'task.created',
    ]);
    await expect(deleteTask(database.db, system.id, { actor: alice, now: T0 })).rejects.toMatchObject({
      code: 'system_task',
    });
    expect(await getTask(database.db, system.id)).toBeDefined();
    await expect(
      deleteTask(database.db, '00000000-0000-4000-8000-000000000000', { actor: alice, now: T0 }),
    ).rejects.toMatchObject({ code: 'task_not_found' });
  });

  it('records approval decisions', async () => {
    const task = await createTask(database.db, makeDraft({ name: 'Custom SQL', type: 'custom' }), {
      actor: alice,
      now: T0,
      approvalState: 'pending',
    });
    expect(task).toMatchObject({ approvalVersion: 1, approvalRequestedBy: alice.id });
    const decide = (decision: 'approved' | 'rejected', approverId: string, version = 1) =>
      decideApproval(database.db, {
        ref: { taskId: task.id, version },
        approverId,
        approverIsAdmin: true,
        decision,
        reason: decision === 'rejected' ? 'deletes too much' : undefined,
        now: T0,
      });
    expect(await decide('approved', alice.id)).toMatchObject({ ok: false, refusal: { kind: 'own_change' } });
    expect(await decide('approved', bob.id, 2)).toMatchObject({ ok: false, refusal: { kind: 'superseded' } });
    const rejected = await decide('rejected', bob.id);
    expect(rejected).toMatchObject({
      ok: true,
      task: { approvalState: 'rejected', rejectionReason: 'deletes too much', rejectedBy: bob.id },
    });
    // Decided at that version: an approval from the same card is refused, and changes nothing.
    expect(await decide('approved', bob.id)).toMatchObject({
      ok: false,
      refusal: { kind: 'already_rejected', by: bob.id },
    });
    expect(await getTask(database.db, task.id)).toMatchObject({
      approvalState: 'rejected',
      approvedBy: null,
    });
  });

  it('takes exactly one of two concurrent decisions on the same version', async () => {
    const task = await createTask(database.db, makeDraft({ name: 'Raced SQL', type: 'custom' }), {
      actor: alice,
      now: T0,
      approvalState: 'pending',
    });
    const results = await Promise.all(
      (['approved', 'rejected'] as const).map((decision) =>
        decideApproval(database.db, {
          ref: { taskId: task.id, version: 1 },
          approverId: bob.id,
          approverIsAdmin: true,
          decision,
          reason: 'no',
          now: T0,
        }),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    const audit = await listAuditForTask(database.db, task.id);
    expect(
      audit.filter((entry) => entry.action === 'task.approved' || entry.action === 'task.rejected'),
    ).toHaveLength(1);
  });

  it('enforces the data model constraints in the database itself', async () => {
    const task = await createTask(database.db, makeDraft({ name: 'Constrained' }), { actor: alice, now: T0 });
    await expect(
      database.pool.query(`update scheduled_tasks set max_retries = 4 where id = $1`, [task.id]),
    ).rejects.toMatchObject({ code: '23514' });
    await expect(
      database.pool.query(`update scheduled_tasks set type = 'backdoor' where id = $1`, [task.id]),
    ).rejects.toMatchObject({ code: '23514' });
    await expect(
      database.pool.query(`update scheduled_tasks set name = '' where id = $1`, [task.id]),
    ).rejects.toMatchObject({ code: '23514' });
  });
});
