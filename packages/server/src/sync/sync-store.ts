import { and, desc, eq, type SQL } from "drizzle-orm";
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

export async function startRun(
  platform: Db,
  values: Pick<SyncRunRow, "projectId" | "connectionId" | "installationId" | "object" | "trigger">,
): Promise<SyncRunRow> {
  const [row] = await platform.db
    .insert(syncRuns)
    .values({ id: newId("run"), ...values, status: "running", startedAt: platform.clock.now() })
    .returning();
  return row;
}

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
    drift: row.drift ?? null,
    error: row.error ?? null,
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
    lastRunId: row.lastRunId,
  };
}
