import { and, desc, eq, inArray, isNotNull, isNull, lt, type SQL, sql } from "drizzle-orm";
import { newId } from "../ids.ts";
import type { Platform } from "../platform/platform.ts";
import { syncRuns, syncStates } from "../store/schema.ts";
import type { Checkpoint } from "./sync-plan.ts";

export type SyncStateRow = typeof syncStates.$inferSelect;
export type SyncRunRow = typeof syncRuns.$inferSelect;

type Db = Pick<Platform, "db" | "clock">;

/** The state row of one object of one installation, made on first use. */
export async function ensureState(
  platform: Db,
  keys: { projectId: string; installationId: string; connectionId: string; object: string },
): Promise<SyncStateRow> {
  const where = and(eq(syncStates.installationId, keys.installationId), eq(syncStates.object, keys.object));
  const [found] = await platform.db.select().from(syncStates).where(where);
  if (found) return found;
  await platform.db
    .insert(syncStates)
    .values({ id: newId("sync"), ...keys })
    .onConflictDoNothing();
  const [made] = await platform.db.select().from(syncStates).where(where);
  return made;
}

export async function updateState(platform: Db, id: string, values: Partial<SyncStateRow>): Promise<void> {
  await platform.db
    .update(syncStates)
    .set({ ...values, updatedAt: platform.clock.now() })
    .where(eq(syncStates.id, id));
}

export function checkpointOf(state: SyncStateRow): Checkpoint | null {
  return state.cursorTs && state.cursorId ? { ts: state.cursorTs, id: state.cursorId } : null;
}

type RunKeys = Pick<SyncRunRow, "projectId" | "connectionId" | "installationId" | "object" | "trigger">;

const ACTIVE = sql`${syncRuns.status} in ('queued', 'running')`;

/** The queued or running run of an object, if one is: the unique index `sync_runs_active` allows one. */
export async function activeRun(platform: Db, installationId: string, object: string): Promise<SyncRunRow | undefined> {
  const [row] = await platform.db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.installationId, installationId), eq(syncRuns.object, object), ACTIVE));
  return row;
}

/**
 * A run asked for now: a new queued run, or the one already queued or running for the object.
 * The unique index decides between concurrent callers in any process.
 */
export async function queueRun(platform: Db, values: RunKeys): Promise<{ run: SyncRunRow; created: boolean }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const [made] = await platform.db
      .insert(syncRuns)
      .values({ id: newId("run"), ...values, status: "queued", startedAt: platform.clock.now() })
      .onConflictDoNothing()
      .returning();
    if (made) return { run: made, created: true };
    const existing = await activeRun(platform, values.installationId, values.object);
    // The run that held the place may have finished in between: try again.
    if (existing) return { run: existing, created: false };
  }
  throw new Error(`could not queue a run of ${values.object}: active runs kept changing`);
}

/**
 * Starts the run of an object; the caller holds the object's run lock. A queued run is taken
 * over rather than doubled. A run still `running` here lost its process (the lock was free), so
 * it is closed as interrupted first; its Bulk job id stays for the recovery to delete.
 */
export async function startRun(platform: Db, values: RunKeys): Promise<SyncRunRow> {
  await closeInterruptedRuns(platform, values.installationId, values.object);
  const [taken] = await platform.db
    .update(syncRuns)
    .set({ status: "running", startedAt: platform.clock.now() })
    .where(
      and(
        eq(syncRuns.installationId, values.installationId),
        eq(syncRuns.object, values.object),
        eq(syncRuns.status, "queued"),
      ),
    )
    .returning();
  if (taken) return taken;
  const [row] = await platform.db
    .insert(syncRuns)
    .values({ id: newId("run"), ...values, status: "running", startedAt: platform.clock.now() })
    .returning();
  return row;
}

/**
 * Closes the runs of an object still marked `running` as interrupted, with the time and the
 * reason. Only for a caller holding the object's run lock: then no process is running them.
 */
