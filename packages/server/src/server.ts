import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import { startActivityRetention } from "./activity/activity-retention.ts";
import { registerActivityRoutes } from "./activity/activity-routes.ts";
import { registerChecklistRoutes } from "./checklist/checklist-routes.ts";
import { startDailyChecklist } from "./checklist/daily-checklist.ts";
import type { Config } from "./config/config.ts";
import { registerConnectRoutes } from "./connect/connect-routes.ts";
import { registerConnectHelperRoute } from "./connect/helper-script.ts";
import { registerConnectSessionRoutes } from "./connect/session-routes.ts";
import { registerConnectionRoutes } from "./connections/connection-routes.ts";
import { createProxyHandler } from "./connections/proxy-handler.ts";
import { proxyPathDocument } from "./connections/proxy-routes.ts";
import { registerConsole } from "./console/console-module.ts";
import { createHttpApp } from "./http/app.ts";
import { requireApiKey } from "./http/project-auth.ts";
import { registerIntegrationRoutes, registerManifestSchemaRoute } from "./integrations/integration-routes.ts";
import { createLogger, type Logger } from "./log/logger.ts";
import type { Clock } from "./platform/clock.ts";
import { openPlatform } from "./platform/open-platform.ts";
import type { Platform } from "./platform/platform.ts";
import type { CreatedKey } from "./projects/api-keys.ts";
import { ensureDefaultProject } from "./projects/default-project.ts";
import { registerKeyRoutes } from "./projects/key-routes.ts";
import { registerProviderAppRoutes } from "./provider-apps/provider-app-routes.ts";
import { explainError } from "./remedies/explain-failure.ts";
import { registerSubscriptionRoutes } from "./subscriptions/subscription-routes.ts";
import { startSyncWorkers } from "./sync/sync-jobs.ts";
import { registerSyncRoutes } from "./sync/sync-routes.ts";
import { webhookEventsDocumented } from "./webhook-payloads.ts";
import { DELIVERY_ID_HEADER, EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER } from "./webhooks/signing.ts";
import { registerWebhooks } from "./webhooks/webhook-module.ts";
import { startWriteWorkers } from "./writes/write-jobs.ts";
import { startWriteRetention } from "./writes/write-retention.ts";
import { registerWriteRoutes } from "./writes/write-routes.ts";

export const VERSION = "0.1.0";

export interface RunningServer {
  app: FastifyInstance;
  platform: Platform;
  url: string;
  /** The key made for the default project on the very first start, to print once. */
  firstKey: CreatedKey | null;
  /**
   * Stops at once for idle connections (a browser tab keeps one open for minutes); requests in
   * flight get `graceMs` (10 s by default) to finish before their connections are cut.
   */
  close(options?: ShutdownOptions): Promise<void>;
}

export interface ShutdownOptions {
  graceMs?: number;
  /** Told how many requests it waits for, when there are any. */
  onWait?: (openRequests: number, graceMs: number) => void;
}

const SHUTDOWN_GRACE_MS = 10_000;

/** Route modules of each capability, added inside the API-key scope or as public pages. */
export type RouteModule = (app: FastifyInstance, platform: Platform) => void | Promise<void>;
export const apiRouteModules: RouteModule[] = [(app, p) => registerKeyRoutes(app, p.db, p.clock, p.verifier)];
apiRouteModules.push(registerProviderAppRoutes);
apiRouteModules.push(registerConnectSessionRoutes, registerConnectionRoutes);
apiRouteModules.push(registerWebhooks);
apiRouteModules.push(registerChecklistRoutes, (_app, p) => startDailyChecklist(p));
apiRouteModules.push(registerIntegrationRoutes, registerSyncRoutes, (_app, p) =>
  p.config.sync.workers > 0 ? startSyncWorkers(p, { concurrency: p.config.sync.workers }) : undefined,
);
apiRouteModules.push(registerSubscriptionRoutes);
apiRouteModules.push(registerWriteRoutes, (_app, p) => startWriteRetention(p));
apiRouteModules.push((_app, p) =>
  p.config.writes.workers > 0 ? startWriteWorkers(p, { concurrency: p.config.writes.workers }) : undefined,
);
apiRouteModules.push(registerActivityRoutes, (_app, p) => startActivityRetention(p));
export const publicRouteModules: RouteModule[] = [
  registerConnectRoutes,
  (app) => registerConnectHelperRoute(app),
  (app) => registerManifestSchemaRoute(app),
];
publicRouteModules.push(registerConsole);

