// Issue 5 §5, end to end with every part real: a `chronyd -x` on loopback, the ChronoSync
// server (buildApp on a fresh database of the external PostgreSQL, serving the production
// build of the dashboard at `/`), an enrollment token created through the API, and the
// `chronosync agent` PROCESS (the built CLI; `npx tsc -b` first) synchronized to chronyd
// and reporting every second. In headless Chromium, signed in on the overview before the
// agent exists: the node appears and its offset changes live over SSE, without a reload;
// its detail page shows the history chart, its table alternative and the chronyd source,
// and the history grows live as reports arrive.
// Screenshots go to .tmp/artifacts/dashboard (gitignored).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ChronydHandle, startChronydServer } from "@chronosync/testkit";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RealServer, startRealServer } from "./helpers/real-server.js";

const PKG = fileURLToPath(new URL("..", import.meta.url));
const BIN = fileURLToPath(new URL("../../cli/bin/chronosync.js", import.meta.url));
const ARTIFACTS = fileURLToPath(new URL("../../../.tmp/artifacts/dashboard/", import.meta.url));
const PASSWORD = "live-e2e-password-01";
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

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

let dir: string;
let chronyd: ChronydHandle;
let server: RealServer;
let browser: Browser;
let agent: ChildProcess | undefined;
let agentLog = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "chronosync-live-e2e-"));
  await mkdir(ARTIFACTS, { recursive: true });
  const outDir = join(dir, "dist");
  // Vitest sets NODE_ENV=test, which would select React's development build and JSX.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({
      configFile: join(PKG, "vite.config.ts"),
      root: PKG,
      logLevel: "warn",
      mode: "production",
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  [chronyd, server, browser] = await Promise.all([
    startChronydServer(),
    startRealServer({ dashboardDir: outDir, adminPassword: PASSWORD }),
    chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS }),
  ]);
}, 60_000);

afterAll(async () => {
  if (agent !== undefined && agent.exitCode === null) {
    const closed = new Promise((resolve) => agent?.once("close", resolve));
    agent.kill("SIGTERM");
    await closed;
  }
  await browser?.close();
  await server?.close();
  await chronyd?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** An API call as the admin (a bearer token from `POST /api/auth/login`). */
async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: PASSWORD }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? "GET",
    headers: {
      authorization: `Bearer ${accessToken}`,
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function startAgent(token: string) {
  const dataDir = join(dir, "agent");
  await mkdir(dataDir, { mode: 0o700 });
  const args = [
    BIN,
    "agent",
    "--source",
    `ntp://127.0.0.1:${chronyd.port}?minpoll=-2&maxpoll=-2`,
    "--api-listen",
    `127.0.0.1:${await freeTcpPort()}`,
    "--state-file",
    "",
    "--server-url",
    server.url,
    "--report-interval-s",
    "1",
    "--data-dir",
    dataDir,
  ];
  agent = spawn(process.execPath, args, {
    stdio: ["ignore", "ignore", "pipe"],
    env: { PATH: process.env.PATH ?? "", CHRONOSYNC_ENROLL_TOKEN: token },
  });
  agent.stderr?.setEncoding("utf8").on("data", (d: string) => {
    agentLog += d;
  });
}

/** The text of the node's offset in the overview's "Worst nodes" list. */
async function worstOffset(page: Page, hostname: string): Promise<string> {
  const text = await page
    .locator("li", { has: page.getByRole("link", { name: hostname, exact: true }) })
    .locator("span.tabular-nums")
    .textContent();
  return text ?? "";
}

describe("a real agent on the dashboard", () => {
  let page: Page;

  it("appears on the overview and updates live, then shows its history", async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      colorScheme: "light",
    });
    page = await context.newPage();
    await page.goto(`${server.url}/sign-in`);
    await page.getByLabel("Username").fill("admin");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    await page
      .getByText(/no nodes yet/i)
      .first()
      .waitFor();
    await page.evaluate("window.__sameDocument = true");

    const created = await api<{ token: string }>("/api/enrollment-tokens", {
      method: "POST",
      body: { label: "live-e2e", expiresInS: 600 },
    });
    await startAgent(created.token);

    // The node appears without a reload once its first synchronized report lands.
    const nodes = async () => (await api<{ nodes: { id: string; hostname: string }[] }>("/api/nodes")).nodes;
    await expect.poll(async () => (await nodes()).length, { timeout: 20_000, interval: 500 }).toBe(1);
    const node = (await nodes())[0];
    if (node === undefined) throw new Error(`no node enrolled\n${agentLog}`);
    const link = page.getByRole("link", { name: node.hostname, exact: true });
    await link.waitFor({ timeout: 20_000 });
    const first = await worstOffset(page, node.hostname);
    await page.screenshot({ path: join(ARTIFACTS, "live-overview-first.png"), fullPage: true });
    await expect
      .poll(() => worstOffset(page, node.hostname), { timeout: 15_000, interval: 250 })
      .not.toBe(first);
    expect(await page.evaluate<boolean>("window.__sameDocument === true")).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, "live-overview-updated.png"), fullPage: true });

    // A few reports in history (the detail page reads it once, when opened).
    const history = async () => {
      const to = new Date(Date.now() + 60_000).toISOString();
      const from = new Date(Date.now() - 3_600_000).toISOString();
      const q = new URLSearchParams({ from, to, resolution: "raw" });
      return (await api<{ points: unknown[] }>(`/api/nodes/${node.id}/history?${q}`)).points.length;
    };
    await expect.poll(history, { timeout: 15_000, interval: 500 }).toBeGreaterThanOrEqual(3);
    await link.click();
    await page.getByRole("heading", { name: node.hostname, level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/nodes/${node.id}`);
    await page.locator("canvas").first().waitFor({ timeout: 10_000 });
    await page.getByRole("cell", { name: `ntp://127.0.0.1:${chronyd.port}?minpoll=-2&maxpoll=-2` }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "live-node-detail.png"), fullPage: true });
    // 24 h is drawn from 1-minute rollups (one bucket so far); 1 h from the raw reports.
    await page.getByRole("button", { name: "1h", exact: true }).click();
    await page.getByRole("button", { name: "Show as table" }).first().click();
    const rows = page.locator("table").first().locator("tbody tr");
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(3);
    // Live: the agent reports every second; the page re-reads the history on the node's
    // report events (at most every 5 s), without a reload.
    const seen = await rows.count();
    await expect.poll(() => rows.count(), { timeout: 20_000, interval: 500 }).toBeGreaterThan(seen);
    await page.screenshot({ path: join(ARTIFACTS, "live-node-table.png"), fullPage: true });
    await context.close();
  }, 60_000);
});
