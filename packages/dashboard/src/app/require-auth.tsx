/**
 * Route guard: signed in → the app; unknown (a fresh page load) → wait for the refresh
 * cookie's answer (`resumeSession`); signed out → the sign-in page, remembering where the
 * user was going.
 */
import { useEffect } from "react";
import { Navigate, Outlet, useLocation } from "react-router";
import { LoadingCards } from "@/components/states";
import { resumeSession } from "@/lib/api";
import { useSession } from "@/lib/session";

export function RequireAuth() {
  const status = useSession((s) => s.status);
  const location = useLocation();
  useEffect(() => {
    // Usually already running: main.tsx starts it at load, beside the route's chunk.
    if (status === "unknown") void resumeSession();
  }, [status]);
  if (status === "signed-out") {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  if (status === "unknown")
    return (
      <main className="p-6">
        <LoadingCards count={2} label="Checking your session…" />
      </main>
    );
  return <Outlet />;
}
