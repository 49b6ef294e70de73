import { DEMO } from "@forcelink/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectionView, connectThroughPages, sessionStatus } from "./support/connect-pages.ts";
import { type Harness, startHarness } from "./support/harness.ts";
import { registerWebhook, startReceiver } from "./support/receiver.ts";
import { sleep, waitFor } from "./support/wait.ts";

let h: Harness;
let providerAppId: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let webhookId: string;
let customers = 0;

beforeAll(async () => {
  h = await startHarness({ accounts: 5, logs: true });
  providerAppId = (await h.demoProviderApp()).id;
  receiver = await startReceiver();
  webhookId = await registerWebhook(h, receiver.url);
});
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

const LIMITS = "/services/data/v67.0/limits";
const proxy = (id: string, path = LIMITS) => h.api(`/v1/connections/${id}/proxy${path}`);

/** A fresh connection of the integration user through the connect pages; answers its id and refresh token. */
async function connectCustomer(): Promise<{ id: string; refreshToken: string }> {
  const grantsBefore = new Set(h.org.sessions.grants.keys());
  const run = await connectThroughPages(h, { providerAppId, endUserId: `lifecycle-${++customers}` });
  expect(run.result.status).toBe(200);
  const id = (await sessionStatus(h, run.session.id)).connectionId!;
  const issued = [...h.org.sessions.grants.keys()].filter((k) => !grantsBefore.has(k));
  expect(issued).toHaveLength(1);
  const warm = await proxy(id);
  expect(warm.status).toBe(200);
  return { id, refreshToken: issued[0] };
}

describe("a session Salesforce ends in the middle of use", () => {
  it("is renewed once, and 20 concurrent callers all get their answer", async () => {
    const { id } = await connectCustomer();
    h.org.sessions.expireAll();
    const before = h.tokenCalls();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        proxy(id, `/services/data/v67.0/query?q=${encodeURIComponent(`SELECT Id FROM Account LIMIT ${(i % 5) + 1}`)}`),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const bodies = (await Promise.all(answers.map((a) => a.json()))) as Array<{ records: unknown[] }>;
    for (const [i, b] of bodies.entries()) expect(b.records).toHaveLength((i % 5) + 1);
    expect(h.tokenCalls() - before).toBe(1);
    const conn = await connectionView(h, id);
    expect(conn).toMatchObject({ status: "active", hasRefreshToken: true });
    expect(conn.lastRefreshAt).not.toBeNull();
  });
});

describe("Salesforce's token endpoint down during a refresh", () => {
  it("reports refresh_failed, answers 503 meanwhile, and recovers on its own once Salesforce is back", async () => {
    const { id } = await connectCustomer();
    h.org.faults.configure({ errorRate: 1, errorStatus: 503, pathContains: "/oauth2/token" });
    try {
      h.org.sessions.expireAll();
      const failing = await proxy(id);
      expect(failing.status).toBe(503);
      const body = (await failing.json()) as { error: { code: string; message: string; remedy: string } };
      expect(body.error.code).toBe("salesforce_unavailable");
      expect(body.error.remedy).toMatch(/retries on its own/);
      const conn = await connectionView(h, id);
      expect(conn.status).toBe("error");
      expect(conn.statusReason).toBeTruthy();
      await waitFor(() => receiver.ofType("connection.refresh_failed", id).length > 0, "connection.refresh_failed");
    } finally {
      h.org.faults.reset();
    }
    // The next refresh round waits out its backoff (at most 5 s for the first failure).
    const ok = await waitFor(
      async () => {
        if ((await proxy(id)).status === 200) return true;
        await sleep(250);
        return false;
      },
      "a proxied call to succeed again",
      20_000,
    );
    expect(ok).toBe(true);
    const recovered = await waitFor(() => receiver.ofType("connection.recovered", id)[0], "connection.recovered");
    expect(recovered.data).toMatchObject({ connectionId: id, failures: 1 });
    expect(receiver.ofType("connection.refresh_failed", id)).toHaveLength(1);
    expect(receiver.ofType("connection.needs_reauth", id)).toHaveLength(0);
    expect(await connectionView(h, id)).toMatchObject({ status: "active", statusReason: null });
  });
});

