import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/config.ts";
import { generateKey, parseKey, Sealer, SealingError } from "../src/crypto/sealing.ts";
import { createLogger } from "../src/log/logger.ts";
import { startServer } from "../src/server.ts";

describe("the secret key", () => {
  it("is generated into an embedded data directory, readable by its owner only, and the start-up log says so", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "forcelink-key-"));
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const server = await startServer(parseConfig({ FORCELINK_DATA_DIR: dataDir, FORCELINK_PORT: "0" }), {
      logger: createLogger("info", sink),
    });
    await server.close();
    expect(statSync(join(dataDir, "secret.key")).mode & 0o777).toBe(0o600);
    expect(lines.join("")).toMatch(/generated a secret key/);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("must be given with PostgreSQL: without it the server refuses to start and says how to make one", async () => {
    const config = parseConfig({
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/postgres",
      FORCELINK_PORT: "0",
      FORCELINK_LOG_LEVEL: "silent",
    });
    await expect(startServer(config)).rejects.toThrow(/FORCELINK_SECRET_KEY is not set.*openssl rand -base64 32/s);
  });

  it.each([
    ["too short", "c2hvcnQ="],
    ["not base64 or hex", "!!!!"],
  ])("refuses a key that is %s", (_what, key) => {
    expect(() => parseKey(key)).toThrow(/32 random bytes/);
  });

  it("seals so that only the same key opens, and tampering is detected", () => {
    const a = new Sealer(generateKey());
    const b = new Sealer(generateKey());
    const sealed = a.seal("5Aep-refresh-token");
    expect(sealed).not.toContain("5Aep");
    expect(a.open(sealed)).toBe("5Aep-refresh-token");
    expect(() => b.open(sealed)).toThrow(SealingError);
    const parts = sealed.split(".");
    parts[4] = `${parts[4].slice(0, -2)}AA`;
    expect(() => a.open(parts.join("."))).toThrow(/integrity/);
    const oldKey = generateKey();
    const old = new Sealer(oldKey);
    const rotated = new Sealer(generateKey(), [oldKey]);
    const legacy = old.seal("secret");
    expect(rotated.sealedWithCurrentKey(legacy)).toBe(false);
    expect(rotated.open(legacy)).toBe("secret");
  });
});
