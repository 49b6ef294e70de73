import { hostname } from "node:os";
import type { SalesforceHosts } from "@forcelink/salesforce";
import type { PgBoss } from "pg-boss";
import { createChecklistQueues } from "../checklist/daily-checklist.ts";
import type { Config } from "../config/config.ts";
import { ConnectionTokens } from "../connections/connection-tokens.ts";
import { parseKey, Sealer } from "../crypto/sealing.ts";
import { type LoadedKey, loadSecretKey } from "../crypto/secret-key.ts";
import { startJobQueue } from "../jobs/job-queue.ts";
import type { Logger } from "../log/logger.ts";
import { ApiKeyVerifier } from "../projects/api-keys.ts";
import { type Database, type Db, openDatabase } from "../store/database.ts";
import { createSyncQueue } from "../sync/sync-jobs.ts";
import { DEFAULT_DELIVERY_SETTINGS, type WebhookDeliverySettings } from "../webhooks/delivery-policy.ts";
import { createDeliveryQueues } from "../webhooks/delivery-queue.ts";
import { type Clock, systemClock } from "./clock.ts";
import { salesforceHosts } from "./salesforce-hosts.ts";

/**
 * What every capability is built on, built once per process by `openPlatform` and handed in: the
 * store, the sealer, the job queue (its queues created), the clock, the token service, config and
 * logger. Nothing of a process's state hangs anywhere else.
 */
export interface Platform {
  config: Config;
  logger: Logger;
  database: Database;
  db: Db;
  sealer: Sealer;
  boss: PgBoss;
  verifier: ApiKeyVerifier;
  /** Salesforce's hosts, or the ones configuration maps them to. */
  hosts: SalesforceHosts;
  /** Names this process in leases (connection refreshes) and logs. */
  processId: string;
  key: LoadedKey;
  /** The one clock: every time the server reads or stores, and the Salesforce client's. */
  clock: Clock;
  /** Every connection's tokens and Salesforce clients for this process. */
  tokens: ConnectionTokens;
  /** How this process delivers webhooks (configureWebhookDelivery changes them). */
  webhookDelivery: WebhookDeliverySettings;
  close(): Promise<void>;
}

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
      processId: `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`,
      key,
      clock,
      // Set just below: the token service is built on the platform it belongs to.
      tokens: undefined as unknown as ConnectionTokens,
      webhookDelivery: DEFAULT_DELIVERY_SETTINGS,
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
}
