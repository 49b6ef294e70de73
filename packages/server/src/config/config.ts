import { z } from "zod";

/** Everything Forcelink reads from its environment, parsed once, with defaults that just work. */
const schema = z.object({
  FORCELINK_DATA_DIR: z.string().min(1).default("./.forcelink"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgres:// URL")
    .optional(),
  /** 32 bytes, base64 or hex: seals every secret at rest. */
  FORCELINK_SECRET_KEY: z.string().optional(),
  /** Keys that sealed older values, comma separated: read, never written, until `keys rotate-secret` re-seals. */
  FORCELINK_PREVIOUS_SECRET_KEYS: z.string().optional(),
  FORCELINK_HOST: z.string().default("127.0.0.1"),
  FORCELINK_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** The URL people and Salesforce reach this server at (callback URLs are built from it). */
  FORCELINK_PUBLIC_URL: z.string().url().optional(),
  /** Salesforce hosts; unset means Salesforce's real hosts. `npm start` points them at the emulator. */
  FORCELINK_SALESFORCE_LOGIN_URL: z.string().url().optional(),
  FORCELINK_SALESFORCE_SANDBOX_URL: z.string().url().optional(),
  FORCELINK_SALESFORCE_MYDOMAIN_URL: z.string().url().optional(),
  /** The Pub/Sub API (host:port) change events are subscribed on. */
  FORCELINK_SALESFORCE_PUBSUB_ENDPOINT: z
    .string()
    .regex(/^[^\s:/]+:\d{1,5}$/, "host:port, like api.pubsub.salesforce.com:7443")
    .default("api.pubsub.salesforce.com:7443"),
  /** A PEM file of the root certificate the Pub/Sub endpoint is trusted by (a local org); the system's roots otherwise. */
  FORCELINK_SALESFORCE_PUBSUB_CA_FILE: z.string().min(1).optional(),
  /** When the daily checklist runs over every active connection (cron, UTC). */
  FORCELINK_CHECKLIST_CRON: z.string().trim().min(1).default("0 3 * * *"),
  FORCELINK_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Syncs pause once the org has used this share of its daily API requests. */
  FORCELINK_SYNC_QUOTA_SHARE: z.coerce.number().gt(0).max(1).default(0.8),
  /** How long a paused sync waits before it looks at the quota again. */
  FORCELINK_SYNC_PAUSE_RECHECK_SECONDS: z.coerce.number().int().min(1).default(900),
  /** Rows changed in the last this-many seconds are left for the next run (writes still committing). */
  FORCELINK_SYNC_LAG_SECONDS: z.coerce.number().int().min(0).default(60),
  /** Each run reads again this far behind its checkpoint, for rows that became visible late. */
  FORCELINK_SYNC_LOOKBACK_SECONDS: z.coerce.number().int().min(0).default(300),
  /** Syncs running at once against one org, across every worker. */
  FORCELINK_SYNC_ORG_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(3),
  /** Above this many changed rows a run reads through Bulk 2.0 instead of REST. */
  FORCELINK_SYNC_BULK_THRESHOLD: z.coerce.number().int().min(0).default(10_000),
  /** Retries of a failing read (from the checkpoint) before the run fails. */
  FORCELINK_SYNC_ATTEMPTS: z.coerce.number().int().min(0).max(20).default(6),
  FORCELINK_SYNC_RETRY_BASE_MS: z.coerce.number().int().min(0).default(1000),
  /** Sync runs `forcelink serve` takes on at once; 0 makes an API-only server (workers run elsewhere). */
  FORCELINK_SYNC_WORKERS: z.coerce.number().int().min(0).max(64).default(2),
  /**
   * A subscription's lease runs out this long after its last renewal (renewed every third of it):
   * another process takes over a dead holder's subscription within about this long.
   */
  FORCELINK_SUBSCRIPTION_LEASE_SECONDS: z.coerce.number().int().min(3).max(600).default(30),
  /** `off` makes every incremental run describe and read even when nothing changed (the idle check's baseline). */
  FORCELINK_SYNC_IDLE_CHECK: z.enum(["on", "off"]).default("on"),
  /** From this many records a write goes through Bulk API 2.0 instead of collections or composite. */
  FORCELINK_WRITE_BULK_THRESHOLD: z.coerce.number().int().min(1).default(2_000),
  /** Times a record refused with a retryable error (a locked row) is sent before it fails with that error. */
  FORCELINK_WRITE_MAX_PASSES: z.coerce.number().int().min(1).max(20).default(5),
  /** Base of the backoff between retry passes of a write. */
  FORCELINK_WRITE_RETRY_BASE_MS: z.coerce.number().int().min(0).default(1000),
  /** Writes stop (and resume on their own) once the org has used this share of its daily API requests. */
  FORCELINK_WRITE_QUOTA_SHARE: z.coerce.number().gt(0).max(1).default(0.9),
  /** Queued writes `forcelink serve` runs at once; 0 leaves them to `forcelink worker`. */
  FORCELINK_WRITE_WORKERS: z.coerce.number().int().min(0).max(64).default(2),
  /** Writes running at once against one connection, across every worker. */
  FORCELINK_WRITE_CONNECTION_CONCURRENCY: z.coerce.number().int().min(1).max(20).default(2),
  /** The most CSV one Bulk ingest job uploads (Salesforce takes 150 MB base64-encoded, about 100 MB raw). */
  FORCELINK_WRITE_BULK_MAX_UPLOAD_BYTES: z.coerce.number().int().min(1).max(117_000_000).default(100_000_000),
  /** Writes of at most this many records run in the request and answer with every result. */
  FORCELINK_WRITE_SYNC_MAX: z.coerce.number().int().min(0).max(1000).default(200),
  /** Days a finished write and its per-record results are kept. */
  FORCELINK_WRITE_RETENTION_DAYS: z.coerce.number().gt(0).default(30),
  /** Days activity rows, settled webhook deliveries and finished sync runs are kept. */
  FORCELINK_ACTIVITY_RETENTION_DAYS: z.coerce.number().gt(0).default(30),
  /** The largest JSON body `POST …/writes` takes, in MiB (the whole body is parsed at once). */
  FORCELINK_WRITE_JSON_LIMIT_MB: z.coerce.number().gt(0).default(32),
  /** The largest NDJSON or CSV body `POST …/writes` takes, in MiB (streamed into the store). */
  FORCELINK_WRITE_STREAM_LIMIT_MB: z.coerce.number().gt(0).default(2048),
});

const MIB = 1024 * 1024;

export type Config = ReturnType<typeof parseConfig>;

export class ConfigError extends Error {}

export function parseConfig(env: Record<string, string | undefined> = process.env) {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n  - ");
    throw new ConfigError(`Forcelink's configuration is not valid:\n  - ${problems}`);
  }
  const c = result.data;
  const publicUrl = (
    c.FORCELINK_PUBLIC_URL ??
    `http://${c.FORCELINK_HOST === "0.0.0.0" ? "localhost" : c.FORCELINK_HOST}:${c.FORCELINK_PORT}`
  ).replace(/\/$/, "");
  return {
    dataDir: c.FORCELINK_DATA_DIR,
    databaseUrl: c.DATABASE_URL,
    secretKey: c.FORCELINK_SECRET_KEY,
    previousSecretKeys: (c.FORCELINK_PREVIOUS_SECRET_KEYS ?? "")
      .split(",")
      .map((k) => k.trim())
      .filter(Boolean),
    host: c.FORCELINK_HOST,
    port: c.FORCELINK_PORT,
    publicUrl,
    salesforce: {
      loginUrl: c.FORCELINK_SALESFORCE_LOGIN_URL,
      sandboxUrl: c.FORCELINK_SALESFORCE_SANDBOX_URL,
      myDomainUrl: c.FORCELINK_SALESFORCE_MYDOMAIN_URL,
      pubsubEndpoint: c.FORCELINK_SALESFORCE_PUBSUB_ENDPOINT,
      pubsubCaFile: c.FORCELINK_SALESFORCE_PUBSUB_CA_FILE,
    },
    checklistCron: c.FORCELINK_CHECKLIST_CRON,
    sync: {
      quotaShare: c.FORCELINK_SYNC_QUOTA_SHARE,
      pauseRecheckMs: c.FORCELINK_SYNC_PAUSE_RECHECK_SECONDS * 1000,
      lagMs: c.FORCELINK_SYNC_LAG_SECONDS * 1000,
      lookbackMs: c.FORCELINK_SYNC_LOOKBACK_SECONDS * 1000,
      perOrgConcurrency: c.FORCELINK_SYNC_ORG_CONCURRENCY,
      bulkThreshold: c.FORCELINK_SYNC_BULK_THRESHOLD,
      attempts: c.FORCELINK_SYNC_ATTEMPTS,
      retryBaseMs: c.FORCELINK_SYNC_RETRY_BASE_MS,
      workers: c.FORCELINK_SYNC_WORKERS,
      idleCheck: c.FORCELINK_SYNC_IDLE_CHECK === "on",
    },
    subscriptions: {
      leaseMs: c.FORCELINK_SUBSCRIPTION_LEASE_SECONDS * 1000,
    },
    writes: {
      syncMax: c.FORCELINK_WRITE_SYNC_MAX,
      bulkThreshold: c.FORCELINK_WRITE_BULK_THRESHOLD,
      maxPasses: c.FORCELINK_WRITE_MAX_PASSES,
      retryBaseMs: c.FORCELINK_WRITE_RETRY_BASE_MS,
      quotaShare: c.FORCELINK_WRITE_QUOTA_SHARE,
      pauseRecheckMs: c.FORCELINK_SYNC_PAUSE_RECHECK_SECONDS * 1000,
      workers: c.FORCELINK_WRITE_WORKERS,
      perConnectionConcurrency: c.FORCELINK_WRITE_CONNECTION_CONCURRENCY,
      maxUploadBytes: c.FORCELINK_WRITE_BULK_MAX_UPLOAD_BYTES,
      retentionMs: Math.round(c.FORCELINK_WRITE_RETENTION_DAYS * 86_400_000),
      jsonBodyLimit: Math.round(c.FORCELINK_WRITE_JSON_LIMIT_MB * MIB),
      streamBodyLimit: Math.round(c.FORCELINK_WRITE_STREAM_LIMIT_MB * MIB),
    },
    activity: {
      /** Also the retention of settled webhook deliveries and finished sync runs. */
      retentionMs: Math.round(c.FORCELINK_ACTIVITY_RETENTION_DAYS * 86_400_000),
    },
    logLevel: c.FORCELINK_LOG_LEVEL,
  };
}
