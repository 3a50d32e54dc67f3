import { escapeMrkdwn, truncateText } from '../domain/mrkdwn.js';
import { type ReportQueryName, requireTaskParams } from '../domain/task-params.js';
import { throwIfAborted } from './abort.js';
import type { ExecutorDeps } from './deps.js';
import { REPORT_QUERIES, type ReportFigure } from './report-queries.js';
import { capBlocks, displayValue, mrkdwn, SLACK_LIMITS } from './slack-text.js';
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
}

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

    for (const name of params.queries) {
      throwIfAborted(context.signal);
      const query = REPORT_QUERIES[name];
      const db = query.source === 'service' ? (deps.servicePool ?? deps.targetPool) : deps.targetPool;
      if (!(await tablesExist(db, query.requires))) {
        const reason = `table ${query.requires.join(' / ')} not found in the ${query.source === 'service' ? 'chronops' : 'target'} database`;
        data.skipped.push({ query: name, reason });
        context.log.info(`${name}: skipped (${reason})`);
        continue;
      }
      try {
        data.figures[name] = { title: query.title, ...(await query.run(db, since, until)) };
      } catch (error) {
        const state = (error as { code?: unknown }).code;
        if (typeof state !== 'string' || !MISSING_OBJECT_STATES.has(state)) throw error;
        const reason = (error as Error).message;
        data.skipped.push({ query: name, reason });
        context.log.warn(`${name}: skipped (${reason})`);
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

function csvField(value: unknown): string {
  const text =
    value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** `query,row,metric,value` lines: one per figure value, flat so a spreadsheet can pivot it. */
export function reportCsv(data: ReportResultData): string {
  const lines = ['query,row,metric,value'];
  for (const [name, figure] of Object.entries(data.figures)) {
    if (figure.kind === 'value') {
      lines.push([name, '', 'value', figure.value].map(csvField).join(','));
      continue;
    }
    figure.rows.forEach((row, index) => {
      for (const [metric, value] of Object.entries(row))
        lines.push([name, index + 1, metric, value].map(csvField).join(','));
    });
  }
  return `${lines.join('\n')}\n`;
}
