import { mrkdwn } from '../blockkit/kit.js';
import { SLACK_LIMITS } from '../blockkit/limits.js';
import { displayValue, escapeMrkdwn, truncateText } from '../blockkit/mrkdwn.js';
import type { Locale } from '../domain/i18n/locale.js';
import { type NotificationParams, requireTaskParams } from '../domain/task-params.js';
import { AppError } from '../shared/errors.js';
import { type BoundedQueryable, withBoundedSql } from './bounded-sql.js';
import { DEFAULT_RESULT_CAPS } from './capped-result.js';
import type { ExecutorDeps } from './deps.js';
import { executorMessagesFor } from './i18n/index.js';
import { singleStatement } from './sql-text.js';
import { resolveColumn, resolveTable } from './target-database.js';
import { withTaskSql } from './task-sql-session.js';
import type { ExecutionContext, ExecutionResult, Executor, OutboundMessage } from './types.js';

type Row = Record<string, unknown>;

interface Matches {
  matched: number;
  rows: Row[];
}

/** Column the condition queries add to count every match while fetching only the first few. */
const TOTAL_COLUMN = '__chronops_total';

/**
 * notification: runs a condition query on the target database; when it matches rows, returns one
 * message listing at most `maxListed` of them, then "and N more". No match, no message.
 *
 * - low_quota: users whose remaining quota (quota − messages_sent) is below `threshold`, fewest left first.
 * - custom: the task's own SELECT, run as a single statement on the restricted task login
 *   (task-sql-session.ts) in a READ ONLY transaction bounded by the task timeout, always rolled back;
 *   at most `maxListed` rows and CUSTOM_RESULT_MAX_BYTES of them are read (capped-result.ts).
 *
 * Result data: { query, matched, listed }.
 */
export function createNotificationExecutor(deps: ExecutorDeps): Executor {
  const locale = deps.locale ?? 'en';
  const m = executorMessagesFor(locale).notification;
  return async (context) => {
    const params = requireTaskParams('notification', context.task.template, context.task.params);
    const { matched, rows } =
      params.query === 'low_quota'
        ? await withBoundedSql(deps.targetPool, context, (db) =>
            lowQuotaUsers(db, params.threshold, params.maxListed),
          )
        : await customMatches(deps, params.sql, params.maxListed, context);
    context.log.info(`${params.query}: ${matched} row${matched === 1 ? '' : 's'} matched`);
    const built =
      matched > 0 ? buildNotificationMessage(context.task.name, params, matched, rows, locale) : undefined;
    const listed = built?.listed ?? 0;
    const messages = built ? [built.message] : [];
    return {
      summary: matched > 0 ? m.summary(matched, listed) : m.nothing,
      data: { query: params.query, matched, listed },
      messages,
    } satisfies ExecutionResult;
  };
}

async function lowQuotaUsers(pool: BoundedQueryable, threshold: number, limit: number): Promise<Matches> {
  const users = await resolveTable(pool, 'users', 'query');
  for (const column of ['email', 'quota', 'messages_sent']) await resolveColumn(pool, users, column, 'query');
  const { rows } = await pool.query<Row>(
    `select email, quota, messages_sent, quota - messages_sent as remaining, count(*) over ()::int4 as ${TOTAL_COLUMN}
       from ${users.quoted}
      where quota - messages_sent < $1
      order by quota - messages_sent, email
      limit $2`,
    [threshold, limit],
  );
  return splitTotal(rows);
}

async function customMatches(
  deps: ExecutorDeps,
  sql: string,
  limit: number,
  context: ExecutionContext,
): Promise<Matches> {
  // A trailing `;` would end the subquery early; the newlines keep a final `-- comment` from eating `) as q`.
  const statement = singleStatement(sql);
  if (!statement.ok) throw new AppError('invalid_params', `sql: ${statement.reason}`, 'sql');
  // The condition query is a person's SQL: it runs on the restricted task login, read only, rolled back.
  return withTaskSql(
    {
      url: deps.taskDatabaseUrl,
      protectedTables: deps.protectedTables ?? [],
      readOnly: true,
      timeoutMs: context.task.timeoutSeconds * 1000,
      // The query's own `limit` bounds the rows; the bytes are bounded as a custom task's are.
      caps: { maxRows: limit, maxBytes: (deps.resultCaps ?? DEFAULT_RESULT_CAPS).maxBytes },
      signal: context.signal,
      log: context.log,
      applicationName: 'chronops:notification-sql',
    },
    false,
    async (transaction) => {
      const result = await transaction.run<Row>(
        `select count(*) over ()::int4 as ${TOTAL_COLUMN}, q.* from (\n${statement.sql}\n) as q limit $1`,
        [limit],
      );
      if (result.truncated?.by === 'bytes')
        context.log.warn(
          `the matched rows passed CUSTOM_RESULT_MAX_BYTES: ${result.rows.length} read, the last one cut`,
        );
      return splitTotal(result.rows);
    },
  );
}

function splitTotal(rows: Row[]): Matches {
  const matched = Number(rows[0]?.[TOTAL_COLUMN] ?? 0);
  return {
    matched,
    rows: rows.map(({ [TOTAL_COLUMN]: _total, ...rest }) => rest),
  };
}

function formatLine(params: NotificationParams, row: Row, locale: Locale): string {
  if (params.query === 'low_quota') {
    return executorMessagesFor(locale).notification.lowQuotaLine(
      displayValue(row.email),
      displayValue(row.remaining),
      displayValue(row.quota),
    );
  }
  const cells = Object.entries(row).map(([key, value]) => `${escapeMrkdwn(key)}: ${displayValue(value)}`);
  return truncateText(`• ${cells.join(', ')}`, 300);
}

/** Lists rows while they fit in one section (3000 chars); whatever does not fit counts in "and N more". */
export function buildNotificationMessage(
  taskName: string,
  params: NotificationParams,
  matched: number,
  rows: readonly Row[],
  locale: Locale = 'en',
): { message: OutboundMessage; listed: number } {
  const m = executorMessagesFor(locale).notification;
  const headline =
    params.message !== undefined
      ? escapeMrkdwn(params.message)
      : params.query === 'low_quota'
        ? m.lowQuotaHeadline(matched, params.threshold)
        : m.rowsHeadline(escapeMrkdwn(taskName), matched);
  const lines: string[] = [];
  let length = headline.length + 2;
  for (const row of rows.slice(0, params.maxListed)) {
    const line = formatLine(params, row, locale);
    if (length + line.length + 1 > SLACK_LIMITS.sectionText) break;
    lines.push(line);
    length += line.length + 1;
  }
  const more = matched - lines.length;
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: mrkdwn(`*${headline}*\n${lines.join('\n')}`) },
  ];
  if (more > 0) blocks.push({ type: 'context', elements: [mrkdwn(m.more(more))] });
  const text = truncateText(
    `${headline}${more > 0 ? m.fallbackMore(lines.length, more) : ''}`,
    SLACK_LIMITS.sectionText,
  );
  return { message: { channel: null, text, blocks }, listed: lines.length };
}
