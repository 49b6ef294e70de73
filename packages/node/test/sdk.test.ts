import { DEMO } from "@forcelink/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookEventSchema } from "../../server/src/webhook-payloads.ts";
import { FAST_DELIVERY, type Harness, startHarness } from "../../server/test/support/harness.ts";
import { type ReceivedRequest, startReceiver } from "../../server/test/support/receiver.ts";
import { waitFor } from "../../server/test/support/wait.ts";
import { Forcelink, ForcelinkError, verifyWebhook, type WebhookEvent, WebhookVerificationError } from "../src/index.ts";

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is walked as plain JSON
type Json = any;

const MANIFEST = `
name: crm
destinations:
  cache:
    type: records
objects:
  - name: Account
    fields: [Id, Name, Industry]
    schedule: "0 0 1 1 *"
    destinations: [cache]
`;
const QUERY = `/services/data/v67.0/query?q=${encodeURIComponent("SELECT Id, Name FROM Account LIMIT 2")}`;

/**
 * The Node SDK against a real server over HTTP, on an emulated org: every /v1 route is called
 * through it, and every status it was answered is checked against the OpenAPI document.
 */
describe("@forcelink/node against a running server", () => {
  let h: Harness;
  let sdk: Forcelink;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  /** Receives every event the scenario causes, to hold each against its documented payload. */
  let everything: Awaited<ReturnType<typeof startReceiver>>;
  const answered: Array<{ method: string; route: string; status: number }> = [];
  let connectionId = "";
  const accounts = () => [...h.org.store.tableOrThrow("Account").live()].length;

  beforeAll(async () => {
    h = await startHarness({ delivery: FAST_DELIVERY, env: { FORCELINK_SYNC_LAG_SECONDS: "0" } });
    receiver = await startReceiver();
    everything = await startReceiver();
    sdk = new Forcelink({ baseUrl: h.server.url, apiKey: h.apiKey, onResponse: (a) => answered.push(a) });
    await sdk.webhooks.create({ url: everything.url, events: ["*"] });
  });
  afterAll(async () => {
    await receiver?.close();
    await everything?.close();
    await h?.close();
  });

  it("registers a provider app, connects server-side, and runs the checklist", async () => {
    const app = await sdk.providerApps.create({
      name: "Demo",
      kind: "external_client_app",
      clientId: DEMO.app.clientId,
      clientSecret: DEMO.app.clientSecret,
      scopes: ["api", "refresh_token", "id"],
      clientCredentials: { enabled: true },
    });
    const emulated = h.org.appByClientId(DEMO.app.clientId)!;
    h.admin.updateApp(emulated.id, { callbackUrls: [...emulated.callbackUrls, app.callbackUrl] });
    expect(app.callbackUrl).toMatch(/\/oauth\/callback$/);
    expect((await sdk.providerApps.list()).map((a) => a.id)).toEqual([app.id]);
    expect((await sdk.providerApps.get(app.id)).name).toBe("Demo");
    expect((await sdk.providerApps.update(app.id, { name: "Demo app" })).name).toBe("Demo app");
    await expect(sdk.providerApps.rotateSecret(app.id, DEMO.app.clientSecret)).rejects.toMatchObject({
      status: 400,
      code: "invalid_provider_app",
    });

    const session = await sdk.connectSessions.create({ providerAppId: app.id, endUserId: "customer-1" });
    expect(session.url).toContain("/connect/");
    expect((await sdk.connectSessions.get(session.id)).status).toBe("pending");

    const conn = await sdk.connections.create({
      flow: "client_credentials",
      providerAppId: app.id,
      endUserId: "customer-1",
      myDomain: "forcelink-demo",
    });
    connectionId = conn.id;
    expect(conn.status).toBe("active");
    expect((await sdk.connections.list({ endUserId: "customer-1" })).map((c) => c.id)).toEqual([conn.id]);
    expect((await sdk.connections.get(conn.id)).orgId).toBe(conn.orgId);

    const run = await sdk.connections.runChecklist(conn.id);
    expect(run.checks.length).toBeGreaterThan(3);
    expect((await sdk.connections.checklist(conn.id)).id).toBe(run.id);
  });

  it("throws typed errors with the API's code and remedy", async () => {
    const missing = await sdk.connections.get("conn_nope").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ForcelinkError);
    expect(missing).toMatchObject({ status: 404, code: "not_found" });
    const bad = await sdk.webhooks.create({ url: "ftp://example.com", events: ["sync.completed"] }).catch((e) => e);
    expect(bad).toMatchObject({ status: 400, code: "invalid_request" });
    expect((bad as ForcelinkError).remedy).toContain("openapi.json");
    expect((bad as ForcelinkError).details).toEqual(
      expect.arrayContaining([expect.objectContaining({ where: "body.url" })]),
    );
    const viaTemplate = await sdk.request<{ id: string }>("GET", "/v1/connections/{id}", {
      params: { id: connectionId },
    });
    expect(viaTemplate.id).toBe(connectionId);
    const noKey = new Forcelink({ baseUrl: h.server.url, apiKey: "fl_sk_wrong" });
    await expect(noKey.connections.list()).rejects.toMatchObject({ status: 401 });
  });

  it("uploads and installs an integration, runs a sync, and pages the records", async () => {
    const uploaded = await sdk.integrations.upload(MANIFEST);
    expect(uploaded.name).toBe("crm");
    expect((await sdk.integrations.list()).map((i) => i.name)).toEqual(["crm"]);
    expect((await sdk.integrations.get("crm")).id).toBe(uploaded.id);
    const installed = await sdk.connections.install(connectionId, { integration: "crm", startNow: false });
    expect((await sdk.connections.installations(connectionId)).map((i) => i.id)).toEqual([installed.id]);

    const requested = await sdk.syncs.run(connectionId, "Account");
    expect(requested.queued).toBe(true);
    const done = await waitFor(async () => {
      const [run] = await sdk.syncs.runs(connectionId, { object: "Account" });
      return run?.status === "completed" ? run : null;
    }, "the Account run to complete");
    expect(done.counts.read).toBe(accounts());
    expect((await sdk.syncs.states(connectionId))[0]).toMatchObject({ object: "Account", backfillDone: true });
    expect(await sdk.syncs.pause(connectionId, "Account")).toMatchObject({ object: "Account", paused: true });
    await expect(sdk.syncs.run(connectionId, "Account")).rejects.toMatchObject({ status: 409, code: "sync_paused" });
    expect(await sdk.syncs.resume(connectionId, "Account")).toMatchObject({ object: "Account", paused: false });
    // The manifest subscribes to nothing: no Change Data Capture subscription.
    expect(await sdk.subscriptions.list(connectionId)).toEqual([]);
    await expect(sdk.subscriptions.resume(connectionId, "sub_none")).rejects.toMatchObject({
      status: 404,
      code: "not_found",
    });

    let cursor = "";
    const seen: string[] = [];
    for await (const change of sdk.syncs.iterateRecords(connectionId, "Account", {
      limit: 7,
      onCursor: (c) => {
        cursor = c;
      },
    }))
      seen.push(change.id);
    expect(new Set(seen).size).toBe(accounts());
    const after: string[] = [];
    for await (const change of sdk.syncs.iterateRecords(connectionId, "Account", { cursor })) after.push(change.id);
    expect(after).toEqual([]);
  });

  it("writes records, pages writes and results with async iterators, and refuses a retry with nothing failed", async () => {
    const written = [];
    for (const n of [1, 2, 3]) {
      const answer = await sdk.writes.create(
        connectionId,
        { object: "Account", operation: "insert", records: [{ Name: `SDK ${n}a` }, { Name: `SDK ${n}b` }] },
        { idempotencyKey: `sdk-${n}` },
      );
      expect(answer.status).toBe("completed");
      expect(answer.results?.map((r) => r.success)).toEqual([true, true]);
      written.push(answer.id);
    }
    const listed = [];
    for await (const write of sdk.writes.iterate(connectionId, { limit: 2 })) listed.push(write.id);
    expect(listed).toEqual([...written].reverse());
    expect((await sdk.writes.get(connectionId, written[0])).counts.succeeded).toBe(2);

    const csv = await sdk.writes.createFromFile(connectionId, "Name\nSDK csv 1\nSDK csv 2\nSDK csv 3\n", {
      format: "csv",
      object: "Account",
      operation: "insert",
    });
    const results = [];
    for await (const r of sdk.writes.iterateResults(connectionId, csv.id, { limit: 2 })) results.push(r.index);
    expect(results).toEqual([0, 1, 2]);

    await expect(sdk.writes.retry(connectionId, written[0])).rejects.toMatchObject({ status: 422 });

    // A write past the synchronous size is queued; waitForEnd holds one call open until it completes.
    const lines = Array.from({ length: 250 }, (_, i) => JSON.stringify({ Name: `SDK queued ${i}` })).join("\n");
    const queued = await sdk.writes.createFromFile(connectionId, lines, {
      format: "ndjson",
      object: "Account",
      operation: "insert",
    });
    expect(queued.status).toBe("queued");
    const ended = await sdk.writes.waitForEnd(connectionId, queued.id, { timeoutMs: 60_000 });
    expect(ended.status).toBe("completed");
    expect(ended.counts.succeeded).toBe(250);
  });

  it("pages the connection's activity log with an async iterator, newest first", async () => {
    const kinds = [];
    for await (const row of sdk.activity.iterate({ connectionId, limit: 2 })) kinds.push(row.kind);
    expect(kinds.length).toBeGreaterThan(2);
    expect(kinds).toContain("write");
    expect(kinds.at(-1)).toBe("connect");
    await expect(sdk.activity.list({ kind: "no_such_kind" as never })).rejects.toMatchObject({ status: 400 });
  });

  it("passes raw calls through the proxy, and turns Salesforce's refusals into typed errors", async () => {
    const page = await sdk.proxyJson<{ records: Array<{ Id: string }> }>(connectionId, QUERY);
    expect(page.records).toHaveLength(2);
    const raw = await sdk.proxy(connectionId, "/services/data/v67.0/sobjects/Account", {
      method: "POST",
      body: { Name: "Through the proxy" },
    });
    expect(raw.status).toBe(201);
    const refused = await sdk
      .proxyJson(connectionId, "/services/data/v67.0/sobjects/NoSuchThing__c/describe")
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ForcelinkError);
    expect(refused).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });

  it("manages webhook endpoints, and verifies a real delivery with the replay window", async () => {
    const endpoint = await sdk.webhooks.create({ url: receiver.url, events: ["sync.completed"] });
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect((await sdk.webhooks.list()).map((e) => e.id)).toContain(endpoint.id);
    expect((await sdk.webhooks.update(endpoint.id, { description: "mine" })).description).toBe("mine");
    expect((await sdk.webhooks.get(endpoint.id)).description).toBe("mine");
    const sent = await sdk.webhooks.test(endpoint.id);
    const delivery: ReceivedRequest = await waitFor(
      () => receiver.received.find((r) => r.headers["forcelink-event-id"] === sent.eventId),
      "the test delivery",
    );
    const event: WebhookEvent = verifyWebhook(delivery.body, delivery.headers, endpoint.secret);
    expect(event.type).toBe("webhook.test");
    if (event.type === "webhook.test") expect(event.data.endpointId).toBe(endpoint.id);
    expect((await sdk.webhooks.deliveries(endpoint.id, { status: "delivered" })).map((d) => d.id)).toEqual([
      sent.deliveryId,
    ]);

    const again = await sdk.webhooks.redeliver(endpoint.id, sent.deliveryId);
    expect(again).toMatchObject({ redeliveryOf: sent.deliveryId, status: "pending" });
    const redelivered: ReceivedRequest = await waitFor(
      () => receiver.received.filter((r) => r.headers["forcelink-event-id"] === sent.eventId)[1],
      "the redelivery",
    );
    expect(redelivered.body.toString("utf8")).toBe(delivery.body.toString("utf8"));

    const signedAt = Number(/t=(\d+)/.exec(String(delivery.headers["forcelink-signature"]))![1]);
    const replayed = () =>
      verifyWebhook(delivery.body, delivery.headers, endpoint.secret, { now: new Date((signedAt + 301) * 1000) });
    expect(replayed).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(delivery.body, delivery.headers, "whsec_other")).toThrow(/No signature matches/);
    const tampered = Buffer.from(delivery.body.toString("utf8").replace("webhook.test", "sync.completed"));
    expect(() => verifyWebhook(tampered, delivery.headers, endpoint.secret)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(delivery.body, {}, endpoint.secret)).toThrow(/missing or not of the form/);

    const rotated = await sdk.webhooks.rotateSecret(endpoint.id, { previousSecretValidSeconds: 60 });
    expect(rotated.secret).not.toBe(endpoint.secret);
    await sdk.webhooks.delete(endpoint.id);
    await expect(sdk.webhooks.get(endpoint.id)).rejects.toMatchObject({ code: "not_found" });
  });

  it("makes and revokes API keys, then removes what it made", async () => {
    const key = await sdk.apiKeys.create("ci");
    expect(key.key).toMatch(/^fl_sk_/);
    expect((await sdk.apiKeys.list()).some((k) => k.id === key.id)).toBe(true);
    await sdk.apiKeys.revoke(key.id);
    const installed = await sdk.connections.installations(connectionId);
    await sdk.connections.uninstall(connectionId, installed[0].id);
    await sdk.integrations.delete("crm");
    await sdk.connections.delete(connectionId);
    await expect(sdk.connections.get(connectionId)).rejects.toMatchObject({ status: 404 });
    const [app] = await sdk.providerApps.list();
    const rotated = await sdk.providerApps.rotateSecret(app.id, `${DEMO.app.clientSecret}-regenerated`);
    expect(rotated.updatedAt).not.toBe(app.updatedAt);
    await sdk.providerApps.delete(app.id);
  });

  it("delivered events whose payloads are exactly what the document describes", async () => {
    const types = ["connection.created", "sync.completed", "write.completed", "connection.deleted"];
    await waitFor(
      () => types.every((t) => everything.events.some((e) => e.type === t)),
      `events ${types.join(", ")} to be delivered`,
    );
    for (const event of everything.events) {
      const parsed = webhookEventSchema(event.type as "sync.completed").safeParse(event);
      expect(parsed.error, event.type).toBeUndefined();
      // Nothing stripped: every field sent is a documented one.
      expect(parsed.data, event.type).toEqual(event);
    }
  });

  it("called every /v1 route, and each answer's status is one the OpenAPI document names", async () => {
    const doc: Json = await sdk.openapi();
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const called = new Set(answered.map((a) => `${a.method} ${a.route}`));
    const proxyMethods = ["PUT", "PATCH", "DELETE"].map((m) => `${m} /v1/connections/{id}/proxy/{path}`);
    expect(operations.filter((o) => !called.has(o) && !proxyMethods.includes(o))).toEqual([]);
    const undocumented = answered.filter((a) => {
      if (a.route === "/v1/openapi.json") return false;
      const responses = doc.paths[a.route]?.[a.method.toLowerCase()]?.responses ?? {};
      return !responses[String(a.status)] && !responses[`${String(a.status)[0]}XX`];
    });
    expect(undocumented).toEqual([]);
  });
});
