import { randomBytes } from "node:crypto";
import { chmod, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  ConfigError,
  loadMasterKey,
  MasterKeyError,
  openSecret,
  resolveConfig,
  sealSecret,
} from "@chronosync/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDataDir } from "./helpers/databases.js";

describe("resolveConfig", () => {
  it("defaults to 127.0.0.1:8080, ./.chronosync and the embedded database", () => {
    expect(resolveConfig({}, {}, "/srv")).toEqual({
      host: "127.0.0.1",
      port: 8080,
      dataDir: "/srv/.chronosync",
      databaseUrl: undefined,
      masterKey: undefined,
      adminPassword: undefined,
      sealIntervalMs: 1000,
      fleet: { webhookUrl: undefined, webhookSecret: undefined, retention: { rawDays: 7, rollupDays: 400 } },
    });
  });

  it("takes the environment, and flags over the environment", () => {
    const env = {
      CHRONOSYNC_PORT: "9000",
      CHRONOSYNC_HOST: "::1",
      DATABASE_URL: "postgres://a@b/c",
      CHRONOSYNC_DATA_DIR: "/d",
    };
    expect(resolveConfig({}, env, "/srv")).toMatchObject({
      host: "::1",
      port: 9000,
      dataDir: "/d",
      databaseUrl: "postgres://a@b/c",
    });
    expect(
      resolveConfig({ port: "0", dataDir: "x", databaseUrl: "postgresql://e/f" }, env, "/srv"),
    ).toMatchObject({
      port: 0,
      dataDir: "/srv/x",
      databaseUrl: "postgresql://e/f",
    });
  });

  it.each([
    [{ port: "65536" }, {}],
    [{ port: "-1" }, {}],
    [{ port: "8o80" }, {}],
    [{ databaseUrl: "mysql://x" }, {}],
    [{}, { CHRONOSYNC_SEAL_INTERVAL_MS: "soon" }],
  ])("refuses %j %j with CONFIG_INVALID", (flags, env) => {
    expect(() => resolveConfig(flags, env, "/")).toThrow(ConfigError);
  });
});

describe("master key", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await makeDataDir();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("is generated once into master.key with mode 0600 and reused", async () => {
    const first = await loadMasterKey(dir, undefined);
    expect(first).toHaveLength(32);
    expect((await stat(join(dir, "master.key"))).mode & 0o777).toBe(0o600);
    expect((await loadMasterKey(dir, undefined)).equals(first)).toBe(true);
  });

  it("tightens a key file readable by others to 0600", async () => {
    await chmod(join(dir, "master.key"), 0o644);
    await loadMasterKey(dir, undefined);
    expect((await stat(join(dir, "master.key"))).mode & 0o777).toBe(0o600);
  });

  it("prefers CHRONOSYNC_MASTER_KEY and refuses a malformed one", async () => {
    const key = randomBytes(32);
    expect((await loadMasterKey(dir, key.toString("base64"))).equals(key)).toBe(true);
    await expect(loadMasterKey(dir, randomBytes(16).toString("base64"))).rejects.toThrow(MasterKeyError);
    await expect(loadMasterKey(dir, "not base64!")).rejects.toThrow(MasterKeyError);
    const bad = await makeDataDir();
    await writeFile(join(bad, "master.key"), "short\n", { mode: 0o600 });
    await expect(loadMasterKey(bad, undefined)).rejects.toThrow(/32 bytes/);
    await rm(bad, { recursive: true, force: true });
    expect(await readFile(join(dir, "master.key"), "utf8")).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
  });

  it("seals secrets with AES-256-GCM bound to their key id", () => {
    const key = randomBytes(32);
    const secret = randomBytes(48);
    const sealed = sealSecret(key, secret, "key-1");
    expect(sealSecret(key, secret, "key-1")).not.toBe(sealed); // random IV
    expect(openSecret(key, sealed, "key-1").equals(secret)).toBe(true);
    expect(() => openSecret(key, sealed, "key-2")).toThrow(MasterKeyError);
    expect(() => openSecret(randomBytes(32), sealed, "key-1")).toThrow(MasterKeyError);
    const bytes = Buffer.from(sealed, "base64");
    bytes[20] = (bytes[20] ?? 0) ^ 1;
    expect(() => openSecret(key, bytes.toString("base64"), "key-1")).toThrow(MasterKeyError);
    expect(() => openSecret(key, "AAAA", "key-1")).toThrow(MasterKeyError);
  });
});
