import { DateTime } from 'luxon';
import type pg from 'pg';
import { capBlocks, mrkdwn } from '../blockkit/kit.js';
import { SLACK_LIMITS } from '../blockkit/limits.js';
import { displayValue, escapeMrkdwn, truncateText } from '../blockkit/mrkdwn.js';
import { formatDuration } from '../domain/duration-text.js';
import { dstSentence } from '../domain/i18n/dst.js';
import type { Locale } from '../domain/i18n/locale.js';
import { computeLookahead, type Lookahead } from '../domain/report-lookahead.js';
import { type ReportQueryName, requireTaskParams } from '../domain/task-params.js';
import { throwIfAborted } from './abort.js';
import { type BoundedQueryable, withBoundedSql } from './bounded-sql.js';
import { csvCell } from './csv-cell.js';
import type { ExecutorDeps } from './deps.js';
import { executorMessagesFor } from './i18n/index.js';
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
 *
 * Stays whole: it only builds the executor it returns, whose comment says why that is long.
 */
export function createReportExecutor(deps: ExecutorDeps): Executor {
  const locale = deps.locale ?? 'en';
  const m = executorMessagesFor(locale);
  // Stays whole: the report's sections in the order they are shown, sharing the run's figures.
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
        const reason = m.report.tableMissing(query.requires.join(' / '), query.source === 'service');
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

    const message = buildReportMessage(context.task.name, data, locale);
    if (params.csv) {
      message.file = {
        filename: `report-${data.until.slice(0, 10)}.csv`,
        content: reportCsv(data),
        title: context.task.name,
      };
    }
    const count = Object.keys(data.figures).length;
    return {
      summary: m.report.summary(count, data.skipped.length),
      data,
      messages: [message],
    } satisfies ExecutionResult;
  };
}

/** One Block Kit field per row, by query (a generic `key: value` rendering for the others). */
function formatRow(name: string, row: Record<string, unknown>, locale: Locale): string {
  const m = executorMessagesFor(locale);
  const duration = (ms: unknown) => formatDuration(Number(ms), locale);
  switch (name) {
    case 'executions_24h_by_status':
      // The status is chronops's own word: shown in the reader's language when it is a known one.
      return `*${displayValue(m.executionStatus[String(row.status)] ?? row.status)}*\n${displayValue(row.count)}`;
    case 'slowest_tasks':
      return `*${displayValue(row.name)}*\n${m.report.slowestRow(duration(row.max_ms), duration(row.avg_ms), displayValue(row.runs))}`;
    case 'failing_tasks':
      return `*${displayValue(row.name)}*\n${m.report.failingRow(displayValue(row.failures), displayValue(row.runs))}`;
    default:
      return Object.entries(row)
        .map(([key, value]) => `${escapeMrkdwn(key)}: ${displayValue(value)}`)
        .join('\n');
  }
}

