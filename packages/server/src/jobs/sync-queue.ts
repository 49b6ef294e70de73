import type { PgBoss } from "pg-boss";
import type { Platform } from "../platform/platform.ts";
import { createNotifyingQueue, wakeWorkersAt } from "./job-queue.ts";

/**
 * The sync's job queue: what a job names and how one is queued. Installing an integration queues
 * and schedules runs here; the sync's workers (sync/sync-jobs.ts) take them.
 */
export type SyncTrigger = "schedule" | "manual" | "resume" | "cli" | "formulas";

export const SYNC_QUEUE = "sync-run";

export interface SyncJob {
  installationId: string;
  object: string;
  trigger: SyncTrigger;
  /** The queued run a request made (POST …/syncs/{object}); the job runs it unless another job took it over. */
  runId?: string;
}

/** A long backfill may take hours; a worker that dies is noticed by its missing heartbeat. */
const JOB_EXPIRE_SECONDS = 6 * 3600;
const HEARTBEAT_SECONDS = 30;

/** The sync's queue; `openPlatform` creates it once when the process starts. */
export async function createSyncQueue(boss: PgBoss): Promise<void> {
  await createNotifyingQueue(boss, SYNC_QUEUE, {
    expireInSeconds: JOB_EXPIRE_SECONDS,
    heartbeatSeconds: HEARTBEAT_SECONDS,
    retryLimit: 3,
    retryDelay: 30,
    retryBackoff: true,
  });
}

/**
 * One run now (or at `startAfter`); a run already queued for the same object is not queued twice.
 * `key` replaces the job's own singleton key: recovery queues an interrupted run's resume under a
 * key of its own, since the dead worker's job still holds the resume's slot until its heartbeat runs out.
 */
export async function enqueueSync(platform: Platform, job: SyncJob, startAfter?: Date, key?: string): Promise<void> {
  await platform.boss.send(SYNC_QUEUE, job, {
    // A queued run is already one of a kind (the store's unique index): its job needs no other key.
    singletonKey:
      key ??
      job.runId ??
      `${job.installationId}:${job.object.toLowerCase()}:${job.trigger === "resume" ? "resume" : "run"}`,
    ...(startAfter ? { startAfter } : {}),
  });
  // A run to start now is notified to every worker; one to start later wakes this process's workers then.
  if (startAfter) wakeWorkersAt(platform.boss, platform.clock, platform.localSyncWorkers, startAfter);
}
