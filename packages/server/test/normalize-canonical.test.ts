// The normalize route builds each record's JSON text by hand and hashes that text as the
// record's canonical form: check it IS RFC 8785 canonical JSON for random requests, and
// that the log's hand-escaped SQL literals give back exactly what went in.
import { canonicalJson, hashRecord } from "@chronosync/core";
import fc from "fast-check";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { lit } from "../src/ledger/append-sealed.js";
import { normalizeBatch } from "../src/normalize/normalize-batch.js";
import { noOffsetHistory } from "../src/normalize/offset-history-provider.js";
import { DEFAULT_NORMALIZE_SETTINGS } from "../src/normalize/settings.js";
import { EXTERNAL_ADMIN_URL } from "./helpers/databases.js";

/** Well-formed text the route accepts (no U+0000, no lone surrogate). */
const text = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 40 })
  .filter((s) => !s.includes("\u0000"));
const value = fc.oneof(
  fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }),
  fc.double({ min: 0, max: 4e12, noNaN: true }),
  fc.bigInt({ min: 0n, max: 4_000_000_000_000_000_000n }).map(String),
  fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString()),
);

describe("normalize records as canonical JSON", () => {
  it("each record's text is canonicalJson of itself, and hashes as hashRecord does", async () => {
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.option(text, { nil: undefined }),
        fc.array(
          fc.record(
            {
              value,
              precision: fc.option(fc.double({ min: 0, max: 86_400, noNaN: true }), { nil: undefined }),
              source: fc.option(text, { nil: undefined }),
            },
            { requiredKeys: ["value"] },
          ),
          { minLength: 1, maxLength: 5 },
        ),
        fc.option(value, { nil: undefined }),
        async (sourceId, clientId, timestamps, requestTimestamp) => {
          const body = {
            sourceId,
            timestamps: timestamps.map((t) =>
              Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)),
            ) as never,
            ...(clientId === undefined && requestTimestamp === undefined
              ? {}
              : {
                  requestMetadata: {
                    ...(clientId === undefined ? {} : { clientId }),
                    ...(requestTimestamp === undefined ? {} : { requestTimestamp }),
                  },
                }),
          };
          let records: Awaited<ReturnType<typeof normalizeBatch>>;
          try {
            records = await normalizeBatch(
              body,
              1_764_400_000_000_000_000n,
              DEFAULT_NORMALIZE_SETTINGS,
              noOffsetHistory,
            );
          } catch (err) {
            // Instants the engine places outside years 0000–9999 are refused, never mangled.
            expect((err as { code?: string }).code).toBe("VALIDATION_FAILED");
            return;
          }
          for (const r of records) {
            const parsed = JSON.parse(r.json);
            expect(canonicalJson(parsed)).toBe(r.json);
            expect(hashRecord(parsed)).toBe(r.hash);
            expect(parsed.sourceId).toBe(sourceId);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe("SQL literals of the log", () => {
  it("round-trip any text through PostgreSQL unchanged", async () => {
    const client = new pg.Client({ connectionString: EXTERNAL_ADMIN_URL });
    await client.connect();
    try {
      const samples = fc.sample(
        fc.string({ unit: "binary", maxLength: 60 }).filter((s) => !s.includes("\u0000")),
        300,
      );
      samples.push(`O'Brien`, "a\\b", `\\'; DROP TABLE x; --`, "E'x'", "$$", "\\\\''\\");
      const sql = samples.map((s, i) => `${lit(s)} AS v${i}`).join(", ");
      const row = (await client.query(`SELECT ${sql}`)).rows[0] as Record<string, string>;
      for (const [i, s] of samples.entries()) expect(row[`v${i}`], JSON.stringify(s)).toBe(s);
      // Also with the old escaping rules for backslashes.
      await client.query("SET standard_conforming_strings = off");
      const old = (await client.query(`SELECT ${sql}`)).rows[0] as Record<string, string>;
      for (const [i, s] of samples.entries()) expect(old[`v${i}`], JSON.stringify(s)).toBe(s);
    } finally {
      await client.end();
    }
  });
});
