import type { ActivityEntry } from "../platform/platform.ts";
import type { SyncRunRow } from "./sync-store.ts";

/** The activity row of a run that ended: how it ended, what it read and cost, and why it stopped. */
export function syncRunActivity(
  conn: { id: string; projectId: string },
  object: string,
  run: SyncRunRow,
): ActivityEntry {
  const error = (run.error ?? null) as { message?: unknown } | null;
  const counts = `${run.recordsRead} read, ${run.upserted} upserted, ${run.deleted} deleted`;
  const message =
    run.status === "completed"
      ? `Sync of ${object} completed: ${counts}`
      : `Sync of ${object} ${run.status}: ${String(error?.message ?? "no reason given")}`;
  return {
    projectId: conn.projectId,
    connectionId: conn.id,
    kind: "sync_run",
    level: run.status === "completed" ? "info" : run.status === "paused" ? "warn" : "error",
    message,
    details: {
      runId: run.id,
      object,
      status: run.status,
      trigger: run.trigger,
      mode: run.mode,
      recordsRead: run.recordsRead,
      upserted: run.upserted,
      deleted: run.deleted,
      apiCalls: run.apiCalls,
      error: run.error ?? null,
    },
  };
}
