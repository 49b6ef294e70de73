import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/** One schema for PGlite and PostgreSQL. Columns named `*_sealed` hold AES-256-GCM sealed secrets. */

const id = () => text("id").primaryKey();
const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();

export const projects = pgTable("projects", {
  id: id(),
  name: text("name").notNull(),
  createdAt: createdAt(),
});

export const apiKeys = pgTable(
  "api_keys",
  {
    id: id(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** The first characters of the key, shown in listings so people can tell keys apart. */
    prefix: text("prefix").notNull(),
    hash: text("hash").notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("api_keys_hash").on(t.hash), index("api_keys_project").on(t.projectId)],
);

export const providerApps = pgTable(
  "provider_apps",
  {
    id: id(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    kind: text("kind").notNull(),
    clientId: text("client_id").notNull(),
    clientSecretSealed: text("client_secret_sealed").notNull(),
    scopes: jsonb("scopes").$type<string[]>().notNull(),
    pkce: boolean("pkce").notNull().default(true),
    clientCredentialsEnabled: boolean("client_credentials_enabled").notNull().default(false),
    jwtUsername: text("jwt_username"),
    jwtPrivateKeySealed: text("jwt_private_key_sealed"),
    /** SHA-256 of the JWT key's public half: shown so builders can match the certificate in Salesforce. */
    jwtKeyFingerprint: text("jwt_key_fingerprint"),
    /** Objects and fields the integration reads, writes or subscribes to (the checklist's input). */
    requirements: jsonb("requirements").$type<unknown>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("provider_apps_project").on(t.projectId)],
);

export const connectSessions = pgTable(
  "connect_sessions",
  {
    id: id(),
    projectId: text("project_id").notNull(),
    providerAppId: text("provider_app_id")
      .notNull()
      .references(() => providerApps.id, { onDelete: "cascade" }),
    endUserId: text("end_user_id").notNull(),
    environment: text("environment"),
    myDomain: text("my_domain"),
    /** The link's token, hashed; the link itself is shown once. */
    tokenHash: text("token_hash").notNull(),
    stateHash: text("state_hash"),
    codeVerifierSealed: text("code_verifier_sealed"),
    loginUrl: text("login_url"),
    /** Where to send the customer afterwards; in a popup, the origin the result is posted to. */
    returnUrl: text("return_url"),
    display: text("display").notNull().default("page"),
    status: text("status").notNull(),
    error: jsonb("error").$type<unknown>(),
    connectionId: text("connection_id"),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    /** The result page's "Check again" token, hashed: minted when the connection is made, works for an hour. */
    checklistTokenHash: text("checklist_token_hash"),
    checklistTokenExpiresAt: timestamp("checklist_token_expires_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("connect_sessions_token").on(t.tokenHash),
    index("connect_sessions_state").on(t.stateHash),
    uniqueIndex("connect_sessions_checklist_token").on(t.checklistTokenHash),
  ],
);

export const connections = pgTable(
  "connections",
  {
    id: id(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    providerAppId: text("provider_app_id")
      .notNull()
      .references(() => providerApps.id, { onDelete: "cascade" }),
    endUserId: text("end_user_id").notNull(),
    /** production, sandbox, mydomain */
    environment: text("environment").notNull(),
    authFlow: text("auth_flow").notNull(),
    loginUrl: text("login_url").notNull(),
    instanceUrl: text("instance_url").notNull(),
    orgId: text("org_id").notNull(),
    userId: text("user_id").notNull(),
    username: text("username"),
    /**
     * How this connection's tokens are renewed without a refresh token (JWT bearer): the audience,
     * the host tokens are redeemed on and the subject. Per connection, never per provider app.
     */
    grant: jsonb("grant").$type<unknown>(),
    scopes: jsonb("scopes").$type<string[]>().notNull(),
    identityUrl: text("identity_url").notNull(),
    accessTokenSealed: text("access_token_sealed").notNull(),
    refreshTokenSealed: text("refresh_token_sealed"),
    /** Salesforce's issued_at (epoch ms, its clock) and when we got the token (our clock). */
    tokenIssuedAt: bigint("token_issued_at", { mode: "number" }).notNull(),
    tokenObtainedAt: bigint("token_obtained_at", { mode: "number" }),
    /** The org's session timeout, when introspection told us. */
    sessionTimeoutMs: bigint("session_timeout_ms", { mode: "number" }),
    /** Set when Salesforce refused the grant for good: why, and which checklist item explains it. */
    reauth: jsonb("reauth").$type<unknown>(),
    /** Set while refreshes fail for passing reasons (network, 5xx), shared by every process. */
    refreshFailing: jsonb("refresh_failing").$type<unknown>(),
    /** Bumped on every credential write: readers can tell a refresh happened. */
    credentialsVersion: integer("credentials_version").notNull().default(1),
    status: text("status").notNull(),
    statusReason: text("status_reason"),
    lastRefreshAt: timestamp("last_refresh_at", { withTimezone: true }),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true }),
    apiUsed: bigint("api_used", { mode: "number" }),
    apiMax: bigint("api_max", { mode: "number" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("connections_project").on(t.projectId, t.endUserId), index("connections_status").on(t.status)],
);

export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: id(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    description: text("description"),
    secretSealed: text("secret_sealed").notNull(),
    /** After a rotation, deliveries are signed with both secrets until this one expires. */
    previousSecretSealed: text("previous_secret_sealed"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at", { withTimezone: true }),
    events: jsonb("events").$type<string[]>().notNull(),
    enabled: boolean("enabled").notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("webhook_endpoints_project").on(t.projectId)],
);

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: id(),
    projectId: text("project_id").notNull(),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    payload: jsonb("payload").$type<unknown>().notNull(),
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("webhook_deliveries_endpoint").on(t.endpointId, t.createdAt),
    index("webhook_deliveries_project").on(t.projectId),
    /** The recovery sweep looks for deliveries still pending. */
    index("webhook_deliveries_pending").on(t.createdAt).where(sql`${t.status} = 'pending'`),
  ],
);

/** Pre-install checklist runs against a connection's org: verdicts and evidence, never a token. */
export const checklistRuns = pgTable(
  "checklist_runs",
  {
    id: id(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    connectionId: text("connection_id")
      .notNull()
      .references(() => connections.id, { onDelete: "cascade" }),
    ranAt: timestamp("ran_at", { withTimezone: true }).notNull(),
    /** No check failed (warn and unknown do not fail a run). */
    passed: boolean("passed").notNull(),
    results: jsonb("results").$type<unknown>().notNull(),
    apiCalls: jsonb("api_calls").$type<unknown>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("checklist_runs_connection").on(t.connectionId, t.ranAt)],
);

/** An integration: its manifest (sealed as uploaded, since destination URLs carry passwords) and a redacted copy. */
export const integrations = pgTable(
  "integrations",
  {
    id: id(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    manifestSealed: text("manifest_sealed").notNull(),
    /** The normalised manifest with secrets replaced by `***`, for listings and logs. */
    manifest: jsonb("manifest").$type<unknown>().notNull(),
    /** Signing secrets of the manifest's webhook destinations, by destination name (sealed JSON). */
    webhookSecretsSealed: text("webhook_secrets_sealed"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("integrations_project_name").on(t.projectId, t.name)],
);

/** An integration installed on a connection: its objects sync from that org. */
export const installations = pgTable(
  "installations",
  {
    id: id(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    integrationId: text("integration_id")
      .notNull()
      .references(() => integrations.id, { onDelete: "cascade" }),
    connectionId: text("connection_id")
      .notNull()
      .references(() => connections.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("installations_connection_integration").on(t.connectionId, t.integrationId),
    index("installations_integration").on(t.integrationId),
  ],
);

/** Where the sync of one object of one installation stands: the checkpoint and why it is paused. */
export const syncStates = pgTable(
  "sync_states",
  {
    id: id(),
    projectId: text("project_id").notNull(),
    installationId: text("installation_id")
      .notNull()
      .references(() => installations.id, { onDelete: "cascade" }),
    connectionId: text("connection_id").notNull(),
    object: text("object").notNull(),
    /** SystemModstamp, LastModifiedDate or CreatedDate; null means a full refresh every run. */
    cursorField: text("cursor_field"),
    /** The checkpoint: the (cursor field, Id) of the last record every destination confirmed. */
    cursorTs: text("cursor_ts"),
    cursorId: text("cursor_id"),
    backfillDone: boolean("backfill_done").notNull().default(false),
    status: text("status").notNull().default("idle"),
    statusReason: text("status_reason"),
    resumeAt: timestamp("resume_at", { withTimezone: true }),
    /** The fields read last time, to notice fields that appear or disappear. */
    fields: jsonb("fields").$type<string[]>(),
    formulaRefreshedAt: timestamp("formula_refreshed_at", { withTimezone: true }),
    lastRunId: text("last_run_id"),
    /** Paused by the builder (console): runs are skipped until resumed; null when not paused. */
    pausedAt: timestamp("paused_at", { withTimezone: true }),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("sync_states_installation_object").on(t.installationId, t.object),
    index("sync_states_connection").on(t.connectionId),
  ],
);

/**
 * One object of an installation heard through Change Data Capture: where the stream stands (the
 * replay id and commit timestamp of the last event every destination confirmed), what it did, and
 * the lease of the one process that subscribes (owner token, renewed while it runs).
 */
export const subscriptions = pgTable(
  "subscriptions",
  {
    id: id(),
    projectId: text("project_id").notNull(),
    installationId: text("installation_id")
      .notNull()
      .references(() => installations.id, { onDelete: "cascade" }),
    connectionId: text("connection_id").notNull(),
    object: text("object").notNull(),
    /** The Pub/Sub topic, e.g. /data/AccountChangeEvent. */
    channel: text("channel").notNull(),
    /** starting, running, recovering, paused. */
    state: text("state").notNull().default("starting"),
    stateReason: text("state_reason"),
    /** The checklist verdict that explains a pause: {id, title, reason, remedy}. */
    pausedCheck: jsonb("paused_check").$type<Record<string, unknown>>(),
    /** Base64 of the replay id of the last event every destination confirmed; null: start at LATEST. */
    replayId: text("replay_id"),
    /** Commit timestamp of the last confirmed event (ms): where a recovery's incremental read starts. */
    lastCommitAt: timestamp("last_commit_at", { withTimezone: true }),
    lastKeepaliveAt: timestamp("last_keepalive_at", { withTimezone: true }),
    eventsDelivered: bigint("events_delivered", { mode: "number" }).notNull().default(0),
    /** The latest recoveries, newest first: {reason, at, records}. */
    recoveries: jsonb("recoveries").$type<Array<Record<string, unknown>>>().notNull().default([]),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("subscriptions_installation_object").on(t.installationId, t.object),
    index("subscriptions_connection").on(t.connectionId),
  ],
);

/** A PlatformEventChannelMember Forcelink created for an installation (adopted ones are not recorded: never deleted). */
export const subscriptionMembers = pgTable(
  "subscription_members",
  {
    id: id(),
    installationId: text("installation_id").notNull(),
    connectionId: text("connection_id").notNull(),
    selectedEntity: text("selected_entity").notNull(),
    memberId: text("member_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("subscription_members_installation").on(t.installationId)],
);

/** One run of one object's sync, with what it did and cost. */
export const syncRuns = pgTable(
  "sync_runs",
  {
    id: id(),
    projectId: text("project_id").notNull(),
    connectionId: text("connection_id").notNull(),
    installationId: text("installation_id").notNull(),
    object: text("object").notNull(),
    trigger: text("trigger").notNull(),
    status: text("status").notNull(),
    mode: text("mode"),
    windowFrom: text("window_from"),
    windowTo: text("window_to"),
    recordsRead: integer("records_read").notNull().default(0),
    upserted: integer("upserted").notNull().default(0),
    deleted: integer("deleted").notNull().default(0),
    apiCalls: integer("api_calls").notNull().default(0),
    drift: jsonb("drift").$type<unknown>(),
    error: jsonb("error").$type<unknown>(),
    /** The Bulk query job the run has open in the org: deleted by whoever finds the run orphaned. */
    bulkJobId: text("bulk_job_id"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    index("sync_runs_connection").on(t.connectionId, t.startedAt),
    index("sync_runs_installation").on(t.installationId, t.object, t.startedAt),
    /** At most one queued or running run per object of an installation, across every process. */
    uniqueIndex("sync_runs_active").on(t.installationId, t.object).where(sql`${t.status} in ('queued', 'running')`),
  ],
);

/** Change order of the records API: every upsert or deletion takes the next number. */
export const syncRecordChanges = pgSequence("sync_record_changes");

/** The records API's store: the latest version of each record, and deletions as tombstones. */
export const syncRecords = pgTable(
  "sync_records",
  {
    projectId: text("project_id").notNull(),
    connectionId: text("connection_id")
      .notNull()
      .references(() => connections.id, { onDelete: "cascade" }),
    object: text("object").notNull(),
    recordId: text("record_id").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>(),
    modstamp: text("modstamp"),
    deletedAt: text("deleted_at"),
    change: bigint("change", { mode: "number" }).notNull().default(sql`nextval('sync_record_changes')`),
  },
  (t) => [
    primaryKey({ columns: [t.connectionId, t.object, t.recordId] }),
    index("sync_records_changes").on(t.connectionId, t.object, t.change),
  ],
);

/**
 * A write: records into one object of a connection's org, with one result per input record
 * (write_records). Counts are kept here as the records settle; `pending` is what is left.
 */
export const writes = pgTable(
  "writes",
  {
    id: id(),
    projectId: text("project_id").notNull(),
    connectionId: text("connection_id")
      .notNull()
      .references(() => connections.id, { onDelete: "cascade" }),
    object: text("object").notNull(),
    /** insert | update | upsert | delete */
    operation: text("operation").notNull(),
    externalIdField: text("external_id_field"),
    allOrNone: boolean("all_or_none").notNull().default(false),
    /** receiving (body still arriving) | queued | running | paused | completed | failed */
    status: text("status").notNull(),
    /** collections | composite | bulk, as the planner chose; null until planned. */
    path: text("path"),
    total: integer("total").notNull().default(0),
    succeeded: integer("succeeded").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    /** Records whose outcome cannot be known (an insert whose answer was lost): never sent again blindly. */
    unknown: integer("unknown").notNull().default(0),
    apiCalls: integer("api_calls").notNull().default(0),
    idempotencyKey: text("idempotency_key"),
    /** sha256 of the request (connection, object, operation, options and records) the key was first used with. */
    requestHash: text("request_hash"),
    /** The write whose failed records this one re-runs. */
    retryOf: text("retry_of"),
    options: jsonb("options").$type<Record<string, unknown>>(),
    error: jsonb("error").$type<unknown>(),
    createdAt: createdAt(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    /** When the write and its per-record results are pruned. */
    expiresAt: timestamp("expires_at", { withTimezone: true }),
  },
  (t) => [
    index("writes_connection").on(t.connectionId, t.createdAt),
    uniqueIndex("writes_idempotency").on(t.projectId, t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`),
    index("writes_status").on(t.status),
  ],
);

/** One input record of a write and its result, by its index in the input. */
export const writeRecords = pgTable(
  "write_records",
  {
    writeId: text("write_id")
      .notNull()
      .references(() => writes.id, { onDelete: "cascade" }),
    idx: integer("idx").notNull(),
    /** pending | sending | succeeded | failed | unknown */
    status: text("status").notNull().default("pending"),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    sfId: text("sf_id"),
    created: boolean("created"),
    errors: jsonb("errors").$type<unknown[]>(),
    attempts: integer("attempts").notNull().default(0),
    /** The Bulk ingest job that holds the record while it is `sending`, read back after a crash. */
    bulkJobId: text("bulk_job_id"),
  },
  // No index on status: a record's status changes twice (held for a call or job, then settled), and an
  // index on it would make each change write the whole row again with its index entries. Without one,
  // and with room left on each page (fillfactor 50, set by migration 0007), both changes are HOT
  // updates; the reads by status go through the primary key's range of the write.
  (t) => [primaryKey({ columns: [t.writeId, t.idx] })],
);

/**
 * A console sign-in: the cookie's token is stored as its SHA-256 only, tied to the API key it was
 * made from, so revoking the key ends the session.
 */
export const consoleSessions = pgTable(
  "console_sessions",
  {
    /** sha256 of the session token. */
    id: id(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    apiKeyId: text("api_key_id")
      .notNull()
      .references(() => apiKeys.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("console_sessions_key").on(t.apiKeyId)],
);

/**
 * The activity log: one row per operation worth seeing on a connection (a refresh, a checklist run,
 * a sync run, a delivery…), never a token or a secret. `seq` orders rows across processes and pages them.
 */
export const activity = pgTable(
  "activity",
  {
    id: id(),
    seq: bigserial("seq", { mode: "number" }).notNull(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** No foreign key: a deleted connection's history stays readable until retention prunes it. */
    connectionId: text("connection_id"),
    kind: text("kind").notNull(),
    /** info | warn | error */
    level: text("level").notNull(),
    message: text("message").notNull(),
    details: jsonb("details").$type<Record<string, unknown>>().notNull(),
    at: timestamp("at", { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex("activity_seq").on(t.seq),
    index("activity_project").on(t.projectId, t.seq),
    index("activity_connection").on(t.connectionId, t.seq),
    index("activity_at").on(t.at),
  ],
);

export const schema = {
  projects,
  apiKeys,
  providerApps,
  connectSessions,
  connections,
  webhookEndpoints,
  webhookDeliveries,
  checklistRuns,
  integrations,
  installations,
  syncStates,
  syncRuns,
  syncRecordChanges,
  syncRecords,
  writes,
  writeRecords,
  consoleSessions,
  activity,
  subscriptions,
  subscriptionMembers,
};
