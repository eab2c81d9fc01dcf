/**
 * The append thread (append-thread.ts): opens the log on its own connections and runs
 * the group-commit queue for the records the request thread posts.
 */

import { parentPort, workerData } from "node:worker_threads";
import { formatRfc3339, systemClock } from "@chronosync/core";
import { openPool } from "../db/database.js";
import { SigningKeyStore } from "../keys/signing-keys.js";
import { AppendQueue } from "../normalize/append-queue.js";
import type {
  AppendItem,
  AppendResult,
  AppendThreadData,
  AppendThreadReply,
  AppendThreadRequest,
} from "./append-thread.js";
import { serializeError } from "./append-thread.js";
import type { BatchRecord } from "./ledger.js";
import { openLedger } from "./ledger.js";
import { receiptJson } from "./receipt-json.js";

const port = parentPort!;
const data = workerData as AppendThreadData;
const post = (reply: AppendThreadReply): void => port.postMessage(reply);

// Two connections: two commits in flight (append-queue.ts).
const pool = openPool(data.databaseUrl, 2, (line) => post({ type: "log", message: line }));

try {
  const keys = new SigningKeyStore(pool, Buffer.from(data.masterKey), () =>
    formatRfc3339(systemClock.now(), 9),
  );
  const ledger = await openLedger({
    pool,
    keys,
    now: () => systemClock.now(),
    sealOnAppend: true,
    maxCheckpointSize: data.maxCheckpointSize,
    onAppend: (entries, seconds) => post({ type: "written", entries, seconds }),
  });
  const queue = new AppendQueue(
    (batches) => ledger.appendBatches(batches),
    data.maxRecords,
    (requests) => post({ type: "commit", requests }),
    2, // one commit waits for the lock in the database while the other finishes
  );
  // Results go back in one message per event-loop turn (a commit settles many at once).
  let results: AppendResult[] = [];
  const flush = () => {
    if (results.length === 0) return;
    post({ type: "results", results });
    results = [];
  };
  const settled = (result: AppendResult) => {
    results.push(result);
    if (results.length === 1) setImmediate(flush);
  };
  let inFlight = 0;
  let closing = false;
  const finish = async () => {
    if (!closing || inFlight > 0) return;
    flush();
    await pool.end().catch(() => {});
    port.close();
  };
  const append = ({ id, jsons, hashes }: AppendItem) => {
    const records: BatchRecord[] = jsons.map((json, i) => ({ json, hash: hashes[i]! }));
    inFlight += 1;
    queue
      .append(records)
      .then(
        ({ receipt }) => settled({ id, receiptJson: receiptJson(receipt) }),
        (err: unknown) => settled({ id, error: serializeError(err) }),
      )
      .finally(() => {
        inFlight -= 1;
        void finish();
      });
  };
  port.on("message", (message: AppendThreadRequest) => {
    if (message.type === "close") {
      closing = true;
      void finish();
      return;
    }
    for (const item of message.items) append(item);
  });
  post({ type: "ready" });
} catch (err) {
  post({ type: "start-failed", error: serializeError(err) });
  await pool.end().catch(() => {});
  port.close();
}
