import { createNotifyingQueue, DAILY_BACKSTOP_SECONDS } from "../jobs/job-queue.ts";
import type { Platform } from "../platform/platform.ts";
import { deleteRunsFinishedBefore } from "../sync/sync-store.ts";
import { deleteSettledDeliveriesBefore } from "../webhooks/delivery-store.ts";
import { deleteActivityBefore } from "./activity-store.ts";

/**
 * Retention of the history a builder reads back: activity rows, settled webhook deliveries and
 * finished sync runs are kept FORCELINK_ACTIVITY_RETENTION_DAYS (30 by default), then deleted by
 * an hourly job, the same way expired writes are (writes/write-retention.ts).
 */

export const ACTIVITY_PRUNE_QUEUE = "activity-prune";
const PRUNE_CRON = "23 * * * *";
const PRUNE_BATCH = 500;

export interface PrunedHistory {
  activity: number;
  deliveries: number;
  syncRuns: number;
}

/** Deletes everything older than the retention now; answers how many of each. Batches keep each statement short. */
export async function pruneHistory(platform: Pick<Platform, "db" | "clock" | "config">): Promise<PrunedHistory> {
  const before = new Date(platform.clock.nowMs() - platform.config.activity.retentionMs);
  return {
    activity: await inBatches((limit) => deleteActivityBefore(platform, before, limit)),
    deliveries: await inBatches((limit) => deleteSettledDeliveriesBefore(platform.db, before, limit)),
    syncRuns: await inBatches((limit) => deleteRunsFinishedBefore(platform, before, limit)),
  };
}

async function inBatches(deleteSome: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await deleteSome(PRUNE_BATCH);
    total += n;
    if (n < PRUNE_BATCH) return total;
  }
}

/**
 * Schedules the pruning and starts its worker in this process (serve, worker). Every process may:
 * the schedule is one row and pg-boss hands each tick to one worker.
 */
export async function startActivityRetention(platform: Platform): Promise<void> {
  const { boss, logger } = platform;
  await createNotifyingQueue(boss, ACTIVITY_PRUNE_QUEUE);
  await boss.schedule(ACTIVITY_PRUNE_QUEUE, PRUNE_CRON, null, { tz: "UTC", retryLimit: 1 });
  await boss.work(
    ACTIVITY_PRUNE_QUEUE,
    { batchSize: 1, notifyPollingIntervalSeconds: DAILY_BACKSTOP_SECONDS },
    async () => {
      const pruned = await pruneHistory(platform);
      if (pruned.activity + pruned.deliveries + pruned.syncRuns > 0) logger.info({ pruned }, "expired history deleted");
    },
  );
}
