import { and, eq, isNotNull } from "drizzle-orm";
import type { ConnectionRow } from "../connections/connection-store.ts";
import { findSyncTarget } from "../integrations/integration-store.ts";
import { enqueueSync } from "../jobs/sync-queue.ts";
import type { Platform } from "../platform/platform.ts";
import { syncStates } from "../store/schema.ts";
import { deleteQueuedRun, ensureState, queueRun, type SyncRunRow, updateState } from "./sync-store.ts";

/** What asking for a run, a pause or a resume of one object's sync came to. */
export type SyncControlOutcome =
  | { status: "not_synced" }
  /** A run was asked for while the builder had paused the object's sync. */
  | { status: "paused" }
  | { status: "queued" | "already_queued"; installationId: string; object: string; run: SyncRunRow }
  | { status: "paused_now" | "resumed"; installationId: string; object: string };

/**
 * A run of one object now: a new queued run and its job, or the run already queued or running.
 * A paused sync is not run until it is resumed.
 */
export async function runSyncNow(platform: Platform, conn: ConnectionRow, object: string): Promise<SyncControlOutcome> {
  const target = await findSyncTarget(platform, conn.id, object);
  if (!target) return { status: "not_synced" };
  const { installation, spec } = target;
  if (await isPaused(platform, installation.id, spec.name)) return { status: "paused" };
  const { run, created } = await queueRun(platform, {
    projectId: conn.projectId,
    connectionId: conn.id,
    installationId: installation.id,
    object: spec.name,
    trigger: "manual",
  });
  const answer = { installationId: installation.id, object: spec.name, run };
  if (!created) return { status: "already_queued", ...answer };
  try {
    await enqueueSync(platform, {
      installationId: installation.id,
      object: spec.name,
      trigger: "manual",
      runId: run.id,
    });
  } catch (error) {
    await deleteQueuedRun(platform, run.id);
    throw error;
  }
  return { status: "queued", ...answer };
}

/** Pauses (or resumes) one object's sync: while paused, scheduled and asked-for runs are skipped. */
export async function setSyncPaused(
  platform: Platform,
  conn: ConnectionRow,
  object: string,
  paused: boolean,
): Promise<SyncControlOutcome> {
  const target = await findSyncTarget(platform, conn.id, object);
  if (!target) return { status: "not_synced" };
  const { installation, spec } = target;
  const state = await ensureState(platform, {
    projectId: conn.projectId,
    installationId: installation.id,
    connectionId: conn.id,
    object: spec.name,
  });
  await updateState(platform, state.id, { pausedAt: paused ? platform.clock.now() : null });
  return { status: paused ? "paused_now" : "resumed", installationId: installation.id, object: spec.name };
}

export async function isPaused(platform: Pick<Platform, "db">, installationId: string, object: string) {
  const [row] = await platform.db
    .select({ id: syncStates.id })
    .from(syncStates)
    .where(
      and(eq(syncStates.installationId, installationId), eq(syncStates.object, object), isNotNull(syncStates.pausedAt)),
    );
  return row !== undefined;
}
