import type pg from 'pg';
import Cursor from 'pg-cursor';

/**
 * Reading the result of SQL written by a person without holding all of it (docs/SECURITY.md, "User
 * SQL"): a `select * from generate_series(1, 50000000)` must not fill the replica's memory. The rows
 * come through a cursor (a portal read a batch at a time); at most `maxRows` rows and `maxBytes` bytes
 * of values are kept, then the portal is closed and the statement's remaining rows are never fetched.
 */
export interface ResultCaps {
  /** Rows kept of one statement's result (CUSTOM_RESULT_MAX_ROWS). */
  readonly maxRows: number;
  /** Bytes of values kept of one statement's result (CUSTOM_RESULT_MAX_BYTES); a wider row is cut. */
  readonly maxBytes: number;
}

/** The defaults of CUSTOM_RESULT_MAX_ROWS and CUSTOM_RESULT_MAX_BYTES (src/config.ts). */
export const DEFAULT_RESULT_CAPS: ResultCaps = { maxRows: 1000, maxBytes: 1024 * 1024 };

/** Why a result was not kept whole. */
export interface ResultTruncation {
  /** `rows`: more rows than maxRows; `bytes`: the values passed maxBytes (the last row kept is cut). */
  readonly by: 'rows' | 'bytes';
  readonly keptRows: number;
}

export interface CappedResult<R> {
  /** The command tag (SELECT, UPDATE…), when the statement completed. */
  readonly command: string | null;
  /**
   * Rows the statement returned or changed: the rows read for a row-returning statement read to its
   * end, PostgreSQL's count for the others (DML). Null when reading stopped at a cap (the total is
   * not known: the rest was never fetched).
   */
  readonly rowCount: number | null;
  readonly fields: readonly pg.FieldDef[];
  readonly rows: R[];
  /** Null when the whole result was kept. */
  readonly truncated: ResultTruncation | null;
}

/** Rows fetched per round trip at most; fewer when rows are wide (see nextBatchSize). */
const MAX_BATCH_ROWS = 500;

/**
 * Runs one statement on `client` through a cursor and keeps at most `caps` of its result.
 * `beforeRead` runs before every fetch (it throws to stop, e.g. on abort). A row-returning statement is
 * read a batch at a time, the batch sized so that it fits in the bytes still allowed (a first row
 * measures the width); the row that passes `maxBytes` is kept cut to what remains. Only one row is
 * ever received whole before it is measured: PostgreSQL sends a row in one message (a value is at most
 * 1 GB), and the batch after a wide row is a single row.
 *
 * A DML statement runs to completion on the first fetch and reports its count; a DML ... RETURNING
 * whose rows pass the cap is still applied whole (PostgreSQL completes such a portal at its first
 * fetch), its count then unknown.
 */
export async function readCapped<R extends pg.QueryResultRow>(
  client: pg.Client,
  text: string,
  values: readonly unknown[],
  caps: ResultCaps,
  beforeRead: () => void,
): Promise<CappedResult<R>> {
  const cursor = client.query(new Cursor<R>(text, [...values]));
  const rows: R[] = [];
  let bytes = 0;
  let truncated: ResultTruncation | null = null;
  let finished = false;
  let failed = false;
  let last: pg.QueryResult | undefined;
  try {
    let batch = 1;
    while (!finished && !truncated) {
      beforeRead();
      const read = await readBatch(cursor, batch).catch((error: unknown) => {
        failed = true;
        throw error;
      });
      last = read.result;
      finished = read.rows.length < batch;
      for (const row of read.rows) {
        if (rows.length >= caps.maxRows) {
          truncated = { by: 'rows', keptRows: rows.length };
          break;
        }
        const size = rowBytes(row);
        if (bytes + size > caps.maxBytes) {
          rows.push(cutRow(row, caps.maxBytes - bytes));
          bytes = caps.maxBytes;
          truncated = { by: 'bytes', keptRows: rows.length };
          break;
        }
        rows.push(row);
        bytes += size;
      }
      batch = nextBatchSize(caps, rows.length, bytes);
    }
  } finally {
    // The portal is closed (its remaining rows are never computed, let alone sent) unless it ended by
    // itself or failed (after an error PostgreSQL has already dropped it).
    if (!finished && !failed) await closeCursor(client, cursor);
  }
  const fields = last?.fields ?? [];
  return {
    command: finished ? (last?.command ?? null) : null,
    rowCount: truncated ? null : fields.length > 0 ? rows.length : (last?.rowCount ?? null),
    fields,
    rows,
    truncated,
  };
}

/** Rows to ask for next: one more than the rows still allowed (to learn whether there are more), and
 * no more than the bytes still allowed hold at the average width so far. */
function nextBatchSize(caps: ResultCaps, keptRows: number, keptBytes: number): number {
  const rowsLeft = caps.maxRows - keptRows + 1;
  const averageBytes = keptRows > 0 ? Math.max(1, keptBytes / keptRows) : 1;
  const fitting = Math.floor((caps.maxBytes - keptBytes) / averageBytes);
  return Math.max(1, Math.min(MAX_BATCH_ROWS, rowsLeft, fitting));
}

function readBatch<R>(cursor: Cursor<R>, count: number): Promise<{ rows: R[]; result: pg.QueryResult }> {
  return new Promise((resolve, reject) => {
    cursor.read(count, (error, rows, result) => (error ? reject(error) : resolve({ rows, result })));
  });
}

/** Closes the portal; gives up waiting if the connection ends meanwhile (a terminated backend). */
function closeCursor(client: pg.Client, cursor: Cursor): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      client.removeListener('end', done);
      resolve();
    };
    client.once('end', done);
    cursor.close().then(done, done);
  });
}

/** Bytes a value takes as text (the measure of maxBytes): strings in UTF-8, JSON for objects and arrays. */
export function valueBytes(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (Buffer.isBuffer(value)) return value.length;
  if (value instanceof Date || typeof value !== 'object') return 8;
  return Buffer.byteLength(JSON.stringify(value));
}

function rowBytes(row: Record<string, unknown>): number {
  let total = 0;
  for (const key in row) total += valueBytes(row[key]);
  return total;
}

/** The row with its values cut so that they take at most `room` bytes (a cut value ends with `…`). */
function cutRow<R extends Record<string, unknown>>(row: R, room: number): R {
  let left = Math.max(0, room);
  const cut: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    const size = valueBytes(value);
    if (size <= left) {
      cut[key] = value;
      left -= size;
    } else if (Buffer.isBuffer(value)) {
      cut[key] = value.subarray(0, left);
      left = 0;
    } else if (typeof value === 'string' || (value !== null && typeof value === 'object')) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      cut[key] = `${cutText(text, left)}…`;
      left = 0;
    } else {
      cut[key] = value;
      left = Math.max(0, left - size);
    }
  }
  return cut as R;
}

/** The longest start of `text` that takes at most `bytes` bytes in UTF-8, never half a character. */
export function cutText(text: string, bytes: number): string {
  const start = text.slice(0, bytes);
  if (Buffer.byteLength(start) <= bytes) return start;
  return Buffer.from(start)
    .subarray(0, bytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}
