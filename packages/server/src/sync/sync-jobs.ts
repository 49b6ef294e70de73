import { abortJob, deleteJob, SalesforceApiError } from "@forcelink/salesforce";
import { and, eq } from "drizzle-orm";
import { findConnection } from "../connections/connection-store.ts";
import { openInstallation } from "../integrations/integration-store.ts";
import { startDrainingWorkers } from "../jobs/draining-workers.ts";
import { NOTIFY_BACKSTOP_SECONDS } from "../jobs/job-queue.ts";
import { enqueueSync, SYNC_QUEUE, type SyncJob } from "../jobs/sync-queue.ts";
import type { Platform } from "../platform/platform.ts";
import { syncRuns, syncStates } from "../store/schema.ts";
import { type RunOutcome, runObjectSync } from "./run-object-sync.ts";
import { tryLock } from "./sync-lock.ts";
import { closeInterruptedRuns, runsWithOpenBulkJobs, updateRun } from "./sync-store.ts";

/** Runs one job: the installation and its integration are read fresh, so an updated manifest applies. */
export async function runSyncJob(platform: Platform, job: SyncJob): Promise<RunOutcome> {
  const opened = await openInstallation(platform, job.installationId);
  if (!opened) return closeQueued(platform, job, "the installation or its integration was removed");
  // A run another job took over and finished is done; one still open (this job's own earlier
  // attempt, or another job's) is settled by the run lock and startRun.
  if (job.runId && (await isFinished(platform, job.runId)))
    return { status: "skipped", reason: "another job already ran the queued run" };
  const outcome = await runObjectSync(platform, { ...opened, object: job.object }, { trigger: job.trigger });
  if (outcome.status === "skipped") return closeQueued(platform, job, outcome.reason);
  if (outcome.status === "paused") {
    const resumeAt = new Date(platform.clock.nowMs() + platform.config.sync.pauseRecheckMs);
    // The resume is a run of its own, not the paused one.
    const { runId: _paused, ...resume } = job;
    await enqueueSync(platform, { ...resume, trigger: "resume" }, resumeAt);
  }
  return outcome;
}

async function isFinished(platform: Platform, runId: string): Promise<boolean> {
  const [run] = await platform.db
    .select({ finishedAt: syncRuns.finishedAt })
    .from(syncRuns)
    .where(eq(syncRuns.id, runId));
  return !run || run.finishedAt !== null;
}

/** A job that could not run closes the run it was queued for, saying why, so the run does not wait forever. */
async function closeQueued(platform: Platform, job: SyncJob, reason: string): Promise<RunOutcome> {
  if (job.runId)
    await platform.db
      .update(syncRuns)
      .set({ status: "skipped", finishedAt: platform.clock.now(), error: { code: "run_skipped", message: reason } })
      .where(and(eq(syncRuns.id, job.runId), eq(syncRuns.status, "queued")));
  return { status: "skipped", reason };
}

/**
 * Starts the sync workers of this process (`forcelink serve` and `forcelink worker` call it once).
 * Every process may: pg-boss hands each job to one of them, and the run lock keeps one run per
 * connection and object.
 */
export async function startSyncWorkers(platform: Platform, options: { concurrency?: number } = {}): Promise<void> {
  const workerIds = await startDrainingWorkers<SyncJob>(
    platform.boss,
    SYNC_QUEUE,
    {
      concurrency: options.concurrency ?? 2,
      pollingIntervalSeconds: 1,
      notifyPollingIntervalSeconds: NOTIFY_BACKSTOP_SECONDS,
    },
    async (job) => {
      const outcome = await runSyncJob(platform, job.data);
      platform.logger.info(
        { installationId: job.data.installationId, object: job.data.object, status: outcome.status },
        "sync job done",
      );
    },
  );
  platform.localSyncWorkers.push(...workerIds);
  await recoverInterruptedSyncs(platform);
}

/**
 * A run whose worker died (kill -9, a lost machine) leaves its state and its run `running` and
 * its lock free: the run is closed as interrupted, the sync queued again at once to resume from
 * its checkpoint (instead of waiting for the job's heartbeat to run out), and the Bulk query jobs
 * such runs left open in the org are deleted.
 */
export async function recoverInterruptedSyncs(platform: Platform): Promise<number> {
  const running = await platform.db.select().from(syncStates).where(eq(syncStates.status, "running"));
  let queued = 0;
  for (const state of running) {
    const lock = await tryLock(platform.database, `sync:${state.connectionId}:${state.object.toLowerCase()}`);
    if (!lock) continue;
    try {
      // Closed before the resume is queued: the store allows one active run per object.
      await closeInterruptedRuns(platform, state.installationId, state.object);
    } finally {
      await lock.release();
    }
    const job = { installationId: state.installationId, object: state.object, trigger: "resume" } as const;
    await enqueueSync(platform, job, undefined, `${state.id}:recovered:${platform.clock.nowMs()}`);
    queued++;
  }
  if (queued > 0) platform.logger.warn({ queued }, "interrupted syncs queued to resume from their checkpoints");
  await deleteAbandonedBulkJobs(platform);
  return queued;
}

/** Deletes the Bulk jobs interrupted runs left in the org; one that cannot be deleted now is tried at the next recovery. */
async function deleteAbandonedBulkJobs(platform: Platform): Promise<void> {
  for (const run of await runsWithOpenBulkJobs(platform)) {
    const jobId = run.bulkJobId!;
    try {
      const conn = await findConnection(platform, run.projectId, run.connectionId);
      if (conn) {
        const client = await platform.tokens.clientFor(conn);
        // Salesforce refuses to delete a job still in progress: stop it first (refused once it is complete).
        await abortJob(client, jobId).catch(() => undefined);
        await deleteJob(client, jobId).catch((error: unknown) => {
          if (!(error instanceof SalesforceApiError && error.status === 404)) throw error;
        });
      }
      await updateRun(platform, run.id, { bulkJobId: null });
    } catch (err) {
      platform.logger.warn({ err, runId: run.id }, "could not delete the Bulk job an interrupted sync left open");
    }
  }
}
