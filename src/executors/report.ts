import type pg from 'pg';
import { capBlocks, mrkdwn } from '../blockkit/kit.js';
import { SLACK_LIMITS } from '../blockkit/limits.js';
import { displayValue, escapeMrkdwn, truncateText } from '../blockkit/mrkdwn.js';
import { computeLookahead, type Lookahead } from '../domain/report-lookahead.js';
import { type ReportQueryName, requireTaskParams } from '../domain/task-params.js';
import { throwIfAborted } from './abort.js';
import { type BoundedQueryable, withBoundedSql } from './bounded-sql.js';
import { csvCell } from './csv-cell.js';
import type { ExecutorDeps } from './deps.js';
import {
  loadLookaheadTasks,
  loadReportOverview,
  REPORT_QUERIES,
  type ReportFigure,
  type ReportOverview,
} from './report-queries.js';
import { tablesExist } from './target-database.js';
import type { ExecutionResult, Executor, OutboundMessage } from './types.js';

const WINDOW_MS = 24 * 3_600_000;
/** SQLSTATEs meaning "this database does not have what the query needs": skip, do not fail. */
const MISSING_OBJECT_STATES = new Set(['42P01', '42703']);

export interface ReportResultData extends Record<string, unknown> {
  /** Window start and end, ISO-8601 UTC. */
  since: string;
  until: string;
  figures: Record<string, { title: string } & ReportFigure>;
  skipped: Array<{ query: ReportQueryName; reason: string }>;
  /** Daily report only: the guide's four figures. */
  overview?: ReportOverview;
  /** Daily report only: what to watch in the next 24 h. */
  lookahead?: Lookahead;
}

/** The templates of the daily report (the user template and the system task): they add the overview
 * and the 24 h look-ahead to the chosen figures. */
const DAILY_REPORT_TEMPLATES = new Set(['generate_daily_report', 'system:daily_report']);

/**
 * report: runs the chosen named queries (all by default) over the last 24 h before the context's `now`
 * and returns the figures plus one message for the channel (header, one section per figure, a context
 * footer), within Slack's limits and with every value escaped. Queries on chronops' tables use the
 * service database; application metrics use the target database and are skipped, with a note, when
 * its tables are absent. With `csv: true` the message carries the figures as a CSV file.
 *
 * Result data: {@link ReportResultData}.
 */
export function createReportExecutor(deps: ExecutorDeps): Executor {
  return async (context) => {
    const params = requireTaskParams('report', context.task.template, context.task.params);
    const until = context.now();
    const since = new Date(until.getTime() - WINDOW_MS);
    const data: ReportResultData = {
      since: since.toISOString(),
      until: until.toISOString(),
      figures: {},
      skipped: [],
    };

    // Every statement bounded by the task's time, and cancelled on abort (bounded-sql.ts).
    const bounded = <T>(pool: pg.Pool, work: (db: BoundedQueryable) => Promise<T>) =>
      withBoundedSql(pool, context, work);
    for (const name of params.queries) {
      throwIfAborted(context.signal);
      const query = REPORT_QUERIES[name];
      const pool = query.source === 'service' ? (deps.servicePool ?? deps.targetPool) : deps.targetPool;
      if (!(await bounded(pool, (db) => tablesExist(db, query.requires)))) {
        const reason = `table ${query.requires.join(' / ')} not found in the ${query.source === 'service' ? 'chronops' : 'target'} database`;
        data.skipped.push({ query: name, reason });
        context.log.info(`${name}: skipped (${reason})`);
        continue;
      }
      try {
        data.figures[name] = {
          title: query.title,
          ...(await bounded(pool, (db) => query.run(db, since, until))),
        };
      } catch (error) {
        const state = (error as { code?: unknown }).code;
        if (typeof state !== 'string' || !MISSING_OBJECT_STATES.has(state)) throw error;
        const reason = (error as Error).message;
        data.skipped.push({ query: name, reason });
        context.log.warn(`${name}: skipped (${reason})`);
      }
    }

    if (context.task.template && DAILY_REPORT_TEMPLATES.has(context.task.template)) {
      const pool = deps.servicePool ?? deps.targetPool;
      if (await bounded(pool, (db) => tablesExist(db, ['scheduled_tasks', 'task_executions']))) {
        throwIfAborted(context.signal);
        const [overview, tasks] = await bounded(
          pool,
          async (db) => [await loadReportOverview(db, since, until), await loadLookaheadTasks(db)] as const,
        );
        data.overview = overview;
        data.lookahead = computeLookahead(
          tasks.map((task) => ({
            id: task.id,
            name: task.name,
            cron: task.cron,
            timezone: task.timezone,
            enabled: task.enabled,
            approved: task.approval_state === 'approved',
            timeoutSeconds: task.timeout_seconds,
            recentDurationsMs: (task.recent ?? []).map(Number),
            pausedAt: task.paused_at,
            pausedBy: task.paused_by,
            pausedReason: task.paused_reason,
          })),
          until,
        );
        const lookahead = data.lookahead;
        context.log.info(
          `look-ahead: ${lookahead.dst.length} DST, ${lookahead.collisions.length} collisions, ${lookahead.nearTimeout.length} near timeout, ${lookahead.longPaused.length} paused > 7 days`,
        );
      }
    }

    const message = buildReportMessage(context.task.name, data);
    if (params.csv) {
      message.file = {
        filename: `report-${data.until.slice(0, 10)}.csv`,
        content: reportCsv(data),
        title: context.task.name,
      };
    }
    const count = Object.keys(data.figures).length;
    return {
      summary: `report with ${count} figure${count === 1 ? '' : 's'}${data.skipped.length > 0 ? ` (${data.skipped.length} skipped)` : ''}`,
      data,
      messages: [message],
    } satisfies ExecutionResult;
  };
}