/** `forcelink serve`: the HTTP API, the connect pages and the job workers in one process. */
export async function startServer(
  config: Config,
  options: { logger?: Logger; listen?: boolean; clock?: Clock } = {},
): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const platform = await openPlatform(config, logger, { clock: options.clock });
  try {
    if (platform.key.source === "generated") {
      logger.warn(
        { path: platform.key.path },
        "generated a secret key for sealing tokens and secrets; back it up with the data directory",
      );
    }
    const firstKey = platform.database.kind === "pglite" ? await ensureDefaultProject(platform.db) : null;
    const app = await createHttpApp(logger, {
      publicUrl: config.publicUrl,
      version: VERSION,
      intercept: createProxyHandler(platform),
      explain: (failure) => explainError(failure),
      document: {
        paths: proxyPathDocument(),
        webhooks: webhookEventsDocumented(),
        webhookHeaders: {
          [SIGNATURE_HEADER]:
            "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<raw body>')> (one v1 per valid secret)",
          [EVENT_ID_HEADER]: "The event's id, the same on every retry",
          [EVENT_TYPE_HEADER]: "The event's type",
          [DELIVERY_ID_HEADER]: "This delivery's id (one per endpoint and event)",
        },
      },
    });
    app.get("/healthz", { schema: { hide: true } }, async () => ({ ok: true, storage: platform.database.kind }));
    for (const register of publicRouteModules) await register(app, platform);
    await app.register(
      async (scope) => {
        requireApiKey(scope, platform.verifier);
        for (const register of apiRouteModules) await register(scope, platform);
      },
      { prefix: "/v1" },
    );
    const inFlight = trackRequests(app);
    let url = config.publicUrl;
    if (options.listen !== false) {
      const address = await app.listen({ host: config.host, port: config.port });
      if (config.port === 0) {
        // Tests listen on a free port: callback URLs must name the port actually taken.
        url = address;
        config.publicUrl = address;
      }
    } else {
      await app.ready();
    }
    return {
      app,
      platform,
      url,
      firstKey,
      close: async (shutdown = {}) => {
        await closeHttp(app, inFlight, shutdown);
        await platform.close();
      },
    };
  } catch (e) {
    await platform.close();
    throw e;
  }
}

interface HttpActivity {
  /** The requests being answered, proxy calls included (they never reach Fastify's hooks). */
  open: Set<ServerResponse>;
  /** Connections no request came on yet: browsers open them ahead of need and leave them. */
  unused: Set<Socket>;
  closing: boolean;
}

function trackRequests(app: FastifyInstance): HttpActivity {
  const state: HttpActivity = { open: new Set(), unused: new Set(), closing: false };
  app.server.on("connection", (socket: Socket) => {
    state.unused.add(socket);
    socket.once("close", () => state.unused.delete(socket));
  });
  app.server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    state.unused.delete(req.socket);
    state.open.add(res);
    res.once("close", () => {
      state.open.delete(res);
      // A keep-alive connection whose last request just ended would otherwise linger.
      if (state.closing) setImmediate(() => app.server.closeIdleConnections());
    });
  });
  return state;
}

async function closeHttp(app: FastifyInstance, inFlight: HttpActivity, options: ShutdownOptions): Promise<void> {
  const graceMs = options.graceMs ?? SHUTDOWN_GRACE_MS;
  inFlight.closing = true;
  const closed = app.close();
  // Node counts a connection idle only between requests, not before its first one.
  for (const socket of inFlight.unused) socket.destroy();
  app.server.closeIdleConnections();
  if (inFlight.open.size > 0) options.onWait?.(inFlight.open.size, graceMs);
  const cut = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearTimeout(cut);
  }
}
