import { randomUUID } from "node:crypto";
import type { Job } from "pg-boss";
import { NOTIFY_BACKSTOP_SECONDS } from "../jobs/job-queue.ts";
import { enqueueWrite, WRITE_QUEUE, type WriteJob } from "../jobs/write-queue.ts";
import type { Platform } from "../platform/platform.ts";
import { tryLock } from "../sync/sync-lock.ts";
import { openRun, runWrite } from "./write-executor.ts";
import { unfinishedWrites } from "./write-records.ts";
import { reconcileSending } from "./write-recovery.ts";

/**
 * Starts the write workers of this process (`forcelink serve` and `forcelink worker` call it
 * once), then recovers the writes a dead process left behind. Every process may run them: pg-boss
 * hands each job to one worker, and the write lock keeps one runner per write.
 */
export async function startWriteWorkers(platform: Platform, options: { concurrency?: number } = {}): Promise<void> {
  const workerId = await platform.boss.work(
    WRITE_QUEUE,
    {
      batchSize: 1,
      localConcurrency: options.concurrency ?? 2,
      pollingIntervalSeconds: 1,
      notifyPollingIntervalSeconds: NOTIFY_BACKSTOP_SECONDS,
    },
    async (jobs: Job<WriteJob>[]) => {
      for (const job of jobs) {
        await runWrite(platform, job.data.writeId, { signal: job.signal });
        platform.logger.info({ writeId: job.data.writeId }, "write job done");
      }
    },
  );
  platform.localWriteWorkers.push(workerId);
  await recoverInterruptedWrites(platform);
}

/**
 * Writes whose runner died (kill -9, a lost machine) stay `running` with their lock free, and a
 * queued write's job may be gone. Each such write has the records its runner left `sending`
 * settled by what can be known of them (an update, upsert or delete goes back to pending, an
 * insert becomes unknown; a recorded Bulk job is read back, or aborted when it was never closed),
 * and is queued again to go on. A Bulk job still running is left to the write's next run to wait for.
 */
export async function recoverInterruptedWrites(platform: Platform): Promise<number> {
  let queued = 0;
  for (const write of await unfinishedWrites(platform)) {
    const lock = await tryLock(platform.database, `write:${write.id}`);
    if (!lock) continue;
    try {
      const run = await openRun(platform, write);
      // No run: the write failed, its connection unusable; nothing to queue.
      if (!run) continue;
      await reconcileSending(run, { wait: false });
    } catch (err) {
      platform.logger.warn(
        { err, writeId: write.id },
        "could not settle an interrupted write's records; its next run will",
      );
    } finally {
      await lock.release();
    }
    // Under a key of its own: the dead runner's job keeps the write's key active until its
    // heartbeat runs out (a minute or so), and the lock above says no one runs the write now.
    await enqueueWrite(platform, write.id, undefined, `${write.id}:recovered:${randomUUID()}`);
    queued++;
  }
  if (queued > 0) platform.logger.warn({ queued }, "interrupted writes queued to go on");
  return queued;
}
