import {
  InstancePools,
  introspectAsApp,
  jwtBearerToken,
  type OAuthFailure,
  type RefreshedInfo,
  renewWithClientCredentials,
  renewWithRefreshToken,
  SalesforceClient,
  TokenLifecycle,
  type TokenRenewal,
} from "@forcelink/salesforce";
import { eq } from "drizzle-orm";
import type { Clock } from "../platform/clock.ts";
import type { ConnectionTokenService, Platform } from "../platform/platform.ts";
import {
  getProviderAppById,
  openProviderAppSecrets,
  type ProviderAppRow,
} from "../provider-apps/provider-app-store.ts";
import { connections } from "../store/schema.ts";
import { emitEvent } from "../webhooks/emit.ts";
import { jwtGrantOf } from "./connection-grant.ts";
import { type ConnectionRow, explainReauth, findConnection } from "./connection-store.ts";
import { DbCredentialStore } from "./credential-store.ts";
import { refreshActivity } from "./refresh-activity.ts";

/**
 * Whose lifecycle renews a connection: the provider app's, per flow, except for JWT bearer, whose
 * renewal carries the connection's own grant (subject, audience, host), so each connection has its own.
 */
function lifecycleScope(conn: Pick<ConnectionRow, "id" | "providerAppId" | "authFlow">): string {
  const scope = `${conn.providerAppId}:${conn.authFlow}`;
  return conn.authFlow === "jwt_bearer" ? `${scope}:${conn.id}` : scope;
}

/** What a connection's token renewal depends on; a change (a rotated secret) means a new lifecycle. */
function lifecycleKey(conn: Pick<ConnectionRow, "id" | "providerAppId" | "authFlow">, app: ProviderAppRow): string {
  return `${lifecycleScope(conn)}@${app.updatedAt.getTime()}`;
}

/** How long a provider app row is trusted without reading it again (a rotated secret shows up after this). */
const APP_CACHE_MS = 5_000;
const ROW_CACHE_MS = 5_000;
/** How often a connection's API usage is written back, at most. */
const USAGE_WRITE_MS = 10_000;

/**
 * Keeps every connection's token fresh for this process: one TokenLifecycle per provider app and
 * flow (single flight inside the process, the database lease across processes), clients that
 * share keep-alive pools, and webhooks for what happens to a connection on the way. `openPlatform`
 * builds the process's one instance (`platform.tokens`); its clock is the platform's.
 */
export class ConnectionTokens implements ConnectionTokenService {
  private readonly platform: Platform;
  private readonly clock: Clock;
  private readonly store: DbCredentialStore;
  private readonly pools = new InstancePools({ connections: 64 });
  private readonly lifecycles = new Map<string, TokenLifecycle>();
  private readonly building = new Map<string, Promise<TokenLifecycle>>();
  private readonly usageWrittenAt = new Map<string, number>();
  /** Provider apps by id, briefly: the proxy's hot path must not query the store on every call. */
  private readonly apps = new Map<string, { app: ProviderAppRow; until: number }>();
  private readonly clients = new Map<string, { key: string; client: SalesforceClient }>();
  private readonly rows = new Map<string, { row: ConnectionRow; until: number }>();

  constructor(platform: Platform) {
    this.platform = platform;
    this.clock = platform.clock;
    this.store = new DbCredentialStore(platform.db, platform.sealer, platform.clock);
  }

  private async app(id: string): Promise<ProviderAppRow> {
    const cached = this.apps.get(id);
    if (cached && cached.until > this.clock.nowMs()) return cached.app;
    const app = await getProviderAppById(this.platform, id);
    if (!app) throw new Error(`provider app ${id} is gone`);
    this.apps.set(id, { app, until: this.clock.nowMs() + APP_CACHE_MS });
    return app;
  }

