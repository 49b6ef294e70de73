import { existsSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { DataDirLock } from "./data-dir-lock.ts";
import { schema } from "./schema.ts";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  /** The raw client, for pg-boss. */
  pglite?: PGlite;
  pool?: pg.Pool;
  connectionString?: string;
  close(): Promise<void>;
}

/**
 * Embedded PostgreSQL serves one process: 16 MB of shared buffers rather than initdb's 128 MB (the files stay in the
 * operating system's cache either way), which keeps about 64 MB of WebAssembly memory out of every embedded process.
 */
const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB"];

/**
 * Opens the embedded database in `dir`, creating it when new. A new one is closed and opened again: creating it
 * (initdb, then loading its files) grows PGlite's WebAssembly memory to about 480 MB, which is never given back, while a
 * reopened one needs about 150 MB.
 */
async function openPglite(dir: string): Promise<PGlite> {
  const options = { startParams: PGLITE_START_PARAMS };
  if (!existsSync(join(dir, "PG_VERSION"))) await (await PGlite.create(dir, options)).close();
  return PGlite.create(dir, options);
}

const MIGRATIONS = new URL("./migrations", import.meta.url).pathname;
/** Several processes may start at once on PostgreSQL: migrations run under an advisory lock. */
const MIGRATION_LOCK = 727_370_001;

export async function openDatabase(options: { dataDir: string; databaseUrl?: string }): Promise<Database> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    // An idle connection the server ended (a restart, an administrator) is dropped by the pool; without
    // a listener its 'error' would end the process. The next query reports a real outage.
    pool.on("error", () => undefined);
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    const client = await pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
      await migratePg(drizzlePg(client, { schema }), { migrationsFolder: MIGRATIONS });
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
      client.release();
    }
    return { db, kind: "postgres", pool, connectionString: options.databaseUrl, close: () => pool.end() };
  }
  const lock = new DataDirLock(options.dataDir);
  lock.acquire();
  try {
    const pglite = await openPglite(join(options.dataDir, "pgdata"));
    const db = drizzlePglite(pglite, { schema }) as unknown as Db;
    await migratePglite(drizzlePglite(pglite, { schema }), { migrationsFolder: MIGRATIONS });
    return {
      db,
      kind: "pglite",
      pglite,
      close: async () => {
        await pglite.close();
        lock.release();
      },
    };
  } catch (e) {
    lock.release();
    throw e;
  }
}
