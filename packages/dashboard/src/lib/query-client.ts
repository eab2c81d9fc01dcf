/** The TanStack Query client: no retry on 4xx answers (they will not change by retrying). */
import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "./api-error.js";

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        retry: (failures, err) => {
          if (err instanceof ApiError && err.status >= 400 && err.status < 500) return false;
          return failures < 2;
        },
      },
    },
  });
}
