import { hostname } from "node:os";
import type { PgBoss } from "pg-boss";
import { StoreActivityRecorder } from "../activity/activity-recorder.ts";
import { createChecklistQueues } from "../checklist/daily-checklist.ts";
import type { Config } from "../config/config.ts";
import { ConnectionTokens } from "../connections/connection-tokens.ts";
import { parseKey, Sealer } from "../crypto/sealing.ts";
import { loadSecretKey } from "../crypto/secret-key.ts";
import { startJobQueue } from "../jobs/job-queue.ts";
import { createSyncQueue } from "../jobs/sync-queue.ts";
import { createWriteQueue } from "../jobs/write-queue.ts";
import type { Logger } from "../log/logger.ts";
import { ApiKeyVerifier } from "../projects/api-keys.ts";
import { openDatabase } from "../store/database.ts";
import { DEFAULT_DELIVERY_SETTINGS } from "../webhooks/delivery-policy.ts";
import { createDeliveryQueues } from "../webhooks/delivery-queue.ts";
import { type Clock, systemClock } from "./clock.ts";
import type { Platform } from "./platform.ts";
import { pubSubEndpoint, salesforceHosts } from "./salesforce-hosts.ts";
import { WakeSignal } from "./wake-signal.ts";

/**
 * The composition: builds every service of the process once (store, job queue and its queues,
 * clock, token service, API-key verifier) and hands them in as the Platform. Only the process's
 * entry points (server.ts, the CLI commands) import this file; capabilities know the Platform.
 */
export async function openPlatform(
  config: Config,
  logger: Logger,
  options: { jobs?: boolean; clock?: Clock } = {},
): Promise<Platform> {
  const key = loadSecretKey(config);
  const database = await openDatabase(config);
  try {
    const boss = options.jobs === false ? (undefined as unknown as PgBoss) : await startJobQueue(database, logger);
    if (boss) await createJobQueues(boss);
    const clock = options.clock ?? systemClock();
    const platform: Platform = {
      config,
      logger,
      database,
      db: database.db,
      sealer: new Sealer(key.key, config.previousSecretKeys.map(parseKey)),
      boss,
      verifier: new ApiKeyVerifier(database.db, clock),
      hosts: salesforceHosts(config),
      pubsub: pubSubEndpoint(config),
      processId: `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`,
      key,
      clock,
      // Set just below: the token service is built on the platform it belongs to.
      tokens: undefined as unknown as Platform["tokens"],
      webhookDelivery: DEFAULT_DELIVERY_SETTINGS,
      localWriteWorkers: [],
      localSyncWorkers: [],
      syncIdleMemory: { describedAt: new Map(), replicable: new Map(), checks: new Map(), clockOffset: new Map() },
      writeEnds: new WakeSignal(),
      activity: new StoreActivityRecorder({ db: database.db, clock, logger }),
      close: async () => {
        await platform.tokens.close();
        if (boss) await boss.stop({ graceful: true, timeout: 5000 }).catch(() => undefined);
        await database.close();
      },
    };
    platform.tokens = new ConnectionTokens(platform);
    return platform;
  } catch (e) {
    await database.close();
    throw e;
  }
}

/** Every queue the capabilities send to, created once when the process starts (createQueue keeps an existing one). */
async function createJobQueues(boss: PgBoss): Promise<void> {
  await createDeliveryQueues(boss);
  await createChecklistQueues(boss);
  await createSyncQueue(boss);
  await createWriteQueue(boss);
}
