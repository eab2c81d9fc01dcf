/**
 * Light/dark theme (UI state, Zustand, persisted in localStorage under
 * `chronosync-theme`; index.html applies it before first paint).
 */
import { create } from "zustand";
import { persist } from "zustand/middleware";

export type Theme = "light" | "dark";

interface ThemeState {
  readonly theme: Theme | undefined;
  setTheme(theme: Theme): void;
}

export const useTheme = create<ThemeState>()(
  persist(
    (set) => ({
      theme: undefined,
      setTheme: (theme) => set({ theme }),
    }),
    { name: "chronosync-theme" },
  ),
);

/** The theme in effect: the stored choice, else the system preference. */
export function effectiveTheme(theme: Theme | undefined): Theme {
  if (theme !== undefined) return theme;
  return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

/**
 * Switches the `dark` class. Colour transitions are suspended for the switch, so every
 * element changes at once (no frame where text and background come from two themes).
 */
export function applyTheme(theme: Theme): void {
  const root = document.documentElement;
  if (root.classList.contains("dark") === (theme === "dark")) return;
  root.classList.add("theme-switching");
  root.classList.toggle("dark", theme === "dark");
  void getComputedStyle(root).color;
  requestAnimationFrame(() => root.classList.remove("theme-switching"));
}
