import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import { parseConfig } from "../../src/config/config.ts";
import { createLogger } from "../../src/log/logger.ts";
import { createApiKey, createProject } from "../../src/projects/api-keys.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { type Backend, freshStore } from "./test-database.ts";

export { type Backend, storeBackends } from "./test-database.ts";

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
  const store = await freshStore(backend, "forcelink-provider-apps");
  const env = store.env;

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
        await store.dispose();
      },
    };
  } catch (e) {
    await server.close();
    await store.dispose();
    throw e;
  }
}
