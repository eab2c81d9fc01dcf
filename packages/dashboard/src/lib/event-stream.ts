/**
 * `useEventStream(path, onEvent)`: a live SSE subscription that survives drops. It reads
 * the stream with `fetch` (so the bearer token is sent; `EventSource` cannot send
 * headers), reconnects with capped exponential backoff and `Last-Event-ID`, and exposes
 * its state for the `LiveStatus` indicator.
 */
import { useEffect, useRef, useState } from "react";
import { refreshAccessToken } from "./api.js";
import { getAccessToken } from "./session.js";
import { createSseParser, type ServerSentEvent } from "./sse-parser.js";

export type StreamState = "connecting" | "open" | "reconnecting";

const MIN_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;

/** Backoff before reconnect attempt `attempt` (0-based): 1 s, 2 s, 4 s … capped at 30 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** attempt);
}

export function useEventStream(path: string, onEvent: (event: ServerSentEvent) => void): StreamState {
  const [state, setState] = useState<StreamState>("connecting");
  const handler = useRef(onEvent);
  handler.current = onEvent;

  useEffect(() => {
    const abort = new AbortController();
    let attempt = 0;
    let lastEventId: string | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const connect = async () => {
      const parser = createSseParser();
      try {
        const headers: Record<string, string> = { Accept: "text/event-stream" };
        const token = getAccessToken();
        if (token !== undefined) headers.Authorization = `Bearer ${token}`;
        if (lastEventId !== undefined) headers["Last-Event-ID"] = lastEventId;
        const response = await fetch(path, { headers, signal: abort.signal, credentials: "same-origin" });
        if (response.status === 401) await refreshAccessToken();
        if (!response.ok || response.body === null) throw new Error(`stream answered ${response.status}`);
        setState("open");
        attempt = 0;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const event of parser.push(value)) handler.current(event);
          lastEventId = parser.lastEventId ?? lastEventId;
        }
      } catch {
        // fall through to reconnect
      }
      if (abort.signal.aborted) return;
      setState("reconnecting");
      timer = setTimeout(connect, reconnectDelay(attempt++));
    };
    void connect();
    return () => {
      abort.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [path]);

  return state;
}
