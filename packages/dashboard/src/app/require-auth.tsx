/**
 * Route guard: signed in → the app; unknown (a fresh page load) → try the refresh cookie
 * once; signed out → the sign-in page, remembering where the user was going.
 */
import { useEffect } from "react";
import { Navigate, Outlet, useLocation } from "react-router";
import { LoadingCards } from "@/components/states";
import { refreshAccessToken } from "@/lib/api";
import { clearSession, useSession } from "@/lib/session";

export function RequireAuth() {
  const status = useSession((s) => s.status);
  const location = useLocation();
  useEffect(() => {
    if (status !== "unknown") return;
    void refreshAccessToken().then((ok) => {
      if (!ok) clearSession();
    });
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
