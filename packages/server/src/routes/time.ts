/**
 * ChronoSync time over HTTP(S) (issue 6 §4b; the protocol is
 * packages/protocols/src/chronosync-time/messages.ts): `POST /api/time` answers an
 * NTP-like four-timestamp exchange — t2 stamped when the request arrives, t3 just before
 * the answer is signed — with an Ed25519 signature by the log's active key, published at
 * `/.well-known/chronosync/keys`. For networks where UDP (NTP, NTS, Roughtime) is blocked.
 * Public, like an NTP server.
 */
import { sign } from "node:crypto";
import { type Clock, canonicalJson, systemClock } from "@chronosync/core";
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { ProblemSchema } from "../schemas/ledger.js";

const Decimal = Type.String({ pattern: "^(0|[1-9][0-9]{0,20})$", description: "ns since the Unix epoch" });
const Base64 = Type.String({ pattern: "^[A-Za-z0-9+/]+={0,2}$", minLength: 4, maxLength: 256 });
const TimeRequestSchema = Type.Object(
  {
    version: Type.Literal(1),
    // 16–64 random bytes in base64.
    nonce: Type.String({ pattern: "^[A-Za-z0-9+/]+={0,2}$", minLength: 24, maxLength: 88 }),
    t1: Decimal,
  },
  { additionalProperties: false },
);
const TimeResponseSchema = Type.Object({
  version: Type.Literal(1),
  nonce: Base64,
  t1: Decimal,
  t2: Decimal,
  t3: Decimal,
  leap: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2), Type.Literal(3)]),
  keyId: Type.String(),
  signature: Base64,
});

type TimeResponseBody = Omit<Static<typeof TimeResponseSchema>, "signature">;

/**
 * The signed bytes, exactly as the protocol defines them (protocols' `timeResponseSigningInput`;
 * the server may import only core, and packages/server/test/time.test.ts checks both agree
 * by verifying our answers with the protocols client).
 */
function signingInput(b: TimeResponseBody): Buffer {
  const { version, nonce, t1, t2, t3, leap, keyId } = b;
  return Buffer.from(
    `chronosync-time-v1\n${canonicalJson({ version, nonce, t1, t2, t3, leap, keyId })}`,
    "utf8",
  );
}

const RECEIVED = Symbol("chronosync.time.t2");
type Stamped = FastifyRequest & { [RECEIVED]?: bigint };

export interface TimeRouteOptions {
  readonly clock?: Clock;
}

export async function timeRoutes(app: FastifyInstance, options: TimeRouteOptions = {}): Promise<void> {
  const clock = options.clock ?? systemClock;
  app.post(
    "/api/time",
    {
      schema: {
        tags: ["time"],
        summary: "Signed four-timestamp time exchange over HTTP(S) (NTP-like; for networks without UDP)",
        body: TimeRequestSchema,
        response: { 200: TimeResponseSchema, "4xx": ProblemSchema },
      },
      config: { public: true },
      // As early as Fastify lets us see the request: before body parsing and validation.
      onRequest: async (request) => {
        (request as Stamped)[RECEIVED] = clock.now();
      },
    },
    async (request) => {
      const t2 = (request as Stamped)[RECEIVED] ?? clock.now();
      const parsed = request.body as Static<typeof TimeRequestSchema>;
      const key = await app.keys.currentKey();
      const body: TimeResponseBody = {
        version: 1,
        nonce: parsed.nonce,
        t1: parsed.t1,
        t2: t2.toString(),
        t3: clock.now().toString(),
        leap: 0,
        keyId: key.keyId,
      };
      const signature = sign(null, signingInput(body), key.privateKey).toString("base64");
      return { ...body, signature };
    },
  );
}
