import type { SalesforceClient, SalesforceHosts, TokenLifecycle } from "@forcelink/salesforce";
import type { PgBoss } from "pg-boss";
import type { ActivityEntry } from "../activity/activity-kinds.ts";
import type { Config } from "../config/config.ts";
import type { Sealer } from "../crypto/sealing.ts";
import type { LoadedKey } from "../crypto/secret-key.ts";
import type { Logger } from "../log/logger.ts";
import type { ApiKeyVerifier } from "../projects/api-keys.ts";
import type { Database, Db } from "../store/database.ts";
import type { connections } from "../store/schema.ts";
import type { WebhookDeliverySettings } from "../webhooks/delivery-policy.ts";
import type { Clock } from "./clock.ts";
import type { PubSubEndpoint } from "./salesforce-hosts.ts";
import type { WakeSignal } from "./wake-signal.ts";

/**
 * What every capability is built on, built once per process by `openPlatform` (open-platform.ts,
 * the composition) and handed in: the
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
  /** The Pub/Sub API change events are subscribed on (salesforce-hosts.ts). */
  pubsub: PubSubEndpoint;
  /** Names this process in leases (connection refreshes) and logs. */
  processId: string;
  key: LoadedKey;
  /** The one clock: every time the server reads or stores, and the Salesforce client's. */
  clock: Clock;
  /** Every connection's tokens and Salesforce clients for this process. */
  tokens: ConnectionTokenService;
  /** Records the activity log's rows (activity/activity-recorder.ts); every capability reports through it. */
  activity: ActivityRecorder;
  /** How this process delivers webhooks (configureWebhookDelivery changes them). */
  webhookDelivery: WebhookDeliverySettings;
  /** The write queue's workers in this process, woken at once when this process queues a write. */
  localWriteWorkers: string[];
  /** The sync queue's workers in this process, woken when a run this process queued for later is due. */
  localSyncWorkers: string[];
  /** What the sync's idle check remembers in this process (sync/idle-check.ts). */
  syncIdleMemory: SyncIdleMemory;
  /** Wakes requests waiting for a write of this process to end (GET …/writes/{writeId}?wait=), by write id. */
  writeEnds: WakeSignal;
  close(): Promise<void>;
}

export type { ActivityEntry };

/**
 * What the sync's idle check keeps in one process's memory: only what makes runs cheaper, never what
 * their correctness depends on (a new process starts empty and describes once more).
 */
export interface SyncIdleMemory {
  /** When this process last described each sync state's object. */
  describedAt: Map<string, number>;
  /** Whether describe said each sync state's object is `replicateable` (Get Updated / Get Deleted serve it). */
  replicable: Map<string, boolean>;
  /** Each installation's last count of changes, by installation id (its shape is the idle check's). */
  checks: Map<string, unknown>;
  /** Salesforce's clock minus ours, per connection, never above the true offset. */
  clockOffset: Map<string, number>;
}

/** The activity log as capabilities see it: `record` never throws, and never stores a secret. */
export interface ActivityRecorder {
  record(entry: ActivityEntry): Promise<void>;
}

/**
 * Every connection's tokens and clients in this process (connections/connection-tokens.ts). Named
 * here so that capabilities depend on the platform, never on each other through it.
 */
export interface ConnectionTokenService {
  lifecycleFor(conn: typeof connections.$inferSelect): Promise<TokenLifecycle>;
  /** A client bound to the connection's instance, with its token kept fresh. */
  clientFor(conn: typeof connections.$inferSelect): Promise<SalesforceClient>;
  /** A client of its own for a job, every answer's quota header handed to `onAnswer`. */
  jobClient(
    conn: typeof connections.$inferSelect,
    onAnswer: (used: number, max: number) => void,
  ): Promise<SalesforceClient>;
  /** A connection of a project, remembered briefly for the proxy's hot path. */
  connection(projectId: string, id: string): Promise<typeof connections.$inferSelect | undefined>;
  /**
   * The connection's row and client when both are fresh in this process's memory, else undefined (then connection()
   * and clientFor()): the proxy's hot path waits for nothing.
   */
  cachedProxyTarget(
    projectId: string,
    id: string,
  ): { row: typeof connections.$inferSelect; client: SalesforceClient } | undefined;
  /** Drops what this process keeps about a deleted connection. */
  forget(connectionId: string): void;
  close(): Promise<void>;
}
