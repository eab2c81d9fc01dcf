// Pure parts of the settings pages, without a browser: temporary passwords and the user
// form's rules (the server's own: bcrypt's 72 bytes, the username pattern), the retention
// form's rules (whole days, raw ≤ 1-minute ≤ 1-hour rollups).
import { describe, expect, it } from "vitest";
import { generatePassword } from "../src/features/settings/generate-password.js";
import { copyCommand, installCommand } from "../src/features/settings/install-command.js";
import { retentionSchema } from "../src/features/settings/retention-rules.js";
import { createUserSchema, temporaryPassword } from "../src/features/settings/user-rules.js";

describe("temporary passwords", () => {
  it("are 20 characters from an alphabet without look-alikes, different every time", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = generatePassword();
      expect(p).toMatch(/^[a-km-np-zA-HJ-NP-Z2-9]{20}$/);
      seen.add(p);
    }
    expect(seen.size).toBe(200);
    expect(temporaryPassword.safeParse(generatePassword()).success).toBe(true);
  });

  it("draw every character with equal probability (bytes past the last full alphabet are rejected)", () => {
    // A source that answers 255 (rejected: 256 % 55 ≠ 0) then 0, 1, 2 …: only the accepted bytes count.
    let next = 0;
    const bytes = (b: Uint8Array) => {
      for (let i = 0; i < b.length; i++) b[i] = i % 2 === 0 ? 255 : next++ % 256;
      return b;
    };
    expect(generatePassword(5, bytes)).toBe("abcde");
  });
});

describe("user form", () => {
  it("holds the server's rules", () => {
    const ok = { username: "ops.lead@lab", password: "0123456789", role: "operator" as const };
    expect(createUserSchema.safeParse(ok).success).toBe(true);
    expect(createUserSchema.safeParse({ ...ok, username: ".dot" }).success).toBe(false);
    expect(createUserSchema.safeParse({ ...ok, password: "short" }).success).toBe(false);
    expect(createUserSchema.safeParse({ ...ok, role: "root" }).success).toBe(false);
    // 36 two-byte characters are 72 bytes (allowed), 37 are 74 (bcrypt would cut them).
    expect(temporaryPassword.safeParse("é".repeat(36)).success).toBe(true);
    expect(temporaryPassword.safeParse("é".repeat(37)).success).toBe(false);
  });
});

describe("retention form", () => {
  const form = {
    rawDays: "7",
    minuteRollupDays: "30",
    hourRollupDays: "400",
    resolvedAlertDays: "400",
    webhookDeliveryDays: "7",
  };
  const problems = (input: typeof form) => {
    const r = retentionSchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("parses the text fields into whole days", () => {
    expect(retentionSchema.parse(form)).toEqual({
      rawDays: 7,
      minuteRollupDays: 30,
      hourRollupDays: 400,
      resolvedAlertDays: 400,
      webhookDeliveryDays: 7,
    });
  });

  it("names the field that breaks a rule", () => {
    expect(problems({ ...form, rawDays: "1.5" })).toEqual(["rawDays: Whole days"]);
    expect(problems({ ...form, webhookDeliveryDays: "0" })).toEqual(["webhookDeliveryDays: At least 1 day"]);
    expect(problems({ ...form, rawDays: "31" })).toEqual([
      "minuteRollupDays: Keep 1-minute rollups at least as long as raw reports",
    ]);
    expect(problems({ ...form, hourRollupDays: "29" })).toEqual([
      "hourRollupDays: Keep 1-hour rollups at least as long as 1-minute rollups",
    ]);
  });
});

describe("enrollment commands", () => {
  it("are README's: copy the one-file agent bundle, then start it with the token (the server does not serve it)", () => {
    expect(copyCommand()).toBe(
      "scp packages/agent/dist-bundle/chronosync-agent.mjs NODE:/usr/local/bin/chronosync-agent",
    );
    expect(installCommand("https://chrono.example:8443", "cset_abc")).toBe(
      "CHRONOSYNC_ENROLL_TOKEN=cset_abc /usr/local/bin/chronosync-agent agent --server-url https://chrono.example:8443",
    );
  });
});
