import type pg from 'pg';

/**
 * The engine's hot paths use node-postgres directly (array parameters with unnest, one round trip per
 * batch) instead of drizzle's builder; this runs `work` in one transaction on one pooled client.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** ISO strings for timestamptz[] parameters: unambiguous whatever the session time zone. */
export function isoOrNull(value: Date | null | undefined): string | null {
  return value ? value.toISOString() : null;
}