export async function closeInterruptedRuns(platform: Db, installationId: string, object: string): Promise<number> {
  const closed = await platform.db
    .update(syncRuns)
    .set({ status: "interrupted", finishedAt: platform.clock.now(), error: INTERRUPTED })
    .where(
      and(eq(syncRuns.installationId, installationId), eq(syncRuns.object, object), eq(syncRuns.status, "running")),
    )
    .returning({ id: syncRuns.id });
  return closed.length;
}

/** Interrupted runs that left a Bulk job open in the org. */
export async function runsWithOpenBulkJobs(platform: Db): Promise<SyncRunRow[]> {
  return platform.db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.status, "interrupted"), isNotNull(syncRuns.bulkJobId)));
}

/** Takes back a queued run whose job could not be queued. */
export async function deleteQueuedRun(platform: Db, id: string): Promise<void> {
  await platform.db.delete(syncRuns).where(and(eq(syncRuns.id, id), eq(syncRuns.status, "queued")));
}

/** Why a run was closed without finishing: its process stopped (kill -9, a lost machine). */
export const INTERRUPTED = {
  code: "run_interrupted",
  message:
    "The process running this sync stopped before it finished; the sync resumes from its checkpoint in a new run.",
};

export async function updateRun(platform: Db, id: string, values: Partial<SyncRunRow>): Promise<SyncRunRow> {
  const [row] = await platform.db.update(syncRuns).set(values).where(eq(syncRuns.id, id)).returning();
  return row;
}

export async function listRuns(
  platform: Db,
  projectId: string,
  filter: { connectionId: string; object?: string; limit: number },
): Promise<SyncRunRow[]> {
  const conditions: SQL[] = [eq(syncRuns.projectId, projectId), eq(syncRuns.connectionId, filter.connectionId)];
  if (filter.object) conditions.push(eq(syncRuns.object, filter.object));
  return platform.db
    .select()
    .from(syncRuns)
    .where(and(...conditions))
    .orderBy(desc(syncRuns.startedAt), desc(syncRuns.id))
    .limit(filter.limit);
}

export async function statesOf(platform: Db, connectionId: string): Promise<SyncStateRow[]> {
  return platform.db.select().from(syncStates).where(eq(syncStates.connectionId, connectionId));
}

export function runView(row: SyncRunRow) {
  return {
    id: row.id,
    connectionId: row.connectionId,
    installationId: row.installationId,
    object: row.object,
    trigger: row.trigger,
    status: row.status,
    mode: row.mode,
    window: { from: row.windowFrom, to: row.windowTo },
    counts: { read: row.recordsRead, upserted: row.upserted, deleted: row.deleted },
    apiCalls: row.apiCalls,
    drift: (row.drift as Record<string, unknown> | null) ?? null,
    error: (row.error as Record<string, unknown> | null) ?? null,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    durationMs: row.finishedAt ? row.finishedAt.getTime() - row.startedAt.getTime() : null,
  };
}

export function stateView(row: SyncStateRow) {
  return {
    object: row.object,
    installationId: row.installationId,
    status: row.status,
    statusReason: row.statusReason,
    resumeAt: row.resumeAt?.toISOString() ?? null,
    checkpoint: row.cursorTs ? { field: row.cursorField, value: row.cursorTs, id: row.cursorId } : null,
    backfillDone: row.backfillDone,
    pausedAt: row.pausedAt?.toISOString() ?? null,
    lastRunId: row.lastRunId,
  };
}

/**
 * Deletes up to `limit` runs that finished before `before` (retention); answers how many. A run
 * still some object's last run, or one holding an open Bulk job to clean up, is kept.
 */
export async function deleteRunsFinishedBefore(
  platform: Pick<Platform, "db">,
  before: Date,
  limit: number,
): Promise<number> {
  const old = await platform.db
    .select({ id: syncRuns.id })
    .from(syncRuns)
    .where(
      and(
        lt(syncRuns.finishedAt, before),
        isNull(syncRuns.bulkJobId),
        sql`not exists (select 1 from ${syncStates} where ${syncStates.lastRunId} = ${syncRuns.id})`,
      ),
    )
    .limit(limit);
  const ids = old.map((r) => r.id);
  if (ids.length > 0) await platform.db.delete(syncRuns).where(inArray(syncRuns.id, ids));
  return ids.length;
}
