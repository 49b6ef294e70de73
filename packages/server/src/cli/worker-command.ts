import { parseArgs } from "node:util";
import { startDailyChecklist } from "../checklist/daily-checklist.ts";
import { parseConfig } from "../config/config.ts";
import { createLogger } from "../log/logger.ts";
import { openPlatform } from "../platform/open-platform.ts";
import { startSyncWorkers } from "../sync/sync-jobs.ts";
import { startWebhookWorker } from "../webhooks/delivery-worker.ts";

/**
 * `forcelink worker`: the job workers without the HTTP API (syncs, webhook deliveries, the daily
 * checklist), so workers scale out on PostgreSQL apart from the API servers.
 */
export async function workerCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { concurrency: { type: "string" } }, strict: true });
  const concurrency = values.concurrency === undefined ? 2 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    process.stderr.write("--concurrency takes a whole number from 1 to 64 (sync runs at once in this process).\n");
    return 2;
  }
  const config = parseConfig();
  const logger = createLogger(config.logLevel);
  const platform = await openPlatform(config, logger);
  try {
    await startWebhookWorker(platform);
    await startDailyChecklist(platform);
    await startSyncWorkers(platform, { concurrency });
    logger.info(
      { storage: platform.database.kind, concurrency, process: platform.processId },
      "forcelink worker running: syncs, webhook deliveries, daily checklist",
    );
    await new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    });
  } finally {
    await platform.boss?.stop({ graceful: true, timeout: 10_000 }).catch(() => undefined);
    await platform.close();
  }
  return 0;
}
