/** Entry: theme, query client, tooltips, router. */
import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router";
import { createRouter } from "@/app/router";
import { TooltipProvider } from "@/components/ui/tooltip";
import { createQueryClient } from "@/lib/query-client";
import { applyTheme, effectiveTheme, useTheme } from "@/lib/theme";
import "./styles.css";

applyTheme(effectiveTheme(useTheme.getState().theme));

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root");

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={createQueryClient()}>
      <TooltipProvider delayDuration={300}>
        <RouterProvider router={createRouter()} />
      </TooltipProvider>
    </QueryClientProvider>
  </StrictMode>,
);
