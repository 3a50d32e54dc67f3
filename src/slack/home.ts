import { listRecentFailures } from '../store/executions.js';
import { getDashboardStats } from '../store/stats.js';
import { countTasks, listTasks } from '../store/tasks.js';
import { HOME_DEAD_ALERTS } from './blocks/dead-alerts.js';
import { buildHomeView, HOME_PAGE_SIZE } from './blocks/home.js';
import { loadDeadAlertsView } from './dead-alerts-view.js';
import { type SlackClient, type SlackDeps, uiOf } from './deps.js';

type HomeDeps = Pick<SlackDeps, 'db' | 'pool' | 'clock' | 'm' | 'locale' | 'config' | 'roles'>;

/**
 * Loads one page of the dashboard and publishes it as `userId`'s App Home (undeliverable alerts with
 * Redeliver when `userId` may redeliver them). The five queries are
 * independent and run at once on the pool (the page's round trips overlap instead of adding up); only a
 * page that no longer exists (tasks were deleted since) costs a second task query.
 */
export async function publishHomeView(
  deps: HomeDeps,
  client: SlackClient,
  userId: string,
  offset: number,
): Promise<void> {
  const now = deps.clock.now();
  const aligned = Math.max(0, offset - (offset % HOME_PAGE_SIZE));
  const [total, stats, page, failures, undeliverable] = await Promise.all([
    countTasks(deps.db),
    getDashboardStats(deps.db, now),
    listTasks(deps.db, { limit: HOME_PAGE_SIZE, offset: aligned }),
    listRecentFailures(deps.db, 5),
    loadDeadAlertsView(deps, userId, HOME_DEAD_ALERTS),
  ]);
  // A page that no longer exists (tasks were deleted) falls back to the first one.
  const safeOffset = aligned >= total ? 0 : aligned;
  const tasks =
    safeOffset === aligned ? page : await listTasks(deps.db, { limit: HOME_PAGE_SIZE, offset: safeOffset });
  const failureRows = failures.map((execution) => ({
    execution,
    taskName: execution.taskName,
    timezone: execution.taskTimezone,
  }));
  const view = buildHomeView(
    {
      stats,
      tasks,
      offset: safeOffset,
      total,
      failures: failureRows,
      timezone: deps.config.defaultTimezone,
      undeliverable,
    },
    uiOf(deps),
  );
  await client.views.publish({ user_id: userId, view });
}
