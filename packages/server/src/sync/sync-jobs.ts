import { eq } from "drizzle-orm";
import type { Job } from "pg-boss";
import { openInstallation } from "../integrations/integration-store.ts";
import { enqueueSync, SYNC_QUEUE, type SyncJob } from "../jobs/sync-queue.ts";
import type { Platform } from "../platform/platform.ts";
import { syncStates } from "../store/schema.ts";
import { type RunOutcome, runObjectSync } from "./run-object-sync.ts";
import { tryLock } from "./sync-lock.ts";

/** Runs one job: the installation and its integration are read fresh, so an updated manifest applies. */
export async function runSyncJob(platform: Platform, job: SyncJob): Promise<RunOutcome> {
  const opened = await openInstallation(platform, job.installationId);
  if (!opened) return { status: "skipped", reason: "the installation or its integration was removed" };
  const outcome = await runObjectSync(platform, { ...opened, object: job.object }, { trigger: job.trigger });
  if (outcome.status === "paused") {
    const resumeAt = new Date(platform.clock.nowMs() + platform.config.sync.pauseRecheckMs);
    await enqueueSync(platform, { ...job, trigger: "resume" }, resumeAt);
  }
  return outcome;
}

/**
 * Starts the sync workers of this process (`forcelink serve` and `forcelink worker` call it once).
 * Every process may: pg-boss hands each job to one of them, and the run lock keeps one run per
 * connection and object.
 */
export async function startSyncWorkers(platform: Platform, options: { concurrency?: number } = {}): Promise<void> {
  await platform.boss.work(
    SYNC_QUEUE,
    { batchSize: 1, localConcurrency: options.concurrency ?? 2, pollingIntervalSeconds: 1 },
    async (jobs: Job<SyncJob>[]) => {
      for (const job of jobs) {
        const outcome = await runSyncJob(platform, job.data);
        platform.logger.info(
          { installationId: job.data.installationId, object: job.data.object, status: outcome.status },
          "sync job done",
        );
      }
    },
  );
  await recoverInterruptedSyncs(platform);
}

/**
 * A run whose worker died (kill -9, a lost machine) leaves its state `running` and its lock free:
 * such runs are queued again at once, to resume from their checkpoint, instead of waiting for the
 * job's heartbeat to run out.
 */
export async function recoverInterruptedSyncs(platform: Platform): Promise<number> {
  const running = await platform.db.select().from(syncStates).where(eq(syncStates.status, "running"));
  let queued = 0;
  for (const state of running) {
    const lock = await tryLock(platform.database, `sync:${state.connectionId}:${state.object.toLowerCase()}`);
    if (!lock) continue;
    await lock.release();
    await enqueueSync(platform, { installationId: state.installationId, object: state.object, trigger: "resume" });
    queued++;
  }
  if (queued > 0) platform.logger.warn({ queued }, "interrupted syncs queued to resume from their checkpoints");
  return queued;
}
