import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { DEMO, DEMO_SEED, type Org, type OrgAdmin, type RunningEmulator, type SeedSpec } from "@forcelink/emulator";
import { startDemoOrg } from "@forcelink/emulator/testing";
import { parseConfig } from "../../src/config/config.ts";
import { createLogger } from "../../src/log/logger.ts";
import { TestClock } from "../../src/platform/clock.ts";
import { createApiKey, createProject } from "../../src/projects/api-keys.ts";
import { ensureDefaultProject } from "../../src/projects/default-project.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { configureWebhookDelivery, type WebhookDeliverySettings } from "../../src/webhooks/delivery-policy.ts";
import { type Api, apiWith } from "./api-client.ts";
import { installSync, type SyncInstallation, type SyncSetup } from "./sync-records.ts";
import { type Backend, freshStore } from "./test-database.ts";

/** A Forcelink server on a fresh store, with the default project's key. */
export interface ServerHarness {
  server: RunningServer;
  /** The server's clock: move it to make time pass for the server (not for an emulated org). */
  clock: TestClock;
  /** The server's data directory (removed by close()). */
  dataDir: string;
  /**
   * The configuration the server was started with, to start more processes on the same store and
   * org (a `forcelink worker` child process, say).
   */
  env: Record<string, string>;
  projectId: string;
  apiKey: string;
  /** Calls the Forcelink API with the default project's key. */
  api: Api;
  /** Every log line the server wrote, as raw JSON lines (only with `logs: true`). */
  logs(): string;
  /** Raw SQL against the server's store (PGlite or PostgreSQL). */
  sql<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
  /** Another project with a key of its own, to show one project never sees another's data. */
  addProject(name: string): Promise<{ projectId: string; key: string }>;
  close(): Promise<void>;
}

/** A server pointed at an emulated org. */
export interface Harness extends ServerHarness {
  org: Org;
  admin: OrgAdmin;
  emulator: RunningEmulator;
  /** The demo app's record id in the emulated org, for `admin.updateApp`. */
  appId: string;
  /** POST /services/oauth2/token calls the emulator answered so far. */
  tokenCalls(): number;
  /** Registers the demo app as a provider app and lets the emulator accept this server's callback. */
  demoProviderApp(extra?: Record<string, unknown>): Promise<{ id: string; callbackUrl: string }>;
}

/** A server on an emulated org with a client-credentials connection and a manifest installed (runs not started). */
export type SyncHarness = Harness & SyncInstallation;

export interface HarnessOptions {
  /** The store: PGlite in the data directory (default) or a fresh PostgreSQL database (TEST_DATABASE_URL). */
  backend?: Backend;
  /** Start an emulated org and point the server at it (default true). */
  emulator?: boolean;
  /** The emulated org's seed (default: the demo org with `accounts` generated Accounts). */
  seed?: SeedSpec;
  /** Accounts generated in the demo org when no seed is given (default 20; none for a sync harness). */
  accounts?: number;
  /** A connection and an installed manifest, as the sync suites need; sets fast sync retries. */
  sync?: SyncSetup;
  /** Webhook delivery settings applied once the server runs (see FAST_DELIVERY). */
  delivery?: Partial<WebhookDeliverySettings>;
  /** Keep every log line at trace level for `logs()` (otherwise the log follows TEST_LOG_LEVEL, silent by default). */
  logs?: boolean;
  /** Receives the server's log at trace level. */
  logSink?: Writable;
  clock?: TestClock;
  /**
   * Another process's view of a running harness's PostgreSQL store: its own server, data directory,
   * pool and job queue, with the same projects and keys.
   */
  shareStoreWith?: ServerHarness;
  /** Server configuration on top of the harness's own. */
  env?: Record<string, string>;
  /**
   * Serve the emulated org's Pub/Sub API (change events, TLS with its own certificate) and point the
   * server at it; keepalives every 2 s unless given.
   */
  pubsub?: boolean | { keepaliveSeconds: number };
}

/** Settings that make retries immediate and timeouts short, so webhook suites run in seconds. */
export const FAST_DELIVERY: Partial<WebhookDeliverySettings> = {
  maxAttempts: 3,
  retryDelaySeconds: 0,
  retryBackoff: false,
  timeoutMs: 1000,
};

