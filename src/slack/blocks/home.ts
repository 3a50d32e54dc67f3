import type { HomeView, KnownBlock } from '@slack/types';
import { formatInZone } from '../../blockkit/dates.js';
import { context, divider, fieldsSection, header, section } from '../../blockkit/kit.js';
import { type DeadAlertsView, deadAlertBlock, HOME_DEAD_ALERTS } from './dead-alerts.js';
import { ACTION } from './ids.js';
import { paginationBlocks } from './task-list.js';
import { type ExecutionSummary, executionRowBlocks, type TaskSummary, taskRowBlocks } from './task-row.js';
import type { Ui } from './ui.js';

/** Tasks per App Home page: 2 blocks each; with stats and 5 failures a page stays under 100 blocks. */
export const HOME_PAGE_SIZE = 30;

export interface HomeData {
  stats: { activeTasks: number; running: number; successes24h: number; failures24h: number };
  tasks: readonly TaskSummary[];
  offset: number;
  total: number;
  failures: ReadonlyArray<{ execution: ExecutionSummary; taskName: string; timezone: string }>;
  /** Zone used for the "updated at" line. */
  timezone: string;
  /** Alerts the notifier gave up on (outbox rows `dead`): shown, newest first, so none is silently lost. */
  undeliverable?: DeadAlertsView;
}

/** The count of undeliverable alerts and the latest few, with Redeliver for those allowed; none: nothing. */
function undeliverableBlocks(view: DeadAlertsView | undefined, ui: Ui): KnownBlock[] {
  if (!view || view.total === 0) return [];
  return [
    section(ui.m.home.undeliverable(view.total)),
    ...view.alerts.slice(0, HOME_DEAD_ALERTS).map((alert) => deadAlertBlock(alert, view, ui)),
  ];
}

/**
 * The App Home dashboard (docs/ARCHITECTURE.md §2): figures, undeliverable alerts, one page of tasks,
 * recent failures.
 */
export function buildHomeView(data: HomeData, ui: Ui): HomeView {
  const { m } = ui;
  const blocks: KnownBlock[] = [
    header(m.home.title),
    fieldsSection([
      `*${m.stats.active}*\n${data.stats.activeTasks}`,
      `*${m.stats.running}*\n${data.stats.running}`,
      `*${m.stats.successes}*\n${data.stats.successes24h}`,
      `*${m.stats.failures}*\n${data.stats.failures24h}`,
    ]),
    ...undeliverableBlocks(data.undeliverable, ui),
    context([m.home.updated(formatInZone(ui.now, data.timezone, ui.locale))]),
    divider(),
    header(`${m.home.tasks} (${data.total})`),
  ];
  if (data.total === 0) blocks.push(section(m.list.empty));
  for (const task of data.tasks.slice(0, HOME_PAGE_SIZE)) blocks.push(...taskRowBlocks(task, ui));
  blocks.push(...paginationBlocks(data.offset, data.total, HOME_PAGE_SIZE, ACTION.homePage, ui));
  blocks.push(divider(), header(m.home.recentFailures));
  if (data.failures.length === 0) blocks.push(section(m.home.noFailures));
  for (const failure of data.failures.slice(0, 5)) {
    blocks.push(...executionRowBlocks(failure.execution, failure.taskName, failure.timezone, ui));
  }
  return { type: 'home', blocks };
}
