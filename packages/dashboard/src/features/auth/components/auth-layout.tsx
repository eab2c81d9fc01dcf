/** The frame of the sign-in and password pages: banner with the theme toggle, centred main. */
import { Clock } from "lucide-react";
import type { ReactNode } from "react";
import { ThemeToggle } from "@/components/theme-toggle";

export function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col">
      <header className="flex h-14 items-center gap-2 border-b px-4">
        <Clock className="size-5 text-primary" aria-hidden="true" />
        <span className="font-semibold">ChronoSync</span>
        <div className="ml-auto">
          <ThemeToggle />
        </div>
      </header>
      <main id="main" className="flex flex-1 items-center justify-center p-4">
        {children}
      </main>
    </div>
  );
}
