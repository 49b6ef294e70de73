import { DEMO } from "@forcelink/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { safeDetails, safeMessage, WITHHELD } from "../src/activity/activity-details.ts";
import { pruneHistory } from "../src/activity/activity-retention.ts";
import { connectThroughPages, sessionStatus } from "./support/connect-pages.ts";
import { FAST_DELIVERY, type Harness, startHarness } from "./support/harness.ts";
import { type Receiver, startReceiver } from "./support/receiver.ts";
import { ACCOUNT_MANIFEST } from "./support/sync-records.ts";
import { suiteBackends } from "./support/test-database.ts";
import { waitFor } from "./support/wait.ts";
import { postWrite } from "./support/write-connection.ts";

interface Row {
  id: string;
  connectionId: string | null;
  kind: string;
  level: string;
  message: string;
  details: Record<string, unknown>;
  at: string;
}
interface Page {
  data: Row[];
  nextCursor: string | null;
}

const DAY_MS = 86_400_000;
const backends = suiteBackends();

async function page(h: Harness, query: string): Promise<{ status: number; body: Page & { error?: unknown } }> {
  const res = await h.api(`/v1/activity${query}`);
  return { status: res.status, body: (await res.json()) as Page };
}

/** Every row of the connection, oldest first, read page by page. */
async function timeline(h: Harness, connectionId: string, limit = 3): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: string | null = null;
  do {
    const q: string = `?connectionId=${connectionId}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`;
    const { status, body } = await page(h, q);
    expect(status, JSON.stringify(body)).toBe(200);
    rows.push(...body.data);
    cursor = body.nextCursor;
  } while (cursor);
  return rows.reverse();
}

