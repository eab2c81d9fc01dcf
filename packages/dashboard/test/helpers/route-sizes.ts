/**
 * Initial JavaScript per route of a Vite build, from its manifest (`build.manifest`):
 * the entry's static import closure plus the route module's own closure (what a first
 * visit to that route downloads before it can render), gzip-compressed (level 9).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

interface ManifestChunk {
  readonly file: string;
  readonly imports?: readonly string[];
  readonly isEntry?: boolean;
}

/** Route name → the page module that route lazily loads (src/app/router.tsx). */
export const ROUTE_MODULES: Record<string, string> = {
  "/sign-in": "src/features/auth/components/sign-in-page.tsx",
  "/": "src/features/overview/components/overview-page.tsx",
  "/nodes": "src/features/nodes/components/nodes-page.tsx",
  "/nodes/:id": "src/features/nodes/components/node-detail-page.tsx",
  "/sources": "src/features/sources/components/sources-page.tsx",
  "/timestamps": "src/features/timestamps/components/timestamps-page.tsx",
  "/log": "src/features/log/components/log-page.tsx",
  "/settings": "src/features/settings/components/settings-page.tsx",
};

export async function initialJsPerRoute(outDir: string): Promise<Record<string, number>> {
  const manifest = JSON.parse(await readFile(join(outDir, ".vite", "manifest.json"), "utf8")) as Record<
    string,
    ManifestChunk
  >;
  const closure = (key: string, into: Set<string>) => {
    const chunk = manifest[key];
    if (chunk === undefined) throw new Error(`${key} is not in the manifest`);
    if (into.has(chunk.file)) return;
    into.add(chunk.file);
    for (const dep of chunk.imports ?? []) closure(dep, into);
  };
  const entry = Object.keys(manifest).find((k) => manifest[k]?.isEntry === true);
  if (entry === undefined) throw new Error("no entry chunk");
  const gz = new Map<string, number>();
  const size = async (file: string) => {
    if (!gz.has(file)) gz.set(file, gzipSync(await readFile(join(outDir, file)), { level: 9 }).length);
    return gz.get(file) ?? 0;
  };
  const result: Record<string, number> = {};
  for (const [route, module] of Object.entries(ROUTE_MODULES)) {
    const files = new Set<string>();
    closure(entry, files);
    closure(module, files);
    let total = 0;
    for (const f of files) if (f.endsWith(".js")) total += await size(f);
    result[route] = total;
  }
  return result;
}