  async lifecycleFor(conn: ConnectionRow): Promise<TokenLifecycle> {
    const app = await this.app(conn.providerAppId);
    const key = lifecycleKey(conn, app);
    let lifecycle = this.lifecycles.get(key);
    if (!lifecycle) {
      // Built once per key even when many first calls arrive together: single flight needs one lifecycle.
      let building = this.building.get(key);
      if (!building) {
        building = this.buildLifecycle(conn, app).finally(() => this.building.delete(key));
        this.building.set(key, building);
      }
      lifecycle = await building;
    }
    return lifecycle;
  }

  private async buildLifecycle(conn: ConnectionRow, app: ProviderAppRow): Promise<TokenLifecycle> {
    const key = lifecycleKey(conn, app);
    const secrets = await openProviderAppSecrets(this.platform, app);
    const appCredentials = { clientId: app.clientId, clientSecret: secrets.clientSecret };
    const lifecycle = new TokenLifecycle({
      store: this.store,
      renew: this.renewal(conn, app, secrets),
      introspect: introspectAsApp(appCredentials),
      processName: this.platform.processId,
      now: this.clock.nowMs,
      hooks: this.hooks(conn.projectId),
    });
    for (const [k] of this.lifecycles) if (k.startsWith(`${lifecycleScope(conn)}@`)) this.lifecycles.delete(k);
    this.lifecycles.set(key, lifecycle);
    return lifecycle;
  }

  /** A client bound to the connection's instance, with its token kept fresh. */
  async clientFor(conn: ConnectionRow): Promise<SalesforceClient> {
    const key = lifecycleKey(conn, await this.app(conn.providerAppId));
    const cached = this.clients.get(conn.id);
    if (cached && cached.key === key) return cached.client;
    const lifecycle = await this.lifecycleFor(conn);
    const client = new SalesforceClient({
      tokens: lifecycle.tokenProvider(conn.id),
      pools: this.pools,
      now: this.clock.nowMs,
      onUsage: (used, max) => this.recordUsage(conn.id, used, max),
    });
    this.clients.set(conn.id, { key, client });
    return client;
  }

  /**
   * A client of its own for a job (a sync run): the same tokens and pools, and every answer's
   * quota header handed to `onAnswer` too, which is how a run counts its API calls.
   */
  async jobClient(conn: ConnectionRow, onAnswer: (used: number, max: number) => void): Promise<SalesforceClient> {
    const lifecycle = await this.lifecycleFor(conn);
    return new SalesforceClient({
      tokens: lifecycle.tokenProvider(conn.id),
      pools: this.pools,
      now: this.clock.nowMs,
      onUsage: (used, max) => {
        onAnswer(used, max);
        this.recordUsage(conn.id, used, max);
      },
    });
  }

  /**
   * A connection of a project, remembered briefly: its project, app and flow don't change, so the
   * proxy's hot path need not query the store on every call.
   */
  async connection(projectId: string, id: string): Promise<ConnectionRow | undefined> {
    const key = `${projectId}:${id}`;
    const cached = this.rows.get(key);
    if (cached && cached.until > this.clock.nowMs()) return cached.row;
    const row = await findConnection(this.platform, projectId, id);
    if (row) this.rows.set(key, { row, until: this.clock.nowMs() + ROW_CACHE_MS });
    else this.rows.delete(key);
    return row;
  }

  /** The connection's row and client when both are fresh in memory, else undefined (connection() and clientFor()). */
  cachedProxyTarget(projectId: string, id: string): { row: ConnectionRow; client: SalesforceClient } | undefined {
    const now = this.clock.nowMs();
    const row = this.rows.get(`${projectId}:${id}`);
    if (!row || row.until <= now) return undefined;
    const app = this.apps.get(row.row.providerAppId);
    if (!app || app.until <= now) return undefined;
    const client = this.clients.get(id);
    if (!client || client.key !== lifecycleKey(row.row, app.app)) return undefined;
    return { row: row.row, client: client.client };
  }

  /** Drops what this process keeps about a deleted connection. */
  forget(connectionId: string): void {
    for (const key of this.rows.keys()) if (key.endsWith(`:${connectionId}`)) this.rows.delete(key);
    this.clients.delete(connectionId);
    for (const key of this.lifecycles.keys()) if (key.includes(`:${connectionId}@`)) this.lifecycles.delete(key);
    for (const lifecycle of this.lifecycles.values()) lifecycle.forget(connectionId);
  }

