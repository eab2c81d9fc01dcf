/**
 * Incremental parser of `text/event-stream` (HTML Living Standard §9.2.6,
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
 * Pure: feed it decoded text chunks, it answers the complete events. Used by
 * `useEventStream`, which reads the stream with `fetch` so it can send the bearer token.
 */

export interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

export interface SseParser {
  /** Parses a chunk; answers the events it completed. */
  push(chunk: string): ServerSentEvent[];
  /** The last `id:` seen (for `Last-Event-ID` on reconnect). */
  readonly lastEventId: string | undefined;
}

export function createSseParser(): SseParser {
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let id: string | undefined;
  let lastEventId: string | undefined;

  const dispatch = (out: ServerSentEvent[]) => {
    if (data.length > 0) out.push({ event: event === "" ? "message" : event, data: data.join("\n"), id });
    if (id !== undefined) lastEventId = id;
    event = "";
    data = [];
  };

  return {
    get lastEventId() {
      return lastEventId;
    },
    push(chunk: string): ServerSentEvent[] {
      buffer += chunk;
      const out: ServerSentEvent[] = [];
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        if (line === "") {
          dispatch(out);
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
        else if (field === "id" && !value.includes("\0")) id = value;
      }
      return out;
    },
  };
}
