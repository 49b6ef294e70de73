import type { PgBoss } from "pg-boss";
import type { Platform } from "../platform/platform.ts";
import { createNotifyingQueue, wakeWorkersAt } from "./job-queue.ts";

/**
 * The writes' job queue: a write too large to run in its request, a paused write's resume, and a
 * write recovery found interrupted are queued here; the write workers (writes/write-jobs.ts) run them.
 */
export const WRITE_QUEUE = "write-run";

export interface WriteJob {
  writeId: string;
}

/** A 200,000-record Bulk write may take an hour or more; a worker that dies is noticed by its missing heartbeat. */
const JOB_EXPIRE_SECONDS = 6 * 3600;
const HEARTBEAT_SECONDS = 30;

/**
 * The writes' queue; `openPlatform` creates it once when the process starts. `stately`: per write
 * at most one job waiting and one running, so a running write may queue its own resume.
 */
export async function createWriteQueue(boss: PgBoss): Promise<void> {
  await createNotifyingQueue(boss, WRITE_QUEUE, {
    policy: "stately",
    expireInSeconds: JOB_EXPIRE_SECONDS,
    heartbeatSeconds: HEARTBEAT_SECONDS,
    retryLimit: 3,
    retryDelay: 30,
    retryBackoff: true,
  });
}

/**
 * Runs the write now (or at `startAfter`); a write already waiting in the queue is not queued twice.
 * `key` replaces the write's own singleton key: recovery queues an interrupted write under a key of
 * its own, since the dead runner's job still holds the write's active slot until its heartbeat runs out.
 */
export async function enqueueWrite(
  platform: Platform,
  writeId: string,
  startAfter?: Date,
  key: string = writeId,
): Promise<void> {
  await platform.boss.send(WRITE_QUEUE, { writeId } satisfies WriteJob, {
    singletonKey: key,
    ...(startAfter ? { startAfter } : {}),
  });
  // This process's workers fetch it when it is due, whether or not a NOTIFY reaches them.
  if (startAfter) wakeWorkersAt(platform.boss, platform.clock, platform.localWriteWorkers, startAfter);
  else for (const workerId of platform.localWriteWorkers) platform.boss.notifyWorker(workerId);
}
