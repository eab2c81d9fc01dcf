/**
 * Entry: theme, query client, tooltips, router. On a page load with a refresh cookie the
 * session is resumed at once, in parallel with the route's chunk, and the page's data is
 * prefetched as soon as the token arrives (app/prefetch.ts).
 */
import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router";
import { prefetchRoute } from "@/app/prefetch";
import { createRouter } from "@/app/router";
import { TooltipProvider } from "@/components/ui/tooltip";
import { resumeSession } from "@/lib/api";
import { createQueryClient } from "@/lib/query-client";
import { applyTheme, effectiveTheme, useTheme } from "@/lib/theme";
import "./styles.css";

applyTheme(effectiveTheme(useTheme.getState().theme));

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root");

const queryClient = createQueryClient();
if (window.location.pathname !== "/sign-in") {
  const opened = window.location.pathname;
  const search = window.location.search;
  void resumeSession().then((ok) => {
    if (ok && window.location.pathname === opened) prefetchRoute(queryClient, opened, Date.now(), search);
  });
}

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <TooltipProvider delayDuration={300}>
        <RouterProvider router={createRouter()} />
      </TooltipProvider>
    </QueryClientProvider>
  </StrictMode>,
);
