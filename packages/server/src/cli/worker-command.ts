import { startActivityRetention } from "../activity/activity-retention.ts";
import { startDailyChecklist } from "../checklist/daily-checklist.ts";
import { parseConfig } from "../config/config.ts";
import { createLogger } from "../log/logger.ts";
import { openPlatform } from "../platform/open-platform.ts";
import { startSubscriptions } from "../subscriptions/subscription-supervisor.ts";
import { startSyncWorkers } from "../sync/sync-jobs.ts";
import { startWebhookWorker } from "../webhooks/delivery-worker.ts";
import { startWriteWorkers } from "../writes/write-jobs.ts";
import { startWriteRetention } from "../writes/write-retention.ts";
import type { CommandInput } from "./command-line.ts";
import { stopSignal } from "./stop-signal.ts";

/**
 * `forcelink worker`: the job workers without the HTTP API (syncs, writes, webhook deliveries, the daily
 * checklist), so workers scale out on PostgreSQL apart from the API servers.
 */
export async function workerCommand(input: CommandInput): Promise<number> {
  const concurrency = input.integer("concurrency") ?? 2;
  const config = parseConfig();
  const logger = createLogger(config.logLevel);
  const platform = await openPlatform(config, logger);
  let stopSubscriptions: (() => Promise<void>) | undefined;
  try {
    await startWebhookWorker(platform);
    await startDailyChecklist(platform);
    await startSyncWorkers(platform, { concurrency });
    await startWriteRetention(platform);
    await startActivityRetention(platform);
    await startWriteWorkers(platform, { concurrency: Math.max(1, platform.config.writes.workers) });
    stopSubscriptions = startSubscriptions(platform);
    logger.info(
      { storage: platform.database.kind, concurrency, process: platform.processId },
      "forcelink worker running: syncs, subscriptions, writes, webhook deliveries, daily checklist",
    );
    await stopSignal();
  } finally {
    await stopSubscriptions?.();
    await platform.boss?.stop({ graceful: true, timeout: 10_000 }).catch(() => undefined);
    await platform.close();
  }
  return 0;
}
