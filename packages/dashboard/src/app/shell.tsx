/**
 * The app shell: skip link, banner (brand, theme, user menu), navigation, main. The
 * navigation is a scrolling tab row on a phone and a sidebar from `md` up; content widens
 * up to wall displays.
 */
import { Activity, Clock, FileCheck2, Gauge, LogOut, Server, Settings, Stamp, User } from "lucide-react";
import { NavLink, Outlet, useNavigate } from "react-router";
import { ThemeToggle } from "@/components/theme-toggle";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { apiFetch } from "@/lib/api";
import { clearSession, useSession } from "@/lib/session";
import { cn } from "@/lib/utils";

const NAV = [
  { to: "/", label: "Overview", icon: Gauge, end: true },
  { to: "/nodes", label: "Nodes", icon: Server, end: false },
  { to: "/sources", label: "Sources", icon: Activity, end: false },
  { to: "/timestamps", label: "Timestamps", icon: Stamp, end: false },
  { to: "/log", label: "Log", icon: FileCheck2, end: false },
  { to: "/settings", label: "Settings", icon: Settings, end: false },
] as const;

function UserMenu() {
  const user = useSession((s) => s.user);
  const navigate = useNavigate();
  const signOut = async () => {
    await apiFetch("/api/auth/logout", { method: "POST", auth: false }).catch(() => undefined);
    clearSession();
    navigate("/sign-in");
  };
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="sm" aria-label={`Account: ${user?.username ?? "signed in"}`}>
          <User aria-hidden="true" />
          <span className="hidden sm:inline">{user?.username}</span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuLabel>
          {user?.username} <span className="font-normal text-muted-foreground">({user?.role})</span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={() => void signOut()}>
          <LogOut className="size-4" aria-hidden="true" /> Sign out
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

export function AppShell() {
  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-primary px-4 py-2 text-primary-foreground focus:not-sr-only focus:fixed focus:left-2 focus:top-2"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-40 border-b bg-background">
        <div className="flex h-14 items-center gap-3 px-4">
          <Clock className="size-5 text-primary" aria-hidden="true" />
          <span className="font-semibold">ChronoSync</span>
          <div className="ml-auto flex items-center gap-1">
            <ThemeToggle />
            <UserMenu />
          </div>
        </div>
      </header>
      <div className="md:flex">
        <nav
          aria-label="Main"
          className="border-b md:min-h-[calc(100vh-3.5rem)] md:w-52 md:shrink-0 md:border-b-0 md:border-r"
        >
          <ul className="flex gap-1 overflow-x-auto p-2 md:flex-col">
            {NAV.map(({ to, label, icon: Icon, end }) => (
              <li key={to}>
                <NavLink
                  to={to}
                  end={end}
                  className={({ isActive }) =>
                    cn(
                      "flex items-center gap-2 whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium hover:bg-muted",
                      isActive && "bg-accent text-accent-foreground",
                    )
                  }
                >
                  <Icon className="size-4" aria-hidden="true" />
                  {label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1} className="min-w-0 flex-1 p-4 sm:p-6 2xl:p-10 2xl:text-lg">
          <Outlet />
        </main>
      </div>
    </div>
  );
}
