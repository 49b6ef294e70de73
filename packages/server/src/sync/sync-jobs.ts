import { abortJob, deleteJob, SalesforceApiError } from "@forcelink/salesforce";
import { and, eq } from "drizzle-orm";
import type { Job, PgBoss } from "pg-boss";
import { findConnection } from "../connections/connection-store.ts";
import { connectionTokens } from "../connections/connection-tokens.ts";
import { openInstallation } from "../integrations/integration-store.ts";
import type { Platform } from "../platform/platform.ts";
import { syncRuns, syncStates } from "../store/schema.ts";
import { type RunOutcome, runObjectSync, type SyncTrigger } from "./run-object-sync.ts";
import { tryLock } from "./sync-lock.ts";
import { closeInterruptedRuns, runsWithOpenBulkJobs, updateRun } from "./sync-store.ts";

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

const ready = new WeakMap<PgBoss, Promise<void>>();

function ensureSyncQueue(boss: PgBoss): Promise<void> {
  let done = ready.get(boss);
  if (!done) {
    done = boss.createQueue(SYNC_QUEUE, {
      expireInSeconds: JOB_EXPIRE_SECONDS,
      heartbeatSeconds: HEARTBEAT_SECONDS,
      retryLimit: 3,
      retryDelay: 30,
      retryBackoff: true,
    });
    done.catch(() => ready.delete(boss));
    ready.set(boss, done);
  }
  return done;
}

function scheduleKey(installationId: string, object: string, kind: "read" | "formulas" = "read"): string {
  return kind === "read" ? `${installationId}.${object}` : `${installationId}.${object}.formulas`;
}

/** One run now (or at `startAfter`); a run already queued for the same object is not queued twice. */
export async function enqueueSync(platform: Platform, job: SyncJob, startAfter?: Date): Promise<void> {
  await ensureSyncQueue(platform.boss);
  await platform.boss.send(SYNC_QUEUE, job, {
    // A queued run is already one of a kind (the store's unique index): its job needs no other key.
    singletonKey:
      job.runId ?? `${job.installationId}:${job.object.toLowerCase()}:${job.trigger === "resume" ? "resume" : "run"}`,
    ...(startAfter ? { startAfter } : {}),
  });
}

/** Puts every object of an installation on its manifest's cron (UTC). */
export async function scheduleInstallation(platform: Platform, installationId: string): Promise<void> {
  await ensureSyncQueue(platform.boss);
  const opened = await openInstallation(platform, installationId);
  if (!opened) return;
  const row = opened.installation;
  const { manifest } = opened.integration;
  const wanted = new Set<string>();
  for (const o of manifest.objects) {
    const key = scheduleKey(row.id, o.name);
    wanted.add(key);
    await platform.boss.schedule(
      SYNC_QUEUE,
      o.schedule,
      { installationId: row.id, object: o.name, trigger: "schedule" },
      { key, tz: "UTC" },
    );
    if (o.formulaRefresh) {
      const formulasKey = scheduleKey(row.id, o.name, "formulas");
      wanted.add(formulasKey);
      await platform.boss.schedule(
        SYNC_QUEUE,
        o.formulaRefresh,
        { installationId: row.id, object: o.name, trigger: "formulas" },
        { key: formulasKey, tz: "UTC" },
      );
    }
  }
  // Objects dropped from the manifest stop being scheduled.
  for (const s of await platform.boss.getSchedules(SYNC_QUEUE))
    if (s.key?.startsWith(`${row.id}.`) && !wanted.has(s.key)) await platform.boss.unschedule(SYNC_QUEUE, s.key);
}

export async function unscheduleInstallation(platform: Platform, installationId: string): Promise<void> {
  await ensureSyncQueue(platform.boss);
  for (const s of await platform.boss.getSchedules(SYNC_QUEUE))
    if (s.key?.startsWith(`${installationId}.`)) await platform.boss.unschedule(SYNC_QUEUE, s.key);
}

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
    const resumeAt = new Date(Date.now() + platform.config.sync.pauseRecheckMs);
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
      .set({ status: "skipped", finishedAt: new Date(), error: { code: "run_skipped", message: reason } })
      .where(and(eq(syncRuns.id, job.runId), eq(syncRuns.status, "queued")));
  return { status: "skipped", reason };
}

const started = new WeakSet<Platform>();

/**
 * Starts the sync workers of this process (`forcelink serve` and `forcelink worker`). Every
 * process may: pg-boss hands each job to one of them, and the run lock keeps one run per
 * connection and object.
 */
export async function startSyncWorkers(platform: Platform, options: { concurrency?: number } = {}): Promise<void> {
  if (started.has(platform)) return;
  started.add(platform);
  await ensureSyncQueue(platform.boss);
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
    await enqueueSync(platform, { installationId: state.installationId, object: state.object, trigger: "resume" });
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
        const client = await connectionTokens(platform).clientFor(conn);
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