describe("deleting a connection", () => {
  it("revokes its grant at Salesforce and removes it from the API", async () => {
    const { id, refreshToken } = await connectCustomer();
    expect(h.org.sessions.grants.get(refreshToken)!.revoked).toBe(false);

    const res = await h.api(`/v1/connections/${id}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    expect(h.org.sessions.grants.get(refreshToken)!.revoked).toBe(true);
    // The refresh token no longer works at Salesforce.
    const refresh = await fetch(`${h.emulator.urls.login}/services/oauth2/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: refreshToken,
        client_id: DEMO.app.clientId,
        client_secret: DEMO.app.clientSecret,
      }),
    });
    expect(refresh.status).toBe(400);
    expect(await refresh.json()).toMatchObject({ error: "invalid_grant" });

    const gone = await h.api(`/v1/connections/${id}`);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe("not_found");
    const list = (await (await h.api(`/v1/connections?endUserId=lifecycle-${customers}`)).json()) as {
      data: unknown[];
    };
    expect(list.data).toEqual([]);
    // Right after the delete, a proxied call must say the connection is gone, not fail with a 500.
    const proxied = await proxy(id);
    expect.soft(proxied.status, `proxy right after DELETE answered ${await proxied.clone().text()}`).toBe(404);
    const deleted = await waitFor(() => receiver.ofType("connection.deleted", id)[0], "connection.deleted");
    expect(deleted.data).toMatchObject({ connectionId: id, tokenRevoked: true });
    // Once the proxy's short row memory (5 s) has passed, the connection is unknown to it too.
    await sleep(5_500);
    const later = await proxy(id);
    expect(later.status).toBe(404);
    expect(((await later.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });
});

describe("a refresh token Salesforce revoked", () => {
  it("answers 409 with a remedy, marks the connection, reports once, and stops calling Salesforce", async () => {
    const { id } = await connectCustomer();
    h.org.sessions.revokeAllFor(() => true);
    h.org.sessions.expireAll();

    const first = await proxy(id);
    expect(first.status).toBe(409);
    const body = (await first.json()) as { error: { code: string; message: string; remedy: string } };
    expect(body.error.code).toBe("connection_needs_reauth");
    expect(body.error.message).toMatch(/must connect again.*expired access\/refresh token/);
    expect(body.error.remedy).toMatch(/POST \/v1\/connect-sessions/);

    const conn = await connectionView(h, id);
    expect(conn.status).toBe("needs_reauth");
    expect(conn.statusReason).toBe("expired access/refresh token");
    expect(conn.reauth).toMatchObject({ error: "invalid_grant", description: "expired access/refresh token" });

    const tokenCalls = h.tokenCalls();
    const more = [...(await Promise.all(Array.from({ length: 5 }, () => proxy(id))))];
    for (let i = 0; i < 5; i++) more.push(await proxy(id));
    expect(more.map((r) => r.status)).toEqual(Array(10).fill(409));
    expect(h.tokenCalls()).toBe(tokenCalls);

    const event = await waitFor(() => receiver.ofType("connection.needs_reauth", id)[0], "connection.needs_reauth");
    expect(event.data).toMatchObject({
      connectionId: id,
      reason: { error: "invalid_grant", description: "expired access/refresh token" },
      reconnect: { method: "POST", path: "/v1/connect-sessions", body: { connectionId: id } },
    });
    // Give any duplicate time to arrive, then count: deliveries recorded and events received.
    await sleep(2_000);
    expect(receiver.ofType("connection.needs_reauth", id)).toHaveLength(1);
    const deliveries = (await (await h.api(`/v1/webhooks/${webhookId}/deliveries?limit=100`)).json()) as {
      data: Array<{ eventType: string }>;
    };
    expect(deliveries.data.filter((d) => d.eventType === "connection.needs_reauth")).toHaveLength(1);
    expect(h.tokenCalls()).toBe(tokenCalls);
  });
});
