import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../src/store/database.ts";
import { createTestDatabase, postgresOnly, type TestDatabase } from "./support/test-database.ts";

const base = postgresOnly("The PostgreSQL store when the server ends its connections");

/**
 * PostgreSQL ends the store's idle connections (a restart, an administrator's pg_terminate_backend):
 * the process goes on and the next query opens a new connection. Before the pool had an 'error'
 * listener, the dropped idle connection was an uncaught exception that ended the process.
 */
describe.runIf(base)("the PostgreSQL store when the server ends its connections", () => {
  let database: TestDatabase;
  let store: Database;
  const dataDir = mkdtempSync(join(tmpdir(), "forcelink-store-loss-"));

  beforeAll(async () => {
    database = await createTestDatabase(base!);
    store = await openDatabase({ dataDir, databaseUrl: database.url });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps running and answers the next query on a new connection", async () => {
    const backend = async () =>
      Number(
        ((await store.db.execute(sql`SELECT pg_backend_pid() AS pid`)) as { rows: { pid: number }[] }).rows[0].pid,
      );
    const pid = await backend();
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    try {
      const ended = await admin.query(
        "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1",
        [database.name],
      );
      expect(ended.rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(await backend()).not.toBe(pid);
  });
});
