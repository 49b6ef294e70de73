import { createHash } from "node:crypto";
import type pg from "pg";
import type { Database } from "../store/database.ts";

/** A lock held for a sync run; `release` is safe to call twice. */
export interface HeldLock {
  release(): Promise<void>;
}

/** First key of the sync's two-key advisory locks, so they cannot meet other code's locks. */
const LOCK_CLASS = 727_370_200;

/** Locks this process holds, so two runs in one process exclude each other on every store. */
const local = new Set<string>();

/**
 * At most one holder of `key` across every process. On PostgreSQL it is a session advisory lock on
 * a connection kept for the run: a worker killed mid-run loses its connection, and with it the
 * lock, at once, so a restarted worker can take over without waiting for a lease to run out.
 * Embedded storage has one process only (the data directory is locked), so the in-process set is
 * enough there.
 */
export async function tryLock(database: Database, key: string): Promise<HeldLock | null> {
  if (local.has(key)) return null;
  local.add(key);
  let client: pg.PoolClient | undefined;
  const ignore = () => undefined;
  try {
    if (database.pool) {
      client = await database.pool.connect();
      // A connection lost mid-run (a database restart) takes the lock with it; the run notices at
      // its next query. The lost connection must not crash the process meanwhile. (Removed again
      // when the client goes back to the pool, which reuses it.)
      client.on("error", ignore);
      const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS ok", [
        LOCK_CLASS,
        lockNumber(key),
      ]);
      if (!rows[0]?.ok) {
        client.off("error", ignore);
        client.release();
        local.delete(key);
        return null;
      }
    }
  } catch (error) {
    client?.off("error", ignore);
    client?.release();
    local.delete(key);
    throw error;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      local.delete(key);
      if (!client) return;
      try {
        await client.query("SELECT pg_advisory_unlock($1, $2)", [LOCK_CLASS, lockNumber(key)]);
        client.off("error", ignore);
        client.release();
      } catch {
        // A broken connection has dropped the lock with it; don't hand it back to the pool.
        client.release(true);
      }
    },
  };
}

/** The first of `slots` free locks named `${key}#n`: a concurrency limit across processes. */
export async function trySlot(database: Database, key: string, slots: number): Promise<HeldLock | null> {
  for (let i = 0; i < slots; i++) {
    const held = await tryLock(database, `${key}#${i}`);
    if (held) return held;
  }
  return null;
}

function lockNumber(key: string): number {
  return createHash("sha256").update(key).digest().readInt32BE(0);
}
