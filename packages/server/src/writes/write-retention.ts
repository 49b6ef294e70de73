import { createNotifyingQueue, DAILY_BACKSTOP_SECONDS } from "../jobs/job-queue.ts";
import type { Platform } from "../platform/platform.ts";
import { deleteExpiredWrites } from "./write-store.ts";

/**
 * Retention: a finished write and its per-record results are kept FORCELINK_WRITE_RETENTION_DAYS
 * (its `expiresAt`, set when it finishes), then deleted by an hourly job. A write whose body never
 * finished arriving (the request was cut, the process died) is deleted a day later.
 */

export const WRITE_PRUNE_QUEUE = "write-prune";
const PRUNE_CRON = "17 * * * *";
const PRUNE_BATCH = 100;
const ABANDONED_AFTER_MS = 86_400_000;

/** Deletes every expired write now; answers how many. Batches keep each statement short. */
export async function pruneExpiredWrites(platform: Pick<Platform, "db" | "clock" | "config">): Promise<number> {
  const now = platform.clock.now();
  const abandonedBefore = new Date(now.getTime() - ABANDONED_AFTER_MS);
  const finishedBefore = new Date(now.getTime() - platform.config.writes.retentionMs);
  let pruned = 0;
  for (;;) {
    const ids = await deleteExpiredWrites(platform, { now, finishedBefore, abandonedBefore, limit: PRUNE_BATCH });
    pruned += ids.length;
    if (ids.length < PRUNE_BATCH) return pruned;
  }
}

/**
 * Schedules the pruning and starts its worker in this process (serve, worker). Every process may:
 * the schedule is one row and pg-boss hands each tick to one worker.
 */
export async function startWriteRetention(platform: Platform): Promise<void> {
  const { boss, logger } = platform;
  await createNotifyingQueue(boss, WRITE_PRUNE_QUEUE);
  await boss.schedule(WRITE_PRUNE_QUEUE, PRUNE_CRON, null, { tz: "UTC", retryLimit: 1 });
  await boss.work(
    WRITE_PRUNE_QUEUE,
    { batchSize: 1, notifyPollingIntervalSeconds: DAILY_BACKSTOP_SECONDS },
    async () => {
      const pruned = await pruneExpiredWrites(platform);
      if (pruned > 0) logger.info({ pruned }, "expired writes deleted");
    },
  );
}
