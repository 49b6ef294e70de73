import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import type { Database } from "../src/store/database.ts";
import { tryLock, trySlot } from "../src/sync/sync-lock.ts";
import { createTestDatabase, postgresOnly, type TestDatabase } from "./support/test-database.ts";

const baseUrl = postgresOnly("Run locks across processes");

/** Two processes' views of one PostgreSQL: each its own pool, as two Forcelink processes have. */
function processOn(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // A session ended below may report it once its client is back in the pool, idle: the pool then
  // emits the error, which unheard would end the test process (Forcelink's own pool listens too).
  pool.on("error", () => undefined);
  return { pool, kind: "postgres", connectionString: url, close: () => pool.end() } as unknown as Database;
}

describe.runIf(baseUrl)("run locks across processes (PostgreSQL)", () => {
  let database: TestDatabase | undefined;
  afterAll(async () => database?.drop());

  it("lets one process hold a run, frees it on release, and at once when the holder's connection dies", async () => {
    database = await createTestDatabase(baseUrl!, "forcelink_locks");
    const a = processOn(database.url);
    const b = processOn(database.url);
    try {
      const held = await tryLock(a, "sync:conn_1:account");
      expect(held).not.toBeNull();
      expect(await tryLock(b, "sync:conn_1:account")).toBeNull();
      // Another object of the same connection is another run.
      const other = await tryLock(b, "sync:conn_1:contact");
      expect(other).not.toBeNull();
      await other!.release();
      await held!.release();
      const taken = await tryLock(b, "sync:conn_1:account");
      expect(taken).not.toBeNull();
      // The holder's process dies (kill -9): PostgreSQL ends its session, and the lock goes with it.
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      await admin.query(
        // This database's sessions only: pg_locks shows every database's, other suites' included.
        `SELECT pg_terminate_backend(pid) FROM pg_locks
         WHERE locktype = 'advisory' AND pid <> pg_backend_pid()
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      await admin.end();
      await taken!.release();
      const after = await tryLock(a, "sync:conn_1:account");
      expect(after).not.toBeNull();
      await after!.release();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("gives at most N runs per org across processes", async () => {
    database ??= await createTestDatabase(baseUrl!, "forcelink_locks");
    const a = processOn(database.url);
    const b = processOn(database.url);
    try {
      const one = await trySlot(a, "sync-org:00D1", 2);
      const two = await trySlot(b, "sync-org:00D1", 2);
      expect(one && two).toBeTruthy();
      expect(await trySlot(b, "sync-org:00D1", 2)).toBeNull();
      const other = await trySlot(a, "sync-org:00D2", 2);
      expect(other).not.toBeNull();
      await one!.release();
      const three = await trySlot(b, "sync-org:00D1", 2);
      expect(three).not.toBeNull();
      for (const held of [two, three, other]) await held?.release();
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe("run locks in one process (embedded storage)", () => {
  const embedded = { kind: "pglite" } as unknown as Database;
  it("refuses a second run of the same key until the first is released", async () => {
    const held = await tryLock(embedded, "sync:conn_x:account");
    expect(held).not.toBeNull();
    expect(await tryLock(embedded, "sync:conn_x:account")).toBeNull();
    await held!.release();
    await held!.release();
    expect(await tryLock(embedded, "sync:conn_x:account")).not.toBeNull();
  });
});
