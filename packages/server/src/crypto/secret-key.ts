import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateKey, parseKey } from "./sealing.ts";

export interface LoadedKey {
  key: Buffer;
  /** Where the key came from, for the start-up log. */
  source: "environment" | "data-dir" | "generated";
  path?: string;
}

export class MissingSecretKeyError extends Error {}

/**
 * The key that seals secrets. With PostgreSQL it must come from FORCELINK_SECRET_KEY (no key, no
 * start: several processes must share it, and it must not live beside the data). Embedded, one
 * is generated into the data directory, readable by its owner only.
 */
export function loadSecretKey(options: { secretKey?: string; databaseUrl?: string; dataDir: string }): LoadedKey {
  if (options.secretKey) return { key: parseKey(options.secretKey), source: "environment" };
  if (options.databaseUrl) {
    throw new MissingSecretKeyError(
      "FORCELINK_SECRET_KEY is not set. With DATABASE_URL, every Forcelink process needs the same key to seal and open " +
        "tokens and secrets: generate one with `openssl rand -base64 32` and set FORCELINK_SECRET_KEY for every process.",
    );
  }
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const path = join(options.dataDir, "secret.key");
  if (existsSync(path)) return { key: parseKey(readFileSync(path, "utf8")), source: "data-dir", path };
  const key = generateKey();
  writeFileSync(path, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  return { key, source: "generated", path };
}
