// The built dashboard in headless Chromium (Debian's /usr/bin/chromium via playwright-core):
// sign-in renders, keyboard-only pass with visible focus, axe-core finds zero WCAG 2.1 AA
// violations in light and dark themes (sign-in and every page of the app shell), failed
// logins show readable messages — with no server (network error) and with a real server
// (problem+json detail). Screenshots go to .tmp/artifacts/dashboard (gitignored).
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AxeBuilder } from "@axe-core/playwright";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureApi, startFixtureApi } from "./helpers/fixture-api.js";
import { type RealServer, startRealServer } from "./helpers/real-server.js";
import { initialJsPerRoute } from "./helpers/route-sizes.js";
import { type StaticServer, serveDashboard } from "./helpers/static-server.js";

const PKG = fileURLToPath(new URL("..", import.meta.url));
const ARTIFACTS = fileURLToPath(new URL("../../../.tmp/artifacts/dashboard/", import.meta.url));
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let outDir: string;
let browser: Browser;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), "chronosync-dashboard-"));
  await mkdir(ARTIFACTS, { recursive: true });
  // Vitest sets NODE_ENV=test, which would select React's development build and JSX.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({
      configFile: join(PKG, "vite.config.ts"),
      logLevel: "warn",
      mode: "production",
      build: { outDir, emptyOutDir: true, manifest: true },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  if (outDir !== undefined) await rm(outDir, { recursive: true, force: true });
});

