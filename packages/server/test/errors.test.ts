// One registry code → title → status; docs/server.md documents exactly the same codes and
// statuses, and the handler answers each as problem+json.
import { readFileSync } from "node:fs";
import { ERROR_REGISTRY, ServerError, type ServerErrorCode } from "@chronosync/server";
import { describe, expect, it } from "vitest";
import { toProblem } from "../src/plugins/error-handler.js";

const DOC = readFileSync(new URL("../../../docs/server.md", import.meta.url), "utf8");

function documentedCodes(): Record<string, number> {
  const section = DOC.slice(DOC.indexOf("## Errors"), DOC.indexOf("## Operations"));
  const rows = [...section.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)];
  return Object.fromEntries(rows.map((m) => [m[1]!, Number(m[2])]));
}

describe("error registry", () => {
  it("matches the table in docs/server.md", () => {
    const registry = Object.fromEntries(
      Object.entries(ERROR_REGISTRY).map(([code, def]) => [code, def.status]),
    );
    expect(documentedCodes()).toEqual(registry);
  });

  it.each(Object.keys(ERROR_REGISTRY) as ServerErrorCode[])(
    "%s becomes a problem with its status",
    (code) => {
      const { problem } = toProblem(new ServerError(code, "secret detail /etc/x"), "/somewhere");
      const { title, status } = ERROR_REGISTRY[code];
      expect(problem).toMatchObject({ code, title, status, instance: "/somewhere" });
      expect(problem.type).toMatch(/^https:\/\//);
      // 5xx never leak the internal message.
      if (status >= 500) expect(problem.detail).not.toMatch(/secret/);
      else expect(problem.detail).toBe("secret detail /etc/x");
    },
  );

  it("maps unknown failures to INTERNAL without details and connection losses to 503", () => {
    expect(toProblem(new TypeError("x is undefined at /src/app.ts")).problem).toMatchObject({
      status: 500,
      code: "INTERNAL",
    });
    expect(toProblem(new TypeError("x")).problem.detail).not.toMatch(/undefined/);
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    expect(toProblem(refused)).toMatchObject({
      problem: { status: 503, code: "DATABASE_UNAVAILABLE" },
      retryAfter: 5,
    });
    const shutdown = Object.assign(new Error("terminating connection due to administrator command"), {
      code: "57P01",
    });
    expect(toProblem(shutdown).problem.status).toBe(503);
    expect(toProblem(new Error("Connection terminated unexpectedly")).problem.status).toBe(503);
  });
});
