import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { and, eq, isNull } from "drizzle-orm";
import { type Config, ConfigError, parseConfig } from "../config/config.ts";
import { parseKey, Sealer } from "../crypto/sealing.ts";
import { loadSecretKey } from "../crypto/secret-key.ts";
import { createApiKey, revokeApiKey } from "../projects/api-keys.ts";
import type { RunningServer } from "../server.ts";
import { isAlive } from "../store/data-dir-lock.ts";
import { apiKeys, projects } from "../store/schema.ts";

/**
 * How the command line finds a Forcelink server running on its data directory, to go through its
 * API instead of the store that server holds: `forcelink serve` and `start` write `server.json`
 * there (owner-only) with their URL and, for each project, a key made for the command line,
 * sealed with the data directory's secret key like every other secret. Each start replaces the
 * keys of the start before, and stopping removes the file.
 */
const SERVER_FILE = "server.json";
export const CLI_KEY_NAME = "forcelink command line (local)";

/** A server the command line can reach, with a key per project (`""`: the project of a key given in the environment). */
export interface ReachableServer {
  url: string;
  keys: Map<string, string>;
  from: "environment" | "data directory";
}

interface ServerFile {
  url: string;
  pid: number;
  keys: Record<string, string>;
}

/** Announces a server on embedded storage to the command line; answers what undoes it on stop. */
export async function announceServer(server: RunningServer, config: Config): Promise<() => void> {
  const { platform } = server;
  if (platform.database.kind !== "pglite") return () => {};
  const keys: Record<string, string> = {};
  for (const project of await platform.db.select({ id: projects.id }).from(projects)) {
    const earlier = await platform.db
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(and(eq(apiKeys.projectId, project.id), eq(apiKeys.name, CLI_KEY_NAME), isNull(apiKeys.revokedAt)));
    for (const key of earlier) await revokeApiKey(platform.db, project.id, key.id, platform.clock.now());
    keys[project.id] = platform.sealer.seal((await createApiKey(platform.db, project.id, CLI_KEY_NAME)).key);
  }
  const path = join(config.dataDir, SERVER_FILE);
  const file: ServerFile = { url: server.url, pid: process.pid, keys };
  writeFileSync(path, JSON.stringify(file), { mode: 0o600 });
  return () => rmSync(path, { force: true });
}

/**
 * The server to go through: FORCELINK_URL with FORCELINK_API_KEY, or the one announced in the data
 * directory while its process lives; null when none runs (the command opens the store itself).
 */
export function reachableServer(env: NodeJS.ProcessEnv = process.env): ReachableServer | null {
  const url = env.FORCELINK_URL;
  if (url) {
    const key = env.FORCELINK_API_KEY;
    if (!key)
      throw new ConfigError(
        "FORCELINK_URL is set but FORCELINK_API_KEY is not: set both to go through a server's API.",
      );
    return { url, keys: new Map([["", key]]), from: "environment" };
  }
  const config = parseConfig(env);
  if (config.databaseUrl) return null;
  let file: ServerFile;
  try {
    file = JSON.parse(readFileSync(join(config.dataDir, SERVER_FILE), "utf8")) as ServerFile;
  } catch {
    return null;
  }
  if (!isAlive(file.pid)) return null;
  const sealer = new Sealer(loadSecretKey(config).key, config.previousSecretKeys.map(parseKey));
  let keys: Map<string, string>;
  try {
    keys = new Map(Object.entries(file.keys).map(([project, sealed]) => [project, sealer.open(sealed)]));
  } catch (e) {
    throw new ConfigError(
      `A server runs on ${config.dataDir} (pid ${file.pid}) but its command-line key cannot be opened (${(e as Error).message}). Restart it, or set FORCELINK_URL and FORCELINK_API_KEY.`,
    );
  }
  return { url: file.url, keys, from: "data directory" };
}
