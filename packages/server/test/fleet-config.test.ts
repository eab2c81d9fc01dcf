// Fleet settings from the environment: alert webhook (URL + secret) and retention days.
import { ConfigError, resolveConfig } from "@chronosync/server";
import { describe, expect, it } from "vitest";

describe("fleet configuration", () => {
  it("reads the webhook and retention from the environment", () => {
    const env = {
      CHRONOSYNC_ALERT_WEBHOOK_URL: "https://hooks.example/alerts",
      CHRONOSYNC_ALERT_WEBHOOK_SECRET: "0123456789abcdef0123",
      CHRONOSYNC_RETENTION_RAW_DAYS: "3",
      CHRONOSYNC_RETENTION_ROLLUP_DAYS: "90",
    };
    expect(resolveConfig({}, env, "/srv").fleet).toEqual({
      webhookUrl: "https://hooks.example/alerts",
      webhookSecret: "0123456789abcdef0123",
      retention: { rawDays: 3, rollupDays: 90 },
    });
  });

  it.each([
    [{ CHRONOSYNC_ALERT_WEBHOOK_URL: "https://hooks.example/a" }],
    [{ CHRONOSYNC_ALERT_WEBHOOK_URL: "ftp://x", CHRONOSYNC_ALERT_WEBHOOK_SECRET: "0123456789abcdef" }],
    [{ CHRONOSYNC_RETENTION_RAW_DAYS: "0" }],
    [{ CHRONOSYNC_RETENTION_RAW_DAYS: "30", CHRONOSYNC_RETENTION_ROLLUP_DAYS: "7" }],
  ])("refuses %o", (env) => {
    expect(() => resolveConfig({}, env, "/srv")).toThrow(ConfigError);
  });
});
