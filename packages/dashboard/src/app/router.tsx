/**
 * Routes. Every page is a lazy route (its own chunk, loaded on first visit), so the
 * initial JavaScript is the shell plus the page opened.
 */
import { createBrowserRouter } from "react-router";
import { NotFoundPage } from "./not-found";
import { RequireAuth } from "./require-auth";
import { AppShell } from "./shell";

export function createRouter() {
  return createBrowserRouter([
    {
      path: "/sign-in",
      lazy: async () => ({ Component: (await import("@/features/auth/components/sign-in-page")).SignInPage }),
    },
    {
      element: <RequireAuth />,
      children: [
        {
          path: "/change-password",
          lazy: async () => ({
            Component: (await import("@/features/auth/components/change-password-page")).ChangePasswordPage,
          }),
        },
        {
          element: <AppShell />,
          children: [
            {
              index: true,
              lazy: async () => ({
                Component: (await import("@/features/overview/components/overview-page")).OverviewPage,
              }),
            },
            {
              path: "nodes",
              lazy: async () => ({
                Component: (await import("@/features/nodes/components/nodes-page")).NodesPage,
              }),
            },
            {
              path: "nodes/:nodeId",
              lazy: async () => ({
                Component: (await import("@/features/nodes/components/node-detail-page")).NodeDetailPage,
              }),
            },
            {
              path: "sources",
              lazy: async () => ({
                Component: (await import("@/features/sources/components/sources-page")).SourcesPage,
              }),
            },
            {
              path: "timestamps",
              lazy: async () => ({
                Component: (await import("@/features/timestamps/components/timestamps-page")).TimestampsPage,
              }),
            },
            {
              path: "log",
              lazy: async () => ({ Component: (await import("@/features/log/components/log-page")).LogPage }),
            },
            {
              path: "settings",
              lazy: async () => ({
                Component: (await import("@/features/settings/components/settings-page")).SettingsPage,
              }),
            },
            { path: "*", Component: NotFoundPage },
          ],
        },
      ],
    },
  ]);
}
