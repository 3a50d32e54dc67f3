import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../../src/shared/clock.js';
import { cancelExecution } from '../../../src/store/execution-commands.js';
import { createTask } from '../../../src/store/tasks.js';
import { listenForWakeups, type WakeupListener } from '../../../src/store/wakeups.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { makeDraft, T0 as T } from '../../support/fixtures.js';
import { createScriptedExecutor, createTestScheduler, executionsOf } from '../../support/scheduler.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe('NOTIFY chronops_cancel is a hint, not a command', () => {
  it('a bare NOTIFY leaves the run running; a cancel requested through cancelExecution cancels it', async () => {
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted);
    // Wired as main.ts wires them; each notification's decision is kept so the test can await it.
    const decisions: Array<Promise<boolean>> = [];
    let notified: () => void = () => {};
    let listening: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      listening = resolve;
    });
    const listener: WakeupListener = listenForWakeups(database.url, {
      onWakeup: (payload) => {
        if (payload === 'reconnected') listening();
      },
      onCancel: (executionId) => {
        decisions.push(scheduler.cancelLocal(executionId));
        notified();
      },
    });
    const nextNotification = () =>
      new Promise<void>((resolve) => {
        notified = resolve;
      });
    try {
      await ready;
      const task = await createTask(
        database.db,
        makeDraft({ cron: '0 3 * * *', params: { behaviour: 'hang' } }, T),
        { actor: { id: 'U1' }, now: T },
      );
      clock.set(task.nextRunAt!);
      await scheduler.tick(clock.now());
      const [running] = await executionsOf(database, task.id);
      expect(running!.status).toBe('running');
      const signal = scripted.calls[0]!.signal;

      // Any session on the database may send this; nobody asked to cancel.
      const forged = nextNotification();
      await database.pool.query(`select pg_notify('chronops_cancel', $1)`, [running!.id]);
      await forged;
      const ignored = await decisions.at(-1);
      expect(signal.aborted).toBe(false);
      expect(ignored).toBe(false);
      expect((await executionsOf(database, task.id))[0]).toMatchObject({
        status: 'running',
        cancel_requested_at: null,
      });

      const requested = nextNotification();
      expect(
        await cancelExecution(database.pool, { executionId: running!.id, actorId: 'U9', now: clock.now() }),
      ).toBe('cancel_requested');
      await requested;
      expect(await decisions.at(-1)).toBe(true);
      await scheduler.idle();
      expect(signal.aborted).toBe(true);
      expect((await executionsOf(database, task.id))[0]).toMatchObject({
        status: 'cancelled',
        reason: 'cancelled_by_user',
        cancel_requested_by: 'U9',
      });
    } finally {
      scripted.releaseAll();
      await listener.close();
      await scheduler.stop();
    }
  });
});