/** Axe with the WCAG 2.0/2.1 A and AA rules; answers the violations, summarized. */
async function axe(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  return result.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`,
  );
}

// In-page scripts are strings: the test program is typechecked without the DOM library.
const IS_DARK = `document.documentElement.classList.contains("dark")`;
const NO_SKELETON = `document.querySelector(".animate-pulse") === null`;
const FOCUSED = `(() => {
  const el = document.activeElement;
  if (el === null) return undefined;
  const style = getComputedStyle(el);
  const label = el.id === "" ? null : document.querySelector('label[for="' + CSS.escape(el.id) + '"]');
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    name: (label?.textContent ?? el.getAttribute("aria-label") ?? el.textContent ?? "").trim(),
    visible: el.matches(":focus-visible") && style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
  };
})()`;

interface Focused {
  readonly tag: string;
  readonly id: string;
  readonly name: string;
  readonly visible: boolean;
}

function isDark(page: Page): Promise<boolean> {
  return page.evaluate<boolean>(IS_DARK);
}

async function setTheme(page: Page, theme: "light" | "dark") {
  const dark = await isDark(page);
  if (dark !== (theme === "dark")) await page.getByRole("button", { name: /Switch to .* theme/ }).click();
  await expect.poll(() => isDark(page)).toBe(theme === "dark");
}

/** Waits until no skeleton is left on the page. */
async function settled(page: Page) {
  await page.waitForFunction(NO_SKELETON, undefined, { timeout: 10_000 });
}

/** What has focus, and whether it shows a focus indicator. */
function focused(page: Page): Promise<Focused | undefined> {
  return page.evaluate<Focused | undefined>(FOCUSED);
}

describe("production build", () => {
  it("loads under 200 KB of gzip JavaScript on a first visit to any route (issue 5 §4)", async () => {
    const sizes = await initialJsPerRoute(outDir);
    const table = Object.entries(sizes).map(([route, bytes]) => `${route}: ${(bytes / 1024).toFixed(1)} KB`);
    console.log(`initial JS (gzip) per route:\n  ${table.join("\n  ")}`);
    for (const [route, bytes] of Object.entries(sizes)) expect(bytes, route).toBeLessThan(200 * 1024);
  });
});

describe("dashboard without a server", () => {
  let site: StaticServer;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    site = await serveDashboard(outDir);
    context = await browser.newContext({ colorScheme: "light", viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await site?.close();
  });

  it("sends a signed-out visitor to the sign-in page, which renders", async () => {
    await page.goto(`${site.url}/nodes`);
    await expect.poll(() => new URL(page.url()).pathname).toBe("/sign-in");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/nodes");
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(await page.getByLabel("Username").isVisible()).toBe(true);
    expect(await page.getByLabel("Password").isVisible()).toBe(true);
    expect(await page.locator("main").count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, "sign-in-light.png") });
  });

  it("is usable from the keyboard alone, with a visible focus", async () => {
    await page.goto(`${site.url}/sign-in`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    const seen: Focused[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press("Tab");
      const f = await focused(page);
      if (f !== undefined) seen.push(f);
    }
    const names = seen.map((f) => f.name);
    const user = names.indexOf("Username");
    const pass = names.indexOf("Password");
    const submit = names.indexOf("Sign in");
    expect(user, JSON.stringify(seen)).toBeGreaterThanOrEqual(0);
    expect(pass).toBe(user + 1);
    expect(submit).toBe(pass + 1);
    for (const f of seen.slice(0, submit + 1)) expect(f.visible, `focus visible on ${f.name}`).toBe(true);
    // Enter submits from the keyboard; empty fields are named in the error text.
    await page.getByLabel("Username").focus();
    await page.keyboard.press("Enter");
    await page.getByText("Enter your username").waitFor();
  });

  it("has zero axe violations on the sign-in page, light and dark", async () => {
    await page.goto(`${site.url}/sign-in`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await setTheme(page, "light");
    expect(await axe(page)).toEqual([]);
    await setTheme(page, "dark");
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, "sign-in-dark.png") });
    // The choice persists across a reload.
    await page.reload();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(await isDark(page)).toBe(true);
    await setTheme(page, "light");
  });

  it("shows a readable message when the server cannot be reached", async () => {
    await page.goto(`${site.url}/sign-in`);
    await page.getByLabel("Username").fill("admin");
    await page.getByLabel("Password").fill("whatever");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toContain("Cannot reach the ChronoSync server");
    await page.screenshot({ path: join(ARTIFACTS, "sign-in-network-error.png") });
  });
});

const NEW_PASSWORD = "a-long-new-password-1";

describe("dashboard against a real server", () => {
  let server: RealServer;
  let site: StaticServer;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await startRealServer();
    site = await serveDashboard(outDir, server.url);
    context = await browser.newContext({ colorScheme: "light", viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await site?.close();
    await server?.close();
  });

  it("shows the problem detail of a refused login", async () => {
    await page.goto(`${site.url}/sign-in`);
    await page.getByLabel("Username").fill("admin");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toContain("wrong username or password");
  });

  it("first run: the generated admin password must be changed before anything else", async () => {
    await page.goto(`${site.url}/sign-in?next=/`);
    await page.getByLabel("Username").fill("admin");
    await page.getByLabel("Password").fill(server.adminPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
    for (const theme of ["light", "dark"] as const) {
      await setTheme(page, theme);
      expect(await axe(page), `change password (${theme})`).toEqual([]);
    }
    await setTheme(page, "light");
    await page.getByLabel("Current password").fill(server.adminPassword);
    await page.getByLabel("New password (10–72 characters)").fill("short");
    await page.getByRole("button", { name: "Save and continue" }).click();
    await page.getByText("Use at least 10 characters").waitFor();
    await page.getByLabel("New password (10–72 characters)").fill(NEW_PASSWORD);
    await page.getByLabel("New password again").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Save and continue" }).click();
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
  });

  it("every page of the shell has landmarks and zero axe violations, light and dark", async () => {
    expect(await page.getByRole("banner").count()).toBe(1);
    expect(await page.getByRole("navigation", { name: "Main" }).count()).toBe(1);
    expect(await page.getByRole("main").count()).toBe(1);
    // The server's SSE stream is open.
    await page.getByText("Live", { exact: true }).waitFor();
    const pages = ["Overview", "Nodes", "Sources", "Timestamps", "Log", "Settings"];
    for (const name of pages) {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
      await page.getByRole("heading", { name, level: 1 }).waitFor();
      await settled(page);
      for (const theme of ["light", "dark"] as const) {
        await setTheme(page, theme);
        expect(await axe(page), `${name} (${theme})`).toEqual([]);
      }
      await page.screenshot({ path: join(ARTIFACTS, `${name.toLowerCase()}-dark.png`), fullPage: true });
      await setTheme(page, "light");
    }
  });

  it("normalizes a pasted timestamp, downloads the results, and verifies the receipt in the browser and by the server", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Timestamps" }).click();
    await page.getByLabel("Source id (an enrolled node, or any name)").fill("e2e-client");
    await page.getByLabel(/^Timestamps, one per line/).fill("1703054123456 0.001 ntp://pool.ntp.org");
    await page.getByRole("button", { name: "Normalize" }).click();
    await page.getByText("1 timestamps normalized and sealed in the log.").waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download results" }).click(),
    ]);
    const saved = join(ARTIFACTS, "normalized.json");
    await download.saveAs(saved);
    // The whole downloaded response is what gets verified: every record against its entry.
    const receipt = await readFile(saved, "utf8");
    expect(JSON.parse(receipt)).toMatchObject({ receipt: { entry: { kind: "timestamp.batch" } } });
    await page.getByRole("tab", { name: "Verify" }).click();
    await page.getByLabel("Receipt (JSON)").fill(receipt);
    await page.getByRole("button", { name: "Verify", exact: true }).click();
    await page.getByText("In this browser: valid").waitFor();
    await page.getByText("By the server: valid").waitFor();
    await page.getByText(/^1 record of entry \d+: hashes, inclusion proofs/).waitFor();
    for (const theme of ["light", "dark"] as const) {
      await setTheme(page, theme);
      expect(await axe(page), `verify (${theme})`).toEqual([]);
    }
    await setTheme(page, "light");
    // A tampered receipt fails in the browser without asking the server.
    const tampered = receipt.replace('"sourceId": "e2e-client"', '"sourceId": "e2e-mallory"');
    expect(tampered).not.toBe(receipt);
    await page.getByLabel("Receipt (JSON)").fill(tampered);
    await page.getByRole("button", { name: "Verify", exact: true }).click();
    await page.getByText("In this browser: not valid").waitFor();
  });

  it("settings: an admin saves a policy and creates an enrollment token with its install command", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    await page.getByLabel("Policy id").fill("lab");
    await page.getByLabel("Tolerance (µs)").fill("500");
    await page.getByLabel("Silent after (s)").fill("5");
    await page.getByRole("button", { name: "Save policy" }).click();
    await page.getByText("At least 10 s").waitFor();
    await page.getByLabel("Silent after (s)").fill("60");
    await page.getByRole("button", { name: "Save policy" }).click();
    await page.getByRole("row", { name: /lab ±500 µs 60 s/ }).waitFor();
    await page.getByRole("button", { name: "Create enrollment token" }).click();
    await page.getByRole("button", { name: "Copy install command" }).waitFor();
    // The server does not serve the agent bundle: copy it from a checkout (README), then start it.
    const commands = await page.locator("pre").allTextContents();
    expect(commands).toHaveLength(2);
    expect(commands[0]).toBe(
      "scp packages/agent/dist-bundle/chronosync-agent.mjs NODE:/usr/local/bin/chronosync-agent",
    );
    expect(commands[1]).toMatch(
      /^CHRONOSYNC_ENROLL_TOKEN=cset_\S+ \/usr\/local\/bin\/chronosync-agent agent --server-url http:\/\/127\.0\.0\.1:\d+$/,
    );
    for (const theme of ["light", "dark"] as const) {
      await setTheme(page, theme);
      expect(await axe(page), `settings after changes (${theme})`).toEqual([]);
    }
    await setTheme(page, "light");
  });

  it("settings → users: an admin adds a user, changes the role, disables, resets the password and deletes them", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Users" }).waitFor();
    await page.getByLabel("Username").fill("e2e-olga");
    await page.getByRole("button", { name: "Generate a temporary password" }).click();
    expect(await page.getByLabel("Temporary password").inputValue()).toMatch(/^\S{20}$/);
    await page.getByLabel("Role", { exact: true }).click();
    await page.getByRole("option", { name: "operator" }).click();
    await page.getByRole("button", { name: "Add user" }).click();
    await page.getByText("Added e2e-olga.", { exact: false }).waitFor();
    await page.getByRole("row", { name: /e2e-olga operator must change password/ }).waitFor();
    // One's own row offers no delete (the server refuses it too).
    await page.getByRole("button", { name: "Edit admin" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("heading", { name: "Edit admin" }).waitFor();
    expect(await dialog.getByRole("button", { name: /^Delete/ }).count()).toBe(0);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    // From the keyboard: Enter opens the dialog, focus moves into it.
    for (const theme of ["light", "dark"] as const) {
      await setTheme(page, theme);
      await page.getByRole("button", { name: "Edit e2e-olga" }).focus();
      await page.keyboard.press("Enter");
      await dialog.getByRole("heading", { name: "Edit e2e-olga" }).waitFor();
      expect(
        await page.evaluate<boolean>(
          `document.querySelector('[role="dialog"]').contains(document.activeElement)`,
        ),
      ).toBe(true);
      expect(await axe(page), `edit user dialog (${theme})`).toEqual([]);
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
    }
    await setTheme(page, "light");
    await page.getByRole("button", { name: "Edit e2e-olga" }).click();
    await dialog.getByLabel("Role", { exact: true }).click();
    await page.getByRole("option", { name: "viewer" }).click();
    await dialog.getByRole("button", { name: "Save role" }).click();
    await dialog.getByText("Saved: viewer, enabled.").waitFor();
    await dialog.getByRole("button", { name: "Disable account" }).click();
    await dialog.getByText("Saved: viewer, disabled.").waitFor();
    // Behind the modal dialog the table is aria-hidden: read it by text.
    await page.locator("tbody tr", { hasText: "e2e-olga" }).filter({ hasText: "disabled" }).waitFor();
    await dialog.getByRole("button", { name: "Enable account" }).waitFor();
    await dialog.getByLabel("Temporary password").fill("short");
    await dialog.getByRole("button", { name: "Reset password" }).click();
    await dialog.getByText("Use at least 10 characters").waitFor();
    await dialog.getByLabel("Temporary password").fill("reset-by-the-e2e-test");
    await dialog.getByRole("button", { name: "Reset password" }).click();
    await dialog
      .getByText("Password reset. Give e2e-olga the temporary password", { exact: false })
      .waitFor();
    await dialog.getByRole("button", { name: "Delete e2e-olga…" }).click();
    await dialog.getByRole("button", { name: "Delete for good" }).click();
    await dialog.waitFor({ state: "detached" });
    await expect.poll(() => page.getByRole("row", { name: /e2e-olga/ }).count()).toBe(0);
  });

  it("settings → retention: shows the configured defaults, refuses holes, stores an admin's values", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Retention", exact: true }).waitFor();
    await page.getByRole("row", { name: /^1-minute rollups .* 30 days$/ }).waitFor();
    await page.getByText("The server's configured defaults", { exact: false }).waitFor();
    await page.getByLabel("Raw reports (days)").fill("40");
    await page.getByRole("button", { name: "Save retention" }).click();
    await page.getByText("Keep 1-minute rollups at least as long as raw reports").waitFor();
    await page.getByLabel("Raw reports (days)").fill("2");
    await page.getByLabel("Resolved alerts (days)").fill("90");
    await page.getByRole("button", { name: "Save retention" }).click();
    await page.getByText("Saved. The retention job uses it from its next run", { exact: false }).waitFor();
    await page.getByRole("row", { name: /^Raw reports .* 2 days$/ }).waitFor();
    await page.getByRole("row", { name: /^Resolved alerts .* 90 days$/ }).waitFor();
    await page.getByText("Set by admin", { exact: false }).waitFor();
    // Stored on the server: a reload shows the same.
    await page.reload();
    await page.getByRole("row", { name: /^Raw reports .* 2 days$/ }).waitFor();
    for (const theme of ["light", "dark"] as const) {
      await setTheme(page, theme);
      expect(await axe(page), `settings with retention (${theme})`).toEqual([]);
    }
    await setTheme(page, "light");
  });

  it("keeps the session across a reload through the refresh cookie", async () => {
    await page.goto(`${site.url}/log`);
    await page.getByRole("heading", { name: "Log", level: 1 }).waitFor();
    await page
      .getByRole("cell", { name: /^\d+–\d+$/ })
      .first()
      .waitFor();
  });

  it("skip link moves focus to the main content", async () => {
    await page.goto(`${site.url}/sources`);
    await page.getByRole("heading", { name: "Sources", level: 1 }).waitFor();
    await page.keyboard.press("Tab");
    const f = await focused(page);
    expect(f?.name).toBe("Skip to content");
    expect(f?.visible).toBe(true);
    await page.keyboard.press("Enter");
    expect((await focused(page))?.id).toBe("main");
  });
});

describe("fleet pages at scale: 5000 nodes and 10 000-point histories from a fixture API", () => {
  let api: FixtureApi;
  let site: StaticServer;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    api = await startFixtureApi(5000);
    site = await serveDashboard(outDir, api.url);
    context = await browser.newContext({ colorScheme: "light", viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    await page.goto(`${site.url}/sign-in`);
    await page.getByLabel("Username").fill("admin");
    await page.getByLabel("Password").fill("fixture");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
  });
  afterAll(async () => {
    await context?.close();
    await site?.close();
    await api?.close();
  });

  it("overview shows fleet figures, goes live, and says when the stream drops", async () => {
    await page.getByText("Live", { exact: true }).waitFor();
    await page.getByRole("heading", { name: "Mean |offset|" }).waitFor();
    expect(await page.getByText("Across 5000 of 5000 nodes", { exact: false }).count()).toBe(1);
    api.dropStreams();
    await page.getByText("Live updates interrupted — reconnecting…").waitFor();
    await page.getByText("Live", { exact: true }).waitFor({ timeout: 5_000 });
    for (const theme of ["light", "dark"] as const) {
      await setTheme(page, theme);
      expect(await axe(page), `overview (${theme})`).toEqual([]);
    }
    await page.screenshot({ path: join(ARTIFACTS, "fixture-overview-dark.png"), fullPage: true });
    await setTheme(page, "light");
  });

  it("nodes: 5000 rows virtualized, searchable and sortable", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Nodes" }).click();
    await page.getByText("5000 of 5000 nodes").waitFor();
    const rendered = await page.locator("tbody tr").count();
    expect(rendered).toBeLessThan(80);
    await page.getByLabel("Search nodes").fill("node-0042");
    await page.getByText("1 of 5000 nodes").waitFor();
    await page.getByLabel("Search nodes").fill("");
    const name = page.getByRole("columnheader", { name: "Node" });
    await name.getByRole("button").click();
    expect(await name.getAttribute("aria-sort")).toBe("ascending");
    expect(await page.locator("tbody tr td a").first().textContent()).toBe("node-0000.lab");
    await name.getByRole("button").click();
    expect(await page.locator("tbody tr td a").first().textContent()).toBe("node-4999.lab");
    for (const theme of ["light", "dark"] as const) {
      await setTheme(page, theme);
      expect(await axe(page), `nodes (${theme})`).toEqual([]);
    }
    await setTheme(page, "light");
  });

  it("node detail draws the history with uPlot and offers the table alternative", async () => {
    await page.locator("tbody tr td a").first().click();
    await page.getByRole("heading", { name: "node-4999.lab", level: 1 }).waitFor();
    await page.locator("canvas").first().waitFor();
    expect(await page.locator("canvas").count()).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: join(ARTIFACTS, "fixture-node-detail.png"), fullPage: true });
    await page.getByText("Compare with the previous period").click();
    await page.getByText("Previous period").first().waitFor();
    await page.getByRole("button", { name: "Show as table" }).first().click();
    await page.getByText("Every 20th of 10000 samples.").waitFor();
    expect(await page.locator("table").first().locator("tbody tr").count()).toBe(500);
    await page.getByRole("cell", { name: "falseticker" }).waitFor();
    for (const theme of ["light", "dark"] as const) {
      await setTheme(page, theme);
      expect(await axe(page), `node detail (${theme})`).toEqual([]);
    }
    await setTheme(page, "light");
  });

  it("node detail follows the node's report events, at most one refresh per 5 s, the range sliding to now", async () => {
    await page.getByRole("heading", { name: "node-4999.lab", level: 1 }).waitFor();
    await page.getByText("Live", { exact: true }).waitFor();
    const requests = () => api.historyRequests.filter((r) => r.node === 4999);
    const before = requests().length;
    await expect.poll(() => requests().length, { timeout: 15_000 }).toBeGreaterThan(before);
    const start = requests().length;
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    // ≈ 16 events in 8 s; at most 2–3 refreshes, each reading this period and the previous one.
    const during = requests().length - start;
    expect(during).toBeGreaterThanOrEqual(2);
    expect(during).toBeLessThanOrEqual(6);
    // The current period's end (the previous period's requests end a day earlier).
    const latest = Math.max(...requests().map((r) => Date.parse(r.to)));
    expect(Date.now() - latest).toBeLessThan(10_000);
    // The chart stays drawn while refreshing (the last answer is kept, no skeleton).
    expect(await page.locator(".animate-pulse").count()).toBe(0);
  });

  it("node detail reads a custom range in the viewer's zone and refuses one that ends before it starts", async () => {
    await page.getByRole("heading", { name: "node-4999.lab", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Custom", exact: true }).click();
    expect(await page.getByRole("button", { name: "Custom", exact: true }).getAttribute("aria-pressed")).toBe(
      "true",
    );
    await page.getByLabel("From").fill("2026-11-20T08:00");
    await page.getByLabel("To", { exact: true }).fill("2026-11-20T07:00");
    await page.getByRole("button", { name: "Show range" }).click();
    await page.getByText("Pick a start before the end.").waitFor();
    await page.getByLabel("To", { exact: true }).fill("2026-11-20T09:00");
    await page.getByRole("button", { name: "Show range" }).click();
    // Chromium and this process share the machine's zone.
    const from = new Date(2026, 10, 20, 8).toISOString();
    const to = new Date(2026, 10, 20, 9).toISOString();
    await expect
      .poll(() => api.historyRequests.some((r) => r.node === 4999 && r.from === from && r.to === to))
      .toBe(true);
    expect(await page.getByText("Pick a start before the end.").count()).toBe(0);
    await page.getByRole("button", { name: "24h", exact: true }).click();
  });

  it("sources: falseticker history over a range, as a chart, a table and per-node periods", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sources" }).click();
    await page.getByRole("heading", { name: "Sources", level: 1 }).waitFor();
    // The most-rejected source is shown first.
    await page
      .getByText("nts://time.example: 4 periods as a falseticker on 3 nodes; at most 3 nodes at once.")
      .waitFor();
    await page.locator("figure canvas").first().waitFor();
    const periods = page.getByRole("table", { name: "Periods as a falseticker, per node" });
    expect(await periods.locator("tbody tr").count()).toBe(4);
    await periods.getByRole("row", { name: /node-0001\.lab .* still flagged/ }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "fixture-sources-chart.png"), fullPage: true });
    // The table alternative lists every bucket: 24 h in 12 min buckets, both ends included.
    await page.getByRole("button", { name: "Show as table" }).click();
    const buckets = page.getByRole("table", { name: /^Nodes reporting and rejecting nts:\/\/time\.example/ });
    expect(await buckets.locator("tbody tr").count()).toBe(121);
    const flagged = await buckets.locator("tbody tr td:nth-child(3)").allTextContents();
    expect(flagged.filter((c) => c !== "0")).toHaveLength(10 + 21); // buckets 30–39 and 100–120
    await page.locator("figcaption", { hasText: "(per 12 min)" }).waitFor();
    await page.getByRole("button", { name: "7d", exact: true }).click();
    await page.locator("figcaption", { hasText: "(per 1 h 24 min)" }).waitFor();
    // A row's History button switches the source and moves focus to the history.
    await page.getByRole("button", { name: "History of ntp://pool.ntp.org" }).click();
    await page
      .getByText("ntp://pool.ntp.org: Not flagged as a falseticker by any node in this range.")
      .waitFor();
    expect((await focused(page))?.name).toBe("Falseticker history");
    for (const theme of ["light", "dark"] as const) {
      await setTheme(page, theme);
      expect(await axe(page), `sources with history (${theme})`).toEqual([]);
    }
    await page.screenshot({ path: join(ARTIFACTS, "fixture-sources-dark.png"), fullPage: true });
    await setTheme(page, "light");
  });
});

describe("responsive layout", () => {
  let api: FixtureApi;
  let site: StaticServer;
  let context: BrowserContext;

  beforeAll(async () => {
    api = await startFixtureApi(300);
    site = await serveDashboard(outDir, api.url);
    context = await browser.newContext({ colorScheme: "dark" });
  });
  afterAll(async () => {
    await context?.close();
    await site?.close();
    await api?.close();
  });

  it("fits a phone and a wall display without horizontal scrolling, navigation reachable", async () => {
    const page = await context.newPage();
    await page.goto(`${site.url}/sign-in`);
    await page.getByLabel("Username").fill("admin");
    await page.getByLabel("Password").fill("fixture");
    await page.getByRole("button", { name: "Sign in" }).click();
    for (const [name, width, height] of [
      ["phone", 375, 740],
      ["wall", 2560, 1440],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const route of ["Overview", "Nodes"]) {
        await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: route }).click();
        await page.getByRole("heading", { name: route, level: 1 }).waitFor();
        await settled(page);
        const overflow = await page.evaluate<number>(
          "document.documentElement.scrollWidth - window.innerWidth",
        );
        expect(overflow, `${route} at ${width}px`).toBeLessThanOrEqual(0);
        await page.screenshot({ path: join(ARTIFACTS, `${name}-${route.toLowerCase()}.png`) });
      }
    }
    await page.close();
  });
});