  async close(): Promise<void> {
    await this.pools.close();
  }

  private renewal(
    conn: ConnectionRow,
    app: ProviderAppRow,
    secrets: { clientSecret: string; jwtPrivateKey?: string | null },
  ): TokenRenewal {
    if (conn.authFlow === "client_credentials")
      return renewWithClientCredentials({ clientId: app.clientId, clientSecret: secrets.clientSecret });
    if (conn.authFlow === "jwt_bearer") {
      const grant = jwtGrantOf(conn, this.platform.hosts, app.jwtUsername);
      return () =>
        jwtBearerToken({
          loginUrl: grant.audience,
          tokenBaseUrl: grant.tokenHost,
          clientId: app.clientId,
          username: grant.subject,
          privateKey: secrets.jwtPrivateKey ?? "",
          now: this.clock.nowMs(),
        });
    }
    return renewWithRefreshToken({
      clientId: app.clientId,
      clientSecret: secrets.clientSecret,
      hosts: this.platform.hosts,
    });
  }

  private hooks(projectId: string) {
    const { platform } = this;
    return {
      onRefreshed: async (connectionId: string, info: RefreshedInfo) => {
        await platform.db
          .update(connections)
          .set({ lastRefreshAt: platform.clock.now() })
          .where(eq(connections.id, connectionId));
        await platform.activity.record(refreshActivity.renewed(projectId, connectionId, info));
      },
      onTerminalFailure: async (
        connectionId: string,
        reason: { error: string; reason?: string; description: string; checklistItem?: string; remedy?: string },
      ) => {
        await platform.activity.record(refreshActivity.refused(projectId, connectionId, reason));
        await emitEvent(platform, projectId, "connection.needs_reauth", {
          connectionId,
          reason: {
            error: reason.error,
            description: reason.description,
            reason: reason.reason ?? null,
            checklistItem: reason.checklistItem ?? null,
            remedy: reason.remedy ?? null,
          },
          check: (await explainReauth(platform, connectionId, reason)) ?? null,
          reconnect: { method: "POST", path: "/v1/connect-sessions", body: { connectionId } },
        });
      },
      onTransientFailure: async (
        connectionId: string,
        info: { error: string; description: string; failures: number; nextAttemptAt: number },
      ) => {
        await platform.activity.record(refreshActivity.failing(projectId, connectionId, info));
        // Once per streak: the customer hears it is failing, and later that it recovered.
        if (info.failures !== 1) return;
        await emitEvent(platform, projectId, "connection.refresh_failed", {
          connectionId,
          error: info.error,
          description: info.description,
          nextAttemptAt: new Date(info.nextAttemptAt).toISOString(),
        });
      },
      onRecovered: async (connectionId: string, info: { failingSince: number; failures: number }) => {
        await platform.activity.record(refreshActivity.recovered(projectId, connectionId, info));
        await emitEvent(platform, projectId, "connection.recovered", {
          connectionId,
          failingSince: new Date(info.failingSince).toISOString(),
          failures: info.failures,
        });
      },
      onConfigurationFailure: async (connectionId: string, failure: OAuthFailure) => {
        await platform.activity.record(refreshActivity.appRefused(projectId, connectionId, failure));
      },
      onHookError: (error: unknown) => platform.logger.error({ err: error }, "connection hook failed"),
    };
  }

  private recordUsage(connectionId: string, used: number, max: number): void {
    const now = this.clock.nowMs();
    if (now - (this.usageWrittenAt.get(connectionId) ?? 0) < USAGE_WRITE_MS) return;
    this.usageWrittenAt.set(connectionId, now);
    this.platform.db
      .update(connections)
      .set({ apiUsed: used, apiMax: max })
      .where(eq(connections.id, connectionId))
      .catch((err: unknown) => this.platform.logger.warn({ err }, "could not record API usage"));
  }
}
