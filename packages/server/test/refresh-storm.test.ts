// Acceptance: "Refresh storm: 500 concurrent proxied requests at the moment the token expires, spread
// over 4 server processes sharing PostgreSQL: the emulator counts exactly one token refresh, and no
// request fails."
import { DEMO, DEMO_SEED, type Org, type OrgAdmin, type RunningEmulator } from "@forcelink/emulator";
import { completeAuthorize, startDemoOrg } from "@forcelink/emulator/testing";
import { eq } from "drizzle-orm";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, createProject } from "../src/projects/api-keys.ts";
import { type Database, openDatabase } from "../src/store/database.ts";
import { connections } from "../src/store/schema.ts";
import { type StormServer, startStormServer } from "./support/child-process.ts";
import { serverEnv } from "./support/harness.ts";
import { freshStore, postgresOnly } from "./support/test-database.ts";

const PROCESSES = 4;
const PER_PROCESS = 125;
const TOKEN_ENDPOINT = "POST /services/oauth2/token";
const DESCRIBE_PATH = "/services/data/v67.0/sobjects/Account/describe";
/** Past the demo org's 2 h session timeout. */
const PAST_SESSION_TIMEOUT_MS = 2 * 3_600_000 + 60_000;

const baseDatabaseUrl = postgresOnly("The refresh storm across 4 server processes sharing PostgreSQL");

interface Outcome {
  server: string;
  status: number;
  name?: string;
  error?: string;
  ms: number;
}

interface StormReport {
  label: string;
  ms: number;
  p50: number;
  p99: number;
  tokenCalls: number;
  counters: Record<string, number>;
}

