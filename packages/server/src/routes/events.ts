/**
 * `GET /api/events`: Server-Sent Events of the whole fleet (reports, node state changes,
 * alerts) from every server process (PostgreSQL LISTEN/NOTIFY), one `event:` per type
 * (`report`, `node-state`, `alert`), the event id as `id:`, and a comment line as
 * heartbeat every `heartbeatMs` so proxies keep the stream open. `?types=report,alert`
 * filters. A reconnecting client's `Last-Event-ID` replays the events it missed when this
 * process still holds them (the last 1000). Streams end when the server closes.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { EventBus } from "../events/bus.js";
import type { FleetEvent } from "../events/types.js";
import { ProblemSchema } from "../schemas/ledger.js";

export interface EventRouteOptions {
  readonly bus: EventBus;
  /** Milliseconds between heartbeats (default 15 000). */
  readonly heartbeatMs?: number;
}

const EventQuery = Type.Object({
  types: Type.Optional(Type.String({ pattern: "^(report|node-state|alert)(,(report|node-state|alert))*$" })),
});

/** One SSE frame. */
export function sseFrame(event: FleetEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export async function eventRoutes(app: FastifyInstance, options: EventRouteOptions): Promise<void> {
  const open = new Set<() => void>();
  app.addHook("preClose", async () => {
    for (const end of [...open]) end();
  });

  app.get<{ Querystring: { types?: string } }>(
    "/api/events",
    {
      schema: {
        tags: ["fleet"],
        summary: "Live fleet events as Server-Sent Events (text/event-stream)",
        querystring: EventQuery,
        produces: ["text/event-stream"],
        response: { "4xx": ProblemSchema },
      },
      config: { roles: ["admin", "operator", "viewer"] },
    },
    async (request, reply) => {
      const wanted = request.query.types === undefined ? undefined : new Set(request.query.types.split(","));
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      res.write("retry: 3000\n: connected\n\n");
      const send = (event: FleetEvent) => {
        if (event.type === "user-revoked") return; // between processes only
        if (wanted === undefined || wanted.has(event.type)) res.write(sseFrame(event));
      };
      // Replay and subscribe in one synchronous step: no event can fall between them.
      const lastId = request.headers["last-event-id"];
      const missed = typeof lastId === "string" ? options.bus.since(lastId) : undefined;
      const unsubscribe = options.bus.subscribe(send);
      for (const event of missed ?? []) send(event);
      const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), options.heartbeatMs ?? 15_000);
      heartbeat.unref();
      const end = () => {
        if (!open.delete(end)) return;
        clearInterval(heartbeat);
        unsubscribe();
        res.end();
      };
      open.add(end);
      request.raw.on("close", end);
      res.on("close", end);
    },
  );
}
