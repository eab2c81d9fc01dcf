/**
 * Vite build of the dashboard: React, Tailwind CSS 4, output in `dist/`. Pages are
 * `React.lazy` routes, so each becomes its own chunk; vendor code that every page needs
 * (React, router, query) goes to one long-cached chunk.
 */
import { fileURLToPath } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [react(), tailwindcss()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: { proxy: { "/api": "http://127.0.0.1:8080", "/.well-known": "http://127.0.0.1:8080" } },
});