describe.runIf(baseDatabaseUrl)("refresh storm across 4 server processes on PostgreSQL", () => {
  let org: Org;
  let admin: OrgAdmin;
  let emulator: RunningEmulator | undefined;
  let storage: Awaited<ReturnType<typeof freshStore>> | undefined;
  let store: Database | undefined;
  const servers: StormServer[] = [];
  const agent = new Agent({ connections: PER_PROCESS * 2, keepAliveTimeout: 30_000, pipelining: 1 });
  let apiKey: string;
  let connectionId: string;
  const reports: StormReport[] = [];

  async function api(
    server: StormServer,
    path: string,
    init: { method?: string; body?: unknown } = {},
  ): Promise<Response> {
    return fetch(`${server.url}${path}`, {
      method: init.method ?? "GET",
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  }

  async function proxiedDescribe(server: StormServer): Promise<Outcome> {
    const started = performance.now();
    try {
      const res = await request(`${server.url}/v1/connections/${connectionId}/proxy${DESCRIBE_PATH}`, {
        dispatcher: agent,
        headers: { authorization: `Bearer ${apiKey}` },
      });
      const text = await res.body.text();
      const ms = performance.now() - started;
      if (res.statusCode !== 200) return { server: server.name, status: res.statusCode, error: text.slice(0, 300), ms };
      return { server: server.name, status: res.statusCode, name: (JSON.parse(text) as { name?: string }).name, ms };
    } catch (e) {
      return {
        server: server.name,
        status: 0,
        error: `${(e as Error).name}: ${(e as Error).message}`,
        ms: performance.now() - started,
      };
    }
  }

  /**
   * 125 proxied calls per process, all started in one synchronous loop, then awaited together.
   * `path` is how the token is expected to be renewed: "none" (it is fresh), "401" (calls go out
   * with the dead token and Salesforce's 401 triggers the refresh, so some describes are sent
   * twice), "expiry" (the servers see the token as expired and refresh before calling, so no
   * describe is sent twice).
   */
  async function storm(label: string, path: "none" | "401" | "expiry"): Promise<StormReport> {
    const expectedTokenCalls = path === "none" ? 0 : 1;
    org.counters.reset();
    const started = performance.now();
    const pending: Promise<Outcome>[] = [];
    for (let i = 0; i < PER_PROCESS; i++) for (const server of servers) pending.push(proxiedDescribe(server));
    const outcomes = await Promise.all(pending);
    const ms = Math.round(performance.now() - started);
    const counters = org.counters.snapshot().byEndpoint;
    const latencies = outcomes.map((o) => o.ms).sort((a, b) => a - b);
    const report: StormReport = {
      label,
      ms,
      p50: Math.round(latencies[Math.floor(latencies.length * 0.5)]),
      p99: Math.round(latencies[Math.floor(latencies.length * 0.99)]),
      tokenCalls: counters[TOKEN_ENDPOINT] ?? 0,
      counters,
    };
    reports.push(report);
    console.log(
      `refresh-storm ${label}: ${outcomes.length} calls in ${ms} ms (p50 ${report.p50} ms, p99 ${report.p99} ms)`,
      counters,
    );

    const failures = outcomes.filter((o) => o.status !== 200 || o.name !== "Account");
    expect(failures.slice(0, 10), `${failures.length} of ${outcomes.length} calls failed`).toEqual([]);
    expect(counters[TOKEN_ENDPOINT] ?? 0, "token calls at the emulator").toBe(expectedTokenCalls);
    const describes = counters["GET /services/data/:version/sobjects/:object/describe"] ?? 0;
    if (path === "401")
      expect(describes, "describes sent (some twice, after a 401)").toBeGreaterThan(PROCESSES * PER_PROCESS);
    else expect(describes, "describes sent (each once)").toBe(PROCESSES * PER_PROCESS);
    await expectConnectionHealthy(expectedTokenCalls);
    return report;
  }

  async function expectConnectionHealthy(expectedTokenCalls: number): Promise<void> {
    const res = await api(servers[0], `/v1/connections/${connectionId}`);
    expect(res.status).toBe(200);
    const view = (await res.json()) as { status: string; lastRefreshAt: string | null; statusReason: string | null };
    expect(view).toMatchObject({ status: "active", statusReason: null });
    if (expectedTokenCalls > 0) expect(view.lastRefreshAt).not.toBeNull();
    // The refresh lease is given back: no process still holds it.
    const [row] = await store!.db
      .select({
        leaseOwner: connections.leaseOwner,
        refreshFailing: connections.refreshFailing,
        reauth: connections.reauth,
      })
      .from(connections)
      .where(eq(connections.id, connectionId));
    expect(row).toEqual({ leaseOwner: null, refreshFailing: null, reauth: null });
  }

  beforeAll(async () => {
    ({ org, admin, emulator } = await startDemoOrg({ seed: DEMO_SEED }));
    org.apiUsage.limit = 10_000_000;
    storage = await freshStore("postgres", "forcelink_storm");
    const env = { ...serverEnv(storage.env, emulator), FORCELINK_HOST: "127.0.0.1" };
    // All four at once on an empty database: migrations are taken under an advisory lock.
    const started = await Promise.allSettled(
      Array.from({ length: PROCESSES }, (_, i) => startStormServer(`server-${i + 1}`, env)),
    );
    for (const s of started) if (s.status === "fulfilled") servers.push(s.value);
    const failed = started.filter((s) => s.status === "rejected");
    if (failed.length > 0)
      throw new Error(`server processes failed to start:\n${failed.map((f) => String(f.reason)).join("\n")}`);
    servers.sort((a, b) => a.name.localeCompare(b.name));

    store = await openDatabase({ dataDir: storage.env.FORCELINK_DATA_DIR, databaseUrl: storage.env.DATABASE_URL });
    const project = await createProject(store.db, "Refresh storm");
    apiKey = (await createApiKey(store.db, project.id, "storm")).key;

    // Connect through process 1 only: its public URL is the callback the emulator app accepts.
    const first = servers[0];
    const created = await api(first, "/v1/provider-apps", {
      method: "POST",
      body: {
        name: "Demo",
        kind: "external_client_app",
        clientId: DEMO.app.clientId,
        clientSecret: DEMO.app.clientSecret,
        scopes: ["api", "refresh_token", "id"],
      },
    });
    if (created.status !== 201) throw new Error(`provider app not created: ${created.status} ${await created.text()}`);
    const providerApp = (await created.json()) as { id: string; callbackUrl: string };
    const app = org.appByClientId(DEMO.app.clientId)!;
    admin.updateApp(app.id, { callbackUrls: [...app.callbackUrls, providerApp.callbackUrl] });

    const sessionRes = await api(first, "/v1/connect-sessions", {
      method: "POST",
      body: { providerAppId: providerApp.id, endUserId: "storm-customer" },
    });
    if (sessionRes.status !== 201)
      throw new Error(`connect session not created: ${sessionRes.status} ${await sessionRes.text()}`);
    const session = (await sessionRes.json()) as { id: string; url: string };
    const start = await fetch(session.url, {
      method: "POST",
      body: new URLSearchParams({ environment: "production" }),
      redirect: "manual",
    });
    if (start.status !== 303)
      throw new Error(`connect page did not redirect to Salesforce: ${start.status} ${await start.text()}`);
    const outcome = await completeAuthorize(
      start.headers.get("location")!,
      DEMO.integration.username,
      DEMO.integration.password,
    );
    const callback = await fetch(outcome.location);
    const callbackHtml = await callback.text();
    if (callback.status !== 200 || !callbackHtml.includes("Salesforce is connected")) {
      throw new Error(`callback did not connect: ${callback.status} ${callbackHtml.slice(0, 500)}`);
    }
    const status = (await (await api(first, `/v1/connect-sessions/${session.id}`)).json()) as {
      status: string;
      connectionId: string;
    };
    if (status.status !== "completed") throw new Error(`connect session is ${status.status}`);
    connectionId = status.connectionId;
  }, 120_000);

  afterAll(async () => {
    // Everything, whatever failed above: processes first (they hold database sessions), then the rest.
    const problems: unknown[] = [];
    const attempt = async (step: () => Promise<unknown> | undefined) => {
      try {
        await step();
      } catch (e) {
        problems.push(e);
      }
    };
    await Promise.all(servers.map((s) => attempt(() => s.stop())));
    await attempt(() => agent.close());
    await attempt(() => store?.close());
    await attempt(() => storage?.dispose());
    await attempt(() => emulator?.close());
    if (reports.length > 0)
      console.log(
        "refresh-storm timings:",
        reports.map(({ counters: _c, ...r }) => r),
      );
    if (problems.length > 0) throw new AggregateError(problems, "refresh-storm clean-up failed");
  }, 60_000);

  it("warms up: every process serves a proxied call with the stored credentials", async () => {
    const outcomes = await Promise.all(servers.map((s) => proxiedDescribe(s)));
    expect(outcomes.map((o) => [o.server, o.status, o.name ?? o.error])).toEqual(
      servers.map((s) => [s.name, 200, "Account"]),
    );
  }, 60_000);

  it("baseline: with a fresh token, 500 concurrent calls make no token call (timing reference)", async () => {
    await storm("fresh token (baseline)", "none");
  }, 120_000);

  it("401-driven: the emulator ends the session, 500 concurrent calls make exactly one token refresh", async () => {
    expect(org.sessions.expireAll()).toBeGreaterThan(0);
    await storm("session expired at Salesforce (401)", "401");
  }, 120_000);

  it("expiry-driven: 2 h pass on every clock, 500 concurrent calls make exactly one token refresh", async () => {
    // The servers learned the 2 h timeout; with their clocks moved too, they refresh before calling.
    org.clock.advance(PAST_SESSION_TIMEOUT_MS);
    await Promise.all(servers.map((s) => s.advanceClock(PAST_SESSION_TIMEOUT_MS)));
    await storm("token past its expiry on every clock", "expiry");
  }, 120_000);

  it("expiry at Salesforce alone: 2 h pass on the emulator's clock only, still exactly one token refresh", async () => {
    // The servers think the token is fresh; Salesforce's 401 for the timed-out session is the backstop.
    org.clock.advance(PAST_SESSION_TIMEOUT_MS);
    await storm("session timed out at Salesforce only (401)", "401");
  }, 120_000);
});
