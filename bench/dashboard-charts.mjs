#!/usr/bin/env node
import { createReadStream } from "node:fs";
// Chart library for the dashboard, chosen by measurement (issue 5 §1): uPlot vs Recharts.
// Builds two tiny React pages with Vite into a temp dir, each drawing 3 line series of
// --points points, serves them on loopback and, in headless Chromium (Debian's
// /usr/bin/chromium via playwright-core), measures for each:
//   - JS gzip: every JS file of the production build, gzip level 9, summed (both pages
//     include React + ReactDOM, so the difference is the chart library);
//   - first draw: ms from navigation start to the first frame painted after the chart was
//     drawn (two requestAnimationFrame callbacks after the render call returned);
//   - render: ms from the render call to that frame (the chart's own share);
//   - redraw: ms to append --append points to each series and paint again (median of
//     --appends appends within a page load; two frames, ~33 ms at 60 Hz, are its floor),
//     and "redraw call", the synchronous part (the library's own work before painting).
// A third page, React alone drawing nothing, is the baseline the two start from.
// Median of --runs fresh page loads per library. Recharts runs with animations and dots
// off, its fastest configuration for large series.
//
// Usage: node bench/dashboard-charts.mjs [--points 10000] [--append 1000] [--appends 5] [--runs 5]
// Prints a Markdown table on stderr and one JSON document on stdout.
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { chromium } from "playwright-core";
import { build } from "vite";

const { values } = parseArgs({
  options: {
    points: { type: "string", default: "10000" },
    append: { type: "string", default: "1000" },
    appends: { type: "string", default: "5" },
    runs: { type: "string", default: "5" },
  },
});
const POINTS = Number(values.points);
const APPEND = Number(values.append);
const APPENDS = Number(values.appends);
const RUNS = Number(values.runs);
const REPO = fileURLToPath(new URL("..", import.meta.url));

// Shared by both pages: deterministic data and the measuring harness.
const COMMON = `
export const POINTS = ${POINTS}, APPEND = ${APPEND}, APPENDS = ${APPENDS};
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
export function makeSeries(from, n) {
  const x = [], a = [], b = [], c = [];
  for (let i = from; i < from + n; i++) {
    x.push(1700000000 + i);
    a.push(Math.sin(i / 500) * 2 + rnd() * 0.2);
    b.push(Math.cos(i / 700) + 3 + rnd() * 0.2);
    c.push(rnd() * 0.5 + 0.1);
  }
  return { x, a, b, c };
}
export const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
export async function measure(draw, redraw) {
  const data = makeSeries(0, POINTS);
  const t0 = performance.now();
  await draw(data);
  await frame();
  const t1 = performance.now();
  const redraws = [];
  const calls = [];
  let next = POINTS;
  for (let k = 0; k < APPENDS; k++) {
    const more = makeSeries(next, APPEND);
    next += APPEND;
    for (const key of ["x", "a", "b", "c"]) data[key] = data[key].concat(more[key]);
    const s = performance.now();
    await redraw(data);
    const called = performance.now();
    await frame();
    redraws.push(performance.now() - s);
    calls.push(called - s);
  }
  const mid = (xs) => xs.sort((p, q) => p - q)[Math.floor(xs.length / 2)];
  window.__result = { firstDrawMs: t1, renderMs: t1 - t0, redrawMs: mid(redraws), redrawCallMs: mid(calls) };
}
`;

const PAGES = {
  // React alone, drawing nothing: the size both chart pages start from.
  baseline: `
import { createRoot } from "react-dom/client";
import { flushSync } from "react-dom";
import { measure } from "./common.js";
const root = createRoot(document.getElementById("root"));
const render = (d) => flushSync(() => root.render(<p>{d.x.length} points</p>));
measure(render, render);
`,
  uplot: `
import { createRoot } from "react-dom/client";
import { flushSync } from "react-dom";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { measure } from "./common.js";
const el = document.getElementById("root");
let plot;
const toAligned = (d) => [d.x, d.a, d.b, d.c];
measure(
  (d) => {
    const root = createRoot(el);
    flushSync(() => root.render(<div id="chart" />));
    plot = new uPlot({ width: 800, height: 300, scales: { x: { time: true } },
      series: [{}, { label: "offset", stroke: "#1d4ed8" }, { label: "delay", stroke: "#c2410c" }, { label: "jitter", stroke: "#15803d" }] },
      toAligned(d), document.getElementById("chart"));
  },
  (d) => plot.setData(toAligned(d)),
);
`,
  recharts: `
import { createRoot } from "react-dom/client";
import { flushSync } from "react-dom";
import { CartesianGrid, Line, LineChart, XAxis, YAxis } from "recharts";
import { measure } from "./common.js";
const root = createRoot(document.getElementById("root"));
const rows = (d) => d.x.map((x, i) => ({ x, a: d.a[i], b: d.b[i], c: d.c[i] }));
const Chart = ({ data }) => (
  <LineChart width={800} height={300} data={data}>
    <CartesianGrid strokeDasharray="3 3" />
    <XAxis dataKey="x" type="number" domain={["dataMin", "dataMax"]} />
    <YAxis />
    <Line dataKey="a" stroke="#1d4ed8" dot={false} isAnimationActive={false} />
    <Line dataKey="b" stroke="#c2410c" dot={false} isAnimationActive={false} />
    <Line dataKey="c" stroke="#15803d" dot={false} isAnimationActive={false} />
  </LineChart>
);
const render = (d) => flushSync(() => root.render(<Chart data={rows(d)} />));
measure(render, render);
`,
};

