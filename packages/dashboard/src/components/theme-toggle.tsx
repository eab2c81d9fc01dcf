/** Switches light/dark; the choice persists (lib/theme.ts). */
import { Moon, Sun } from "lucide-react";
import { useEffect } from "react";
import { Button } from "@/components/ui/button";
import { applyTheme, effectiveTheme, useTheme } from "@/lib/theme";

export function ThemeToggle() {
  const stored = useTheme((s) => s.theme);
  const setTheme = useTheme((s) => s.setTheme);
  const theme = effectiveTheme(stored);
  useEffect(() => applyTheme(theme), [theme]);
  const next = theme === "dark" ? "light" : "dark";
  return (
    <Button variant="ghost" size="icon" onClick={() => setTheme(next)} aria-label={`Switch to ${next} theme`}>
      {theme === "dark" ? <Sun aria-hidden="true" /> : <Moon aria-hidden="true" />}
    </Button>
  );
}
