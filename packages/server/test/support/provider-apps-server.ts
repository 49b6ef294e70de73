import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import pg from "pg";
import { parseConfig } from "../../src/config/config.ts";
import { createLogger } from "../../src/log/logger.ts";
import { createApiKey, createProject } from "../../src/projects/api-keys.ts";
import { type RunningServer, startServer } from "../../src/server.ts";

export type Backend = "pglite" | "postgres";

/**
 * Which stores to run a suite on: PGlite always, PostgreSQL when TEST_DATABASE_URL names one. In CI
 * a missing PostgreSQL is an error, not a skip.
 */
export function storeBackends(): { backends: Backend[]; missingPostgres: string | null } {
  if (process.env.TEST_DATABASE_URL) return { backends: ["pglite", "postgres"], missingPostgres: null };
  return {
    backends: ["pglite"],
    missingPostgres:
      "TEST_DATABASE_URL is not set: the PostgreSQL half of this suite did not run. Set it to a server where the user may CREATE DATABASE (postgres://postgres@127.0.0.1:5432/postgres).",
  };
}

/** A server on a fresh store with two projects, each with its own API key, and every log line kept. */
export interface ProviderAppsTestServer {
  server: RunningServer;
  url: string;
  projectA: string;
  keyA: string;
  projectB: string;
  keyB: string;
  logs: () => string;
  /** The provider_apps table as stored, read with raw SQL. */
  rawProviderApps(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function startProviderAppsServer(backend: Backend): Promise<ProviderAppsTestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "forcelink-provider-apps-"));
  const env: Record<string, string> = {
    FORCELINK_DATA_DIR: dataDir,
    FORCELINK_PORT: "0",
    FORCELINK_LOG_LEVEL: "silent",
  };
  let dropDatabase = async () => {};
  if (backend === "postgres") {
    const admin = process.env.TEST_DATABASE_URL!;
    const name = `forcelink_pa_${randomBytes(6).toString("hex")}`;
    await withClient(admin, (c) => c.query(`CREATE DATABASE ${name}`));
    const url = new URL(admin);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    env.FORCELINK_SECRET_KEY = randomBytes(32).toString("base64");
    dropDatabase = () =>
      withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined);
  }

  let logText = "";
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logText += chunk.toString();
      done();
    },
  });
  const server = await startServer(parseConfig(env), { logger: createLogger("trace", sink) });
  try {
    const db = server.platform.db;
    let projectA: string;
    let keyA: string;
    if (server.firstKey) {
      projectA = server.firstKey.projectId;
      keyA = server.firstKey.key;
    } else {
      projectA = (await createProject(db, "A")).id;
      keyA = (await createApiKey(db, projectA, "test")).key;
    }
    const projectB = (await createProject(db, "B")).id;
    const keyB = (await createApiKey(db, projectB, "test")).key;
    return {
      server,
      url: server.url,
      projectA,
      keyA,
      projectB,
      keyB,
      logs: () => logText,
      rawProviderApps: async () => {
        const result = (await db.execute(sql`select * from provider_apps`)) as unknown as {
          rows: Record<string, unknown>[];
        };
        return result.rows;
      },
      close: async () => {
        await server.close();
        await dropDatabase();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await server.close();
    await dropDatabase();
    throw e;
  }
}

async function withClient<T>(connectionString: string, use: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