describe.each(backends)("the activity log of the demo connection (%s)", (backend) => {
  let h: Harness;
  let receiver: Receiver;
  let webhookSecret: string;
  let connectionId: string;

  beforeAll(async () => {
    h = await startHarness({ backend, accounts: 5, delivery: FAST_DELIVERY, env: { FORCELINK_SYNC_WORKERS: "1" } });
    receiver = await startReceiver();
    const hook = await h.api("/v1/webhooks", { method: "POST", body: { url: receiver.url, events: ["*"] } });
    expect(hook.status).toBe(201);
    webhookSecret = ((await hook.json()) as { secret: string }).secret;
    const app = await h.demoProviderApp();
    // Connect: the connect pages, Salesforce's sign-in, the callback, and the checklist it runs.
    const run = await connectThroughPages(h, { providerAppId: app.id, endUserId: "activity-customer" });
    expect(run.result.status).toBe(200);
    connectionId = (await sessionStatus(h, run.session.id)).connectionId!;
    // A forced token refresh: Salesforce ends every session, the next call renews the token.
    h.org.sessions.expireAll();
    const limits = await h.api(`/v1/connections/${connectionId}/proxy/services/data/v67.0/limits`);
    expect(limits.status).toBe(200);
    // A sync run, asked for through the API and run by the server's worker.
    const uploaded = await h.api("/v1/integrations", {
      method: "POST",
      body: ACCOUNT_MANIFEST,
      headers: { "content-type": "application/yaml" },
    });
    expect(uploaded.status).toBe(201);
    const integration = ((await uploaded.json()) as { id: string }).id;
    const installed = await h.api(`/v1/connections/${connectionId}/integrations`, {
      method: "POST",
      body: { integration, startNow: false },
    });
    expect(installed.status).toBe(201);
    expect((await h.api(`/v1/connections/${connectionId}/syncs/Account`, { method: "POST" })).status).toBe(202);
    await waitFor(async () => (await timeline(h, connectionId, 200)).some((r) => r.kind === "sync_run"), "sync run");
    // A write of two Accounts, run within the request.
    const write = await postWrite(h, connectionId, {
      object: "Account",
      operation: "insert",
      records: [{ Name: "Activity One" }, { Name: "Activity Two" }],
    });
    expect(write.status, JSON.stringify(write.body)).toBe(200);
    // A proxied call Salesforce refuses.
    const bad = await h.api(`/v1/connections/${connectionId}/proxy/services/data/v67.0/query?q=SELEKT+Id`);
    expect(bad.status).toBe(400);
    await waitFor(async () => (await timeline(h, connectionId, 200)).some((r) => r.kind === "proxy_error"), "proxy");
    await waitFor(() => receiver.events.length > 0, "a delivered webhook");
    await waitFor(
      async () => (await timeline(h, connectionId, 200)).some((r) => r.kind === "webhook_delivery"),
      "delivery row",
    );
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  it("shows its connect, its checklist, the forced token refresh and the sync run, in order", async () => {
    const rows = await timeline(h, connectionId);
    const seen = rows.filter((r) => ["connect", "checklist_run", "token_refresh", "sync_run"].includes(r.kind));
    expect(seen.map((r) => r.kind)).toEqual(["connect", "checklist_run", "token_refresh", "sync_run"]);
    const [connect, checklist, refresh, sync] = seen;
    expect(connect).toMatchObject({
      level: "info",
      details: { endUserId: "activity-customer", authFlow: "web_server" },
    });
    expect(connect.message).toMatch(/^Connected org 00D/);
    expect(checklist.details).toMatchObject({ passed: true });
    expect(refresh).toMatchObject({ level: "info", message: "Access token renewed", details: { outcome: "renewed" } });
    expect(sync).toMatchObject({ level: "info", details: { object: "Account", status: "completed", recordsRead: 5 } });
    for (const r of rows) expect(r.connectionId).toBe(connectionId);
    const times = rows.map((r) => Date.parse(r.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it("records the proxy's refused call and the webhook deliveries, without the query's text", async () => {
    const rows = await timeline(h, connectionId, 200);
    const proxy = rows.find((r) => r.kind === "proxy_error")!;
    expect(proxy).toMatchObject({
      level: "warn",
      details: { method: "GET", path: "/services/data/v67.0/query", status: 400, salesforceCode: "MALFORMED_QUERY" },
    });
    const delivery = rows.find((r) => r.kind === "webhook_delivery")!;
    expect(delivery).toMatchObject({ level: "info", details: { outcome: "delivered", statusCode: 200 } });
  });

  it("records the write with its counts", async () => {
    const rows = await timeline(h, connectionId, 200);
    const write = rows.find((r) => r.kind === "write")!;
    expect(write).toMatchObject({
      level: "info",
      details: { object: "Account", operation: "insert", status: "completed", counts: { succeeded: 2, failed: 0 } },
    });
    expect(write.message).toMatch(/completed: 2 succeeded, 0 failed/);
  });

  it("records a grant Salesforce revoked: the refused refresh, then the proxy's 409", async () => {
    const app = await h.demoProviderApp();
    const before = new Set(h.org.sessions.grants.keys());
    const run = await connectThroughPages(h, { providerAppId: app.id, endUserId: "activity-revoked" });
    const revoked = (await sessionStatus(h, run.session.id)).connectionId!;
    // Only this connection's grant: the demo connection keeps working for the tests after this one.
    const issued = [...h.org.sessions.grants.keys()].filter((k) => !before.has(k));
    expect(issued).toHaveLength(1);
    h.org.sessions.revokeAllFor((g) => g.refreshToken === issued[0]);
    h.org.sessions.expireAll((session) => session.refreshToken === issued[0]);
    const answer = await h.api(`/v1/connections/${revoked}/proxy/services/data/v67.0/limits`);
    expect(answer.status).toBe(409);
    const rows = await timeline(h, revoked, 200);
    const refusal = rows.find((r) => r.kind === "token_refresh")!;
    expect(refusal).toMatchObject({ level: "error", details: { outcome: "needs_reauth", error: "invalid_grant" } });
    expect(refusal.message).toMatch(/must connect again/);
    const proxy = rows.find((r) => r.kind === "proxy_error")!;
    expect(proxy).toMatchObject({
      level: "warn",
      details: { status: 409, code: "connection_needs_reauth", source: "forcelink" },
    });
    expect(rows.indexOf(refusal)).toBeLessThan(rows.indexOf(proxy));
  });

  it("holds no token or secret of the demo in any row", async () => {
    const secrets = [
      DEMO.app.clientSecret,
      DEMO.admin.password,
      DEMO.integration.password,
      h.apiKey,
      webhookSecret,
      h.env.FORCELINK_SECRET_KEY,
      ...h.org.sessions.sessions.keys(),
      ...h.org.sessions.grants.keys(),
    ].filter((s): s is string => typeof s === "string" && s.length > 0);
    expect(secrets.length).toBeGreaterThan(6);
    const all = await h.sql("select * from activity");
    expect(all.length).toBeGreaterThanOrEqual(6);
    const text = JSON.stringify(all);
    for (const secret of secrets) expect(text.includes(secret), `a row holds ${secret.slice(0, 6)}…`).toBe(false);
    // Nor anything shaped like a Salesforce session id.
    expect(text).not.toMatch(/00D[A-Za-z0-9]{12,15}![\w.]{20,}/);
  });

  it("filters by kind and level, and another project sees none of it", async () => {
    const refreshes = await page(h, "?kind=token_refresh");
    expect(refreshes.status).toBe(200);
    expect(refreshes.body.data.length).toBeGreaterThan(0);
    for (const r of refreshes.body.data) expect(r.kind).toBe("token_refresh");
    const warnings = await page(h, `?connectionId=${connectionId}&level=warn`);
    expect(warnings.body.data.map((r) => r.kind)).toContain("proxy_error");
    for (const r of warnings.body.data) expect(r.level).toBe("warn");
    const other = await h.addProject("other");
    const res = await fetch(`${h.server.url}/v1/activity?connectionId=${connectionId}`, {
      headers: { authorization: `Bearer ${other.key}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Page).data).toEqual([]);
  });

  it.each([
    ["?level=loud", "level"],
    ["?kind=coffee", "kind"],
    ["?limit=0", "limit"],
    ["?limit=many", "limit"],
    ["?cursor=bm90LW91cnM", "cursor"],
    ["?colour=blue", "colour"],
  ])("refuses %s with a 400 naming %s", async (query, named) => {
    const res = await page(h, query);
    expect(res.status).toBe(400);
    const error = (res.body as unknown as { error: { code: string; message: string; remedy?: string } }).error;
    expect(error.code).toMatch(/^[a-z_]+$/);
    expect(`${error.message} ${error.remedy ?? ""}`).toContain(named);
  });

  it("prunes rows, settled deliveries and finished runs past the retention, on an hourly schedule", async () => {
    const count = async (table: string) =>
      Number((await h.sql<{ n: number }>(`select count(*)::int as n from ${table}`))[0].n);
    const before = { activity: await count("activity"), deliveries: await count("webhook_deliveries") };
    expect(before.activity).toBeGreaterThan(0);
    expect(await pruneHistory(h.server.platform)).toEqual({ activity: 0, deliveries: 0, syncRuns: 0 });
    // A second run, so the first is no longer the object's last one (which is kept).
    expect((await h.api(`/v1/connections/${connectionId}/syncs/Account`, { method: "POST" })).status).toBe(202);
    await waitFor(
      async () => (await timeline(h, connectionId, 200)).filter((r) => r.kind === "sync_run").length === 2,
      "second run",
    );
    await waitFor(
      async () => (await h.sql("select id from webhook_deliveries where status = 'pending'")).length === 0,
      "settled",
    );
    h.clock.advance(31 * DAY_MS);
    const pruned = await pruneHistory(h.server.platform);
    expect(pruned.activity).toBeGreaterThanOrEqual(before.activity);
    expect(pruned.deliveries).toBeGreaterThanOrEqual(before.deliveries);
    expect(pruned.syncRuns).toBe(1);
    expect(await count("activity")).toBe(0);
    expect(await count("sync_runs")).toBe(1);
    const schedules = await h.sql("select name from pgboss.schedule where name = 'activity-prune'");
    expect(schedules).toHaveLength(1);
  });
});

describe("what an activity row keeps of its details", () => {
  it.each([
    [{ accessToken: "abc" }, { accessToken: WITHHELD }],
    [{ nested: { client_secret: "s3cr3t", ok: 1 } }, { nested: { client_secret: WITHHELD, ok: 1 } }],
    [{ value: "00D000000000001!AQsomething.long" }, { value: WITHHELD }],
    [{ list: ["fine", "fl_sk_live_123"] }, { list: ["fine", WITHHELD] }],
    [{ header: "Bearer xyz" }, { header: WITHHELD }],
    [
      { refreshTokenRotated: true, count: 3 },
      { refreshTokenRotated: true, count: 3 },
    ],
    [{ when: new Date(0) }, { when: "1970-01-01T00:00:00.000Z" }],
  ])("%j is stored as %j", (input, stored) => {
    expect(safeDetails(input as Record<string, unknown>)).toEqual(stored);
  });

  it("withholds secret-shaped words of a message and keeps the rest", () => {
    expect(safeMessage("refused token 00D000000000001!AQabc.def, try again")).toBe(
      `refused token ${WITHHELD} try again`,
    );
    expect(safeMessage("Access token renewed")).toBe("Access token renewed");
  });
});