/** The channel message: Slack limits are enforced here, not left to the API to reject. */
export function buildReportMessage(
  taskName: string,
  data: ReportResultData,
  locale: Locale = 'en',
): OutboundMessage {
  const m = executorMessagesFor(locale);
  const day = DateTime.fromISO(data.until, { zone: 'UTC' }).setLocale(locale).toFormat(m.report.headerDate);
  const stamp = (iso: string) =>
    m.report.windowDate === null
      ? iso
      : DateTime.fromISO(iso, { zone: 'UTC' }).setLocale(locale).toFormat(m.report.windowDate);
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncateText(`${taskName} — ${day}`, SLACK_LIMITS.headerText),
      },
    },
  ];
  const lines: string[] = [];
  if (data.overview) {
    const o = data.overview;
    blocks.push({
      type: 'section',
      text: mrkdwn(m.report.overviewTitle),
      fields: [
        mrkdwn(`*${m.report.activeTasks}*\n${o.activeTasks}`),
        mrkdwn(`*${m.report.running}*\n${o.running}`),
        mrkdwn(`*${m.report.successes}*\n${o.successes}`),
        mrkdwn(`*${m.report.failures}*\n${o.failures}`),
      ],
    });
    lines.push(m.report.overviewLine(o.activeTasks, o.running, o.successes, o.failures));
  }
  for (const [name, figure] of Object.entries(data.figures)) {
    // The stored title is English (result data); the message says it in the reader's language.
    const label = m.report.figureTitle[name as ReportQueryName] ?? figure.title;
    const title = `*${escapeMrkdwn(label)}*`;
    if (figure.kind === 'value') {
      blocks.push({ type: 'section', text: mrkdwn(`${title}: ${figure.value}`) });
      lines.push(`${label}: ${figure.value}`);
      continue;
    }
    if (figure.rows.length === 0) {
      blocks.push({ type: 'section', text: mrkdwn(`${title}\n_${m.report.none}_`) });
      lines.push(`${label}: ${m.report.none}`);
      continue;
    }
    const fields = figure.rows
      .slice(0, SLACK_LIMITS.fieldsPerSection)
      .map((row) => mrkdwn(formatRow(name, row, locale), SLACK_LIMITS.fieldText));
    blocks.push({ type: 'section', text: mrkdwn(title), fields });
    lines.push(`${label}: ${m.report.figureRows(figure.rows.length)}`);
  }
  if (data.lookahead) {
    blocks.push({ type: 'section', text: mrkdwn(lookaheadText(data.lookahead, locale)) });
    lines.push(m.report.lookaheadLine(lookaheadCount(data.lookahead)));
  }
  const notes = [m.report.window(stamp(data.since), stamp(data.until))];
  for (const skip of data.skipped) notes.push(m.report.skipped(skip.query, escapeMrkdwn(skip.reason)));
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
      `${escapeMrkdwn(taskName)}: ${lines.join('; ') || m.report.noFigures}`,
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

function listed<T>(
  items: readonly T[],
  line: (item: T) => string,
  more: (count: number) => string,
): string[] {
  const shown = items.slice(0, LOOKAHEAD_ITEMS).map(line);
  if (items.length > LOOKAHEAD_ITEMS) shown.push(more(items.length - LOOKAHEAD_ITEMS));
  return shown;
}

/** The look-ahead section: every name escaped; bounded lists so the section stays under 3000 chars. */
export function lookaheadText(lookahead: Lookahead, locale: Locale = 'en'): string {
  const l = executorMessagesFor(locale).lookahead;
  const name = (text: string) => `*${escapeMrkdwn(truncateText(text, 60))}*`;
  const hhmm = (at: Date) => at.toISOString().slice(11, 16);
  // French puts a space before the colon; English does not.
  const colon = locale === 'fr' ? ' :' : ':';
  const lines = [l.title];
  lines.push(
    ...listed(
      lookahead.dst,
      (item) => `:clock2: ${name(item.name)}${colon} ${escapeMrkdwn(dstSentence(item, locale))}`,
      l.more,
    ),
    ...listed(
      lookahead.collisions,
      (item) => `:traffic_light: ${l.collision(hhmm(item.minute), item.names.map(name).join(', '))}`,
      l.more,
    ),
    ...listed(
      lookahead.nearTimeout,
      (item) =>
        `:hourglass: ${name(item.name)}${colon} ${l.nearTimeout(formatDuration(item.maxMs, locale), formatDuration(item.timeoutMs, locale), Math.round(item.share * 100))}`,
      l.more,
    ),
    ...listed(
      lookahead.longPaused,
      (item) =>
        `:double_vertical_bar: ${name(item.name)}${colon} ${l.pausedFor(
          item.days,
          item.pausedBy ? escapeMrkdwn(item.pausedBy) : undefined,
          item.reason ? escapeMrkdwn(truncateText(item.reason, 100)) : undefined,
        )}`,
      l.more,
    ),
  );
  if (lines.length === 1) lines.push(l.nothing);
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
