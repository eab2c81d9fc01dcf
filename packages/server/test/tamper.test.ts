// Tampering with the log through SQL as a superuser who switches the append-only
// triggers off: verification must fail and name the first bad entry.
import { ManualClock, verifyLogExport, verifyReceipt } from "@chronosync/core";
import { buildApp, openDatabase } from "@chronosync/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, superuserQuery, type TestDatabase } from "./helpers/databases.js";

const REPLICA = "SET session_replication_role = replica;";

const SCENARIOS: { name: string; sql: string; firstBadSeq: string }[] = [
  {
    name: "edit a payload",
    sql: `${REPLICA} UPDATE ledger_entries SET payload = '{"n":666}' WHERE seq = 5`,
    firstBadSeq: "5",
  },
  {
    name: "edit a kind",
    sql: `${REPLICA} UPDATE ledger_entries SET kind = 'forged' WHERE seq = 2`,
    firstBadSeq: "2",
  },
  { name: "delete an entry", sql: `${REPLICA} DELETE FROM ledger_entries WHERE seq = 6`, firstBadSeq: "6" },
  {
    name: "reorder two entries",
    sql: `${REPLICA} UPDATE ledger_entries SET seq = 1000 WHERE seq = 5;
          UPDATE ledger_entries SET seq = 5 WHERE seq = 6; UPDATE ledger_entries SET seq = 6 WHERE seq = 1000`,
    firstBadSeq: "5",
  },
  {
    name: "truncate and refill with one payload changed",
    sql: `ALTER TABLE ledger_entries DISABLE TRIGGER USER;
          CREATE TEMP TABLE saved AS SELECT * FROM ledger_entries;
          TRUNCATE ledger_entries;
          INSERT INTO ledger_entries SELECT seq, kind, time,
            CASE WHEN seq = 7 THEN '{"n":7,"forged":true}'::jsonb ELSE payload END, prev_hash, entry_hash FROM saved;
          ALTER TABLE ledger_entries ENABLE TRIGGER USER`,
    firstBadSeq: "7",
  },
];

describe.each(BACKENDS)("tampering on $name PostgreSQL", ({ create }) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await create();
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it.each(SCENARIOS)("$name → verification names entry $firstBadSeq", async ({ sql, firstBadSeq }) => {
    const url = await db.scratch();
    const database = await openDatabase({ dataDir: db.dataDir, databaseUrl: url });
    const app = await buildApp({
      dataDir: db.dataDir,
      database,
      clock: new ManualClock(1_764_400_000_000_000_000n),
    });
    try {
      for (let batch = 0; batch < 3; batch++) {
        await app.ledger.append(
          "test.event",
          [0, 1, 2, 3].map((i) => ({ n: batch * 4 + i })),
        );
      }
      const keySet = await app.keys.keySet();
      expect(verifyLogExport(await app.ledger.export(0n), keySet)).toEqual({ valid: true });
      await superuserQuery(url, sql);
      const result = verifyLogExport(await app.ledger.export(0n), keySet);
      expect(result).toMatchObject({ valid: false, code: "CRYPTO_VERIFICATION_FAILED", firstBadSeq });
      const receipt = await app.ledger.receipt(BigInt(firstBadSeq));
      if (receipt !== undefined) expect(verifyReceipt(receipt, keySet).valid).toBe(false);
    } finally {
      await app.close();
      await database.close();
    }
  });
});
