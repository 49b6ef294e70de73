import { hostname } from "node:os";
import type { SalesforceHosts } from "@forcelink/salesforce";
import type { PgBoss } from "pg-boss";
import type { Config } from "../config/config.ts";
import { parseKey, Sealer } from "../crypto/sealing.ts";
import { type LoadedKey, loadSecretKey } from "../crypto/secret-key.ts";
import { startJobQueue } from "../jobs/job-queue.ts";
import type { Logger } from "../log/logger.ts";
import { ApiKeyVerifier } from "../projects/api-keys.ts";
import { type Database, type Db, openDatabase } from "../store/database.ts";
import { salesforceHosts } from "./salesforce-hosts.ts";

/** What every capability is built on: the store, the sealer, the job queue, config and logger. */
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
  close(): Promise<void>;
}

export async function openPlatform(
  config: Config,
  logger: Logger,
  options: { jobs?: boolean } = {},
): Promise<Platform> {
  const key = loadSecretKey(config);
  const database = await openDatabase(config);
  try {
    const boss = options.jobs === false ? (undefined as unknown as PgBoss) : await startJobQueue(database, logger);
    return {
      config,
      logger,
      database,
      db: database.db,
      sealer: new Sealer(key.key, config.previousSecretKeys.map(parseKey)),
      boss,
      verifier: new ApiKeyVerifier(database.db),
      hosts: salesforceHosts(config),
      processId: `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`,
      key,
      close: async () => {
        if (boss) await boss.stop({ graceful: true, timeout: 5000 }).catch(() => undefined);
        await database.close();
      },
    };
  } catch (e) {
    await database.close();
    throw e;
  }
}