/** A Forcelink server for tests, on free ports; what differs between suites is in the options. */
export async function startHarness(options: HarnessOptions & { emulator: false }): Promise<ServerHarness>;
export async function startHarness(options: HarnessOptions & { sync: SyncSetup }): Promise<SyncHarness>;
export async function startHarness(options?: HarnessOptions): Promise<Harness>;
export async function startHarness(options: HarnessOptions = {}): Promise<ServerHarness> {
  const accounts = options.accounts ?? (options.sync ? undefined : 20);
  const demo =
    options.emulator === false
      ? undefined
      : await startDemoOrg({
          seed: options.seed ?? { ...DEMO_SEED, generate: accounts === undefined ? {} : { Account: accounts } },
          ...(options.pubsub
            ? { pubsub: { port: 0, keepaliveSeconds: options.pubsub === true ? 2 : options.pubsub.keepaliveSeconds } }
            : {}),
        });
  let h: ServerHarness;
  try {
    h = await startServerHarness(options, demo?.emulator);
  } catch (e) {
    await demo?.emulator.close();
    throw e;
  }
  if (!demo) return h;
  const { org, admin, emulator } = demo;
  const withOrg: Harness = {
    ...h,
    org,
    admin,
    emulator,
    appId: org.appByClientId(DEMO.app.clientId)!.id,
    tokenCalls: () => org.counters.snapshot().byEndpoint["POST /services/oauth2/token"] ?? 0,
    demoProviderApp: async (extra = {}) => {
      const res = await h.api("/v1/provider-apps", {
        method: "POST",
        body: {
          name: "Demo",
          kind: "external_client_app",
          clientId: DEMO.app.clientId,
          clientSecret: DEMO.app.clientSecret,
          scopes: ["api", "refresh_token", "id"],
          ...extra,
        },
      });
      if (res.status !== 201) throw new Error(`provider app not created: ${res.status} ${await res.text()}`);
      const created = (await res.json()) as { id: string; callbackUrl: string };
      const app = org.appByClientId(DEMO.app.clientId)!;
      if (!app.callbackUrls.includes(created.callbackUrl))
        admin.updateApp(app.id, { callbackUrls: [...app.callbackUrls, created.callbackUrl] });
      return created;
    },
    close: async () => {
      await h.close();
      await emulator.close();
    },
  };
  if (!options.sync) return withOrg;
  try {
    return { ...withOrg, ...(await installSync(withOrg, options.sync)) } satisfies SyncHarness;
  } catch (e) {
    await withOrg.close();
    throw e;
  }
}

/**
 * A server's configuration on a store (see `freshStore`), pointed at an emulated org when one is
 * given: the same for a server in this process and for one in a child process.
 */
export function serverEnv(storeEnv: Record<string, string>, emulator?: RunningEmulator): Record<string, string> {
  return {
    ...storeEnv,
    FORCELINK_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ...(emulator
      ? {
          FORCELINK_SALESFORCE_LOGIN_URL: emulator.urls.login,
          FORCELINK_SALESFORCE_SANDBOX_URL: emulator.urls.test,
          FORCELINK_SALESFORCE_MYDOMAIN_URL: emulator.urls.myDomain,
          ...pubSubEnv(emulator),
        }
      : {}),
  };
}

/** The server half: store, configuration, logger, first key. */
async function startServerHarness(options: HarnessOptions, emulator?: RunningEmulator): Promise<ServerHarness> {
  const shared = options.shareStoreWith;
  if (shared && !shared.env.DATABASE_URL) throw new Error("only a PostgreSQL store can be shared between servers");
  const store = await freshStore(shared ? "pglite" : (options.backend ?? "pglite"), "forcelink-test");
  let logText = "";
  const capture = options.logs
    ? new Writable({
        write(chunk, _encoding, done) {
          logText += chunk.toString();
          done();
        },
      })
    : undefined;
  const sink = options.logSink ?? capture;
  const clock = options.clock ?? new TestClock();
  const storeEnv = shared
    ? { ...store.env, DATABASE_URL: shared.env.DATABASE_URL, FORCELINK_SECRET_KEY: shared.env.FORCELINK_SECRET_KEY }
    : store.env;
  const env: Record<string, string> = {
    ...serverEnv(storeEnv, emulator),
    ...(options.sync ? { FORCELINK_SYNC_LAG_SECONDS: "0", FORCELINK_SYNC_RETRY_BASE_MS: "10" } : {}),
    ...options.env,
  };
  let server: RunningServer;
  try {
    server = await startServer(parseConfig(env), {
      clock,
      ...(sink ? { logger: createLogger("trace", sink) } : {}),
    });
  } catch (e) {
    await store.dispose();
    throw e;
  }
  const close = async () => {
    await server.close();
    await store.dispose();
  };
  try {
    if (options.delivery) configureWebhookDelivery(server.platform, options.delivery);
    const db = server.platform.db;
    // On PostgreSQL the server makes no first key; the harness makes the default project's itself.
    const first = shared
      ? { projectId: shared.projectId, key: shared.apiKey }
      : (server.firstKey ?? (await ensureDefaultProject(db)))!;
    const database = server.platform.database;
    return {
      server,
      clock,
      dataDir: store.env.FORCELINK_DATA_DIR,
      env,
      projectId: first.projectId,
      apiKey: first.key,
      api: apiWith(server.url, first.key),
      logs: () => {
        if (!capture) throw new Error("start the harness with `logs: true` to read its log");
        return logText;
      },
      sql: async <T>(text: string, values?: unknown[]) =>
        database.kind === "pglite"
          ? (await database.pglite!.query<T>(text, values)).rows
          : ((await database.pool!.query(text, values)).rows as T[]),
      addProject: async (name) => {
        const project = await createProject(db, name);
        return { projectId: project.id, key: (await createApiKey(db, project.id, "test")).key };
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The emulator's Pub/Sub endpoint and its certificate (written to a file, as configuration takes it). */
function pubSubEnv(emulator: RunningEmulator): Record<string, string> {
  const pubsub = emulator.pubsub;
  if (!pubsub) return {};
  const env: Record<string, string> = { FORCELINK_SALESFORCE_PUBSUB_ENDPOINT: pubsub.endpoint };
  if (pubsub.certificate) {
    const file = join(tmpdir(), `forcelink-test-pubsub-${pubsub.port}.pem`);
    writeFileSync(file, pubsub.certificate);
    env.FORCELINK_SALESFORCE_PUBSUB_CA_FILE = file;
  }
  return env;
}