async function buildPage(dir, name) {
  const root = join(dir, name);
  await mkdir(root, { recursive: true });
  await writeFile(join(root, "common.js"), COMMON);
  await writeFile(join(root, "main.jsx"), PAGES[name]);
  await writeFile(
    join(root, "index.html"),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${name}</title></head><body><div id="root"></div><script type="module" src="./main.jsx"></script></body></html>`,
  );
  const outDir = join(dir, `${name}-dist`);
  await build({
    root,
    configFile: false,
    logLevel: "error",
    plugins: [react()],
    build: { outDir, emptyOutDir: true },
  });
  let gzip = 0;
  let raw = 0;
  for (const file of await readdir(join(outDir, "assets"))) {
    if (!file.endsWith(".js")) continue;
    const bytes = await readFile(join(outDir, "assets", file));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { outDir, gzipBytes: gzip, rawBytes: raw };
}

function serve(dirs) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const [, name, ...rest] = url.pathname.split("/");
    const dir = dirs[name];
    const file = rest.join("/") || "index.html";
    if (dir === undefined || file.includes("..")) return void res.writeHead(404).end();
    const type = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" }[extname(file)];
    res.writeHead(200, { "Content-Type": type ?? "application/octet-stream" });
    createReadStream(join(dir, file))
      .on("error", () => res.end())
      .pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const dir = await mkdtemp(join(tmpdir(), "chronosync-charts-"));
let server;
let browser;
try {
  // The pages import from the repository's node_modules.
  await symlink(join(REPO, "node_modules"), join(dir, "node_modules"), "dir");
  const built = {};
  for (const name of Object.keys(PAGES)) {
    console.error(`building ${name}…`);
    built[name] = await buildPage(dir, name);
  }
  // Built with base "/" — serve each dist under /<name>/ and rewrite asset URLs by prefix.
  for (const name of Object.keys(built)) {
    const html = join(built[name].outDir, "index.html");
    await writeFile(html, (await readFile(html, "utf8")).replaceAll('="/assets/', `="/${name}/assets/`));
  }
  server = await serve(Object.fromEntries(Object.entries(built).map(([k, v]) => [k, v.outDir])));
  const base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const results = {};
  // Alternate libraries run by run, so machine load hits both alike.
  const runs = Object.fromEntries(Object.keys(built).map((k) => [k, []]));
  for (let r = 0; r < RUNS; r++) {
    for (const name of Object.keys(built)) {
      const context = await browser.newContext({ viewport: { width: 1000, height: 600 } });
      const page = await context.newPage();
      await page.goto(`${base}/${name}/`);
      const result = await page.waitForFunction(() => window.__result, undefined, { timeout: 120_000 });
      runs[name].push(await result.jsonValue());
      await context.close();
      console.error(`run ${r + 1}/${RUNS} ${name}: ${JSON.stringify(runs[name].at(-1))}`);
    }
  }
  for (const [name, list] of Object.entries(runs)) {
    results[name] = {
      jsGzipKB: +(built[name].gzipBytes / 1024).toFixed(1),
      jsRawKB: +(built[name].rawBytes / 1024).toFixed(1),
      firstDrawMs: +median(list.map((x) => x.firstDrawMs)).toFixed(1),
      renderMs: +median(list.map((x) => x.renderMs)).toFixed(1),
      redrawMs: +median(list.map((x) => x.redrawMs)).toFixed(1),
      redrawCallMs: +median(list.map((x) => x.redrawCallMs)).toFixed(1),
    };
  }
  const lines = [
    `3 series × ${POINTS} points; redraw after appending ${APPEND} points per series (median of ${APPENDS}); median of ${RUNS} page loads`,
    "",
    "| page | JS gzip (KB) | JS raw (KB) | first draw (ms) | render (ms) | redraw (ms) | redraw call (ms) |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...Object.entries(results).map(
      ([n, r]) =>
        `| ${n} | ${r.jsGzipKB} | ${r.jsRawKB} | ${r.firstDrawMs} | ${r.renderMs} | ${r.redrawMs} | ${r.redrawCallMs} |`,
    ),
  ];
  console.error(lines.join("\n"));
  console.log(
    JSON.stringify({ points: POINTS, append: APPEND, appends: APPENDS, runs: RUNS, results }, null, 2),
  );
} finally {
  await browser?.close();
  server?.close();
  await rm(dir, { recursive: true, force: true });
}
