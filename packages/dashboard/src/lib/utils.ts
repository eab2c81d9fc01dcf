/** `cn(...)`: join class names, later Tailwind utilities winning (shadcn/ui convention). */
import { type ClassValue, clsx } from "clsx";
import { twMerge } from "tailwind-merge";

export function cn(...inputs: ClassValue[]): string {
  return twMerge(clsx(inputs));
}
