/** A pooled client in one transaction: COMMIT when `fn` resolves, ROLLBACK when it throws. */
import type pg from "pg";
import { inTransaction } from "../ledger/append.js";

export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    return await inTransaction(client, () => fn(client));
  } finally {
    client.release();
  }
}