function formatDuration(ms: unknown): string {
  const value = Number(ms);
  return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${value} ms`;
}

/** One Block Kit field per row, by query (a generic `key: value` rendering for the others). */
function formatRow(name: string, row: Record<string, unknown>): string {
  switch (name) {
    case 'executions_24h_by_status':
      return `*${displayValue(row.status)}*\n${displayValue(row.count)}`;
    case 'slowest_tasks':
      return `*${displayValue(row.name)}*\nmax ${formatDuration(row.max_ms)} · avg ${formatDuration(row.avg_ms)} · ${displayValue(row.runs)} runs`;
    case 'failing_tasks':
      return `*${displayValue(row.name)}*\n${displayValue(row.failures)} failed of ${displayValue(row.runs)} runs`;
    default:
      return Object.entries(row)
        .map(([key, value]) => `${escapeMrkdwn(key)}: ${displayValue(value)}`)
        .join('\n');
  }
}

/** The channel message: Slack limits are enforced here, not left to the API to reject. */
export function buildReportMessage(taskName: string, data: ReportResultData): OutboundMessage {
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncateText(`${taskName} — ${data.until.slice(0, 10)}`, SLACK_LIMITS.headerText),
      },
    },
  ];
  const lines: string[] = [];
  if (data.overview) {
    const o = data.overview;
    blocks.push({
      type: 'section',
      text: mrkdwn('*Overview (24 h)*'),
      fields: [
        mrkdwn(`*Active tasks*\n${o.activeTasks}`),
        mrkdwn(`*Running*\n${o.running}`),
        mrkdwn(`*Successes*\n${o.successes}`),
        mrkdwn(`*Failures*\n${o.failures}`),
      ],
    });
    lines.push(
      `${o.activeTasks} active, ${o.running} running, ${o.successes} successes, ${o.failures} failures`,
    );
  }
  for (const [name, figure] of Object.entries(data.figures)) {
    const title = `*${escapeMrkdwn(figure.title)}*`;
    if (figure.kind === 'value') {
      blocks.push({ type: 'section', text: mrkdwn(`${title}: ${figure.value}`) });
      lines.push(`${figure.title}: ${figure.value}`);
      continue;
    }
    if (figure.rows.length === 0) {
      blocks.push({ type: 'section', text: mrkdwn(`${title}\n_none_`) });
      lines.push(`${figure.title}: none`);
      continue;
    }
    const fields = figure.rows
      .slice(0, SLACK_LIMITS.fieldsPerSection)
      .map((row) => mrkdwn(formatRow(name, row), SLACK_LIMITS.fieldText));
    blocks.push({ type: 'section', text: mrkdwn(title), fields });
    lines.push(`${figure.title}: ${figure.rows.length} row${figure.rows.length === 1 ? '' : 's'}`);
  }
  if (data.lookahead) {
    blocks.push({ type: 'section', text: mrkdwn(lookaheadText(data.lookahead)) });
    lines.push(`look-ahead: ${lookaheadCount(data.lookahead)} remark(s)`);
  }
  const notes = [`Window: ${data.since} → ${data.until} (UTC)`];
  for (const skip of data.skipped) notes.push(`${skip.query} skipped: ${escapeMrkdwn(skip.reason)}`);
  blocks.push({
    type: 'context',
    elements: notes
      .slice(0, SLACK_LIMITS.contextElements)
      .map((note) => mrkdwn(note, SLACK_LIMITS.fieldText)),
  });
  return {
    channel: null,
    // The fallback text shows in notifications; Slack still parses mentions in it, hence the escaping.
    text: truncateText(
      `${escapeMrkdwn(taskName)}: ${lines.join('; ') || 'no figures'}`,
      SLACK_LIMITS.sectionText,
    ),
    blocks: capBlocks(blocks),
  };
}

const LOOKAHEAD_ITEMS = 8;

function lookaheadCount(lookahead: Lookahead): number {
  return (
    lookahead.dst.length +
    lookahead.collisions.length +
    lookahead.nearTimeout.length +
    lookahead.longPaused.length
  );
}

function listed<T>(items: readonly T[], line: (item: T) => string): string[] {
  const shown = items.slice(0, LOOKAHEAD_ITEMS).map(line);
  if (items.length > LOOKAHEAD_ITEMS) shown.push(`  …and ${items.length - LOOKAHEAD_ITEMS} more`);
  return shown;
}

/** The look-ahead section: every name escaped; bounded lists so the section stays under 3000 chars. */
export function lookaheadText(lookahead: Lookahead): string {
  const name = (text: string) => `*${escapeMrkdwn(truncateText(text, 60))}*`;
  const hhmm = (at: Date) => at.toISOString().slice(11, 16);
  const lines = ['*Next 24 h*'];
  lines.push(
    ...listed(lookahead.dst, (item) => `:clock2: ${name(item.name)}: ${escapeMrkdwn(item.message)}`),
    ...listed(
      lookahead.collisions,
      (item) =>
        `:traffic_light: ${hhmm(item.minute)} UTC: ${item.names.map(name).join(', ')} start in the same minute`,
    ),
    ...listed(
      lookahead.nearTimeout,
      (item) =>
        `:hourglass: ${name(item.name)}: longest recent run ${formatDuration(item.maxMs)} of a ${formatDuration(item.timeoutMs)} timeout (${Math.round(item.share * 100)} %)`,
    ),
    ...listed(
      lookahead.longPaused,
      (item) =>
        `:double_vertical_bar: ${name(item.name)}: paused for ${item.days} days${item.pausedBy ? ` by ${escapeMrkdwn(item.pausedBy)}` : ''}${item.reason ? ` (${escapeMrkdwn(truncateText(item.reason, 100))})` : ''}`,
    ),
  );
  if (lines.length === 1) lines.push('_Nothing to flag._');
  return lines.join('\n');
}

/**
 * `query,row,metric,value` lines: one per figure value, flat so a spreadsheet can pivot it; text that a
 * spreadsheet would run as a formula is neutralised (csv-cell.ts).
 */
export function reportCsv(data: ReportResultData): string {
  const lines = ['query,row,metric,value'];
  for (const [name, figure] of Object.entries(data.figures)) {
    if (figure.kind === 'value') {
      lines.push([name, '', 'value', figure.value].map(csvCell).join(','));
      continue;
    }
    figure.rows.forEach((row, index) => {
      for (const [metric, value] of Object.entries(row))
        lines.push([name, index + 1, metric, value].map(csvCell).join(','));
    });
  }
  return `${lines.join('\n')}\n`;
}
