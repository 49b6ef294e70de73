import { Readable } from "node:stream";
import { json as readJson, text as readText } from "node:stream/consumers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  fixedToken,
  InstancePools,
  MemoryCredentialStore,
  OAuthFailure,
  OffInstanceUrlError,
  type QueryPage,
  RAW_BUFFER_BYTES,
  renewWithRefreshToken,
  SalesforceApiError,
  SalesforceClient,
  type SalesforceClientOptions,
  TokenLifecycle,
  type TokenSet,
  TransportFailure,
} from "../src/index.ts";
import { APP, calls, connectUser, type DemoOrg, startDemoOrg, TOKEN_CALLS, USERS } from "./support/demo-org.ts";

let demo: DemoOrg;
let tokens: TokenSet;
let pools: InstancePools;

beforeAll(async () => {
  demo = await startDemoOrg({ records: true });
  tokens = await connectUser(demo);
  pools = new InstancePools();
});
afterAll(async () => {
  await pools.close();
  await demo.close();
});
afterEach(() => {
  demo.org.faults.reset();
});

const noWait = async () => {};

function client(options: Partial<SalesforceClientOptions> = {}): SalesforceClient {
  return new SalesforceClient({
    tokens: fixedToken({ accessToken: tokens.accessToken, instanceUrl: tokens.instanceUrl }),
    pools,
    sleep: noWait,
    ...options,
  });
}

/** A client whose tokens a TokenLifecycle keeps, over the shared in-memory store. */
async function lifecycleClient(connectionId: string, options: Partial<SalesforceClientOptions> = {}) {
  const connected = await connectUser(demo);
  const store = new MemoryCredentialStore({ now: () => demo.org.clock.now() });
  const lifecycle = new TokenLifecycle({
    store,
    renew: renewWithRefreshToken({ ...APP, hosts: demo.hosts }),
    now: () => demo.org.clock.now(),
  });
  await lifecycle.adopt(connectionId, connected);
  return { sf: client({ tokens: lifecycle.tokenProvider(connectionId), ...options }), lifecycle, store, connected };
}

async function apiError(promise: Promise<unknown>): Promise<SalesforceApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SalesforceApiError) return error;
    throw error;
  }
  throw new Error("expected a SalesforceApiError");
}

const path = (method: string, endpoint: string) => `${method} /services/data/:version${endpoint}`;

describe("requests", () => {
  it("calls the instance with the token and reports the quota header", async () => {
    const usage: Array<[number, number]> = [];
    const sf = client({ onUsage: (used, max) => usage.push([used, max]) });
    const limits = await sf.limits();
    expect(limits.DailyApiRequests.Max).toBe(100_000);
    expect(usage.length).toBe(1);
    expect(usage[0][1]).toBe(100_000);
    expect(usage[0][0]).toBeGreaterThan(0);
  });

  it("describes the org and an object", async () => {
    const sf = client();
    const global = await sf.describeGlobal<{ sobjects: Array<{ name: string }> }>();
    expect(global.sobjects.map((s) => s.name)).toContain("Account");
    const account = await sf.describe<{ name: string; fields: Array<{ name: string }> }>("Account");
    expect(account.name).toBe("Account");
    expect(account.fields.map((f) => f.name)).toContain("External_Id__c");
  });

  it("answers with a stream when asked", async () => {
    const res = await client().request({ path: "/services/data/v67.0/limits", stream: true });
    expect(res.status).toBe(200);
    expect(((await readJson(res.body)) as Record<string, unknown>).DailyApiRequests).toBeTruthy();
  });

  it("refuses to call anything but the instance URL", async () => {
    const sf = client();
    const before = demo.org.counters.snapshot().total;
    for (const target of [
      "https://evil.example/services/data",
      "//evil.example/services/data",
      "/\\evil.example/x",
      `${demo.emulator.urls.login}/services/data`,
    ]) {
      await expect(sf.request({ path: target })).rejects.toThrow(OffInstanceUrlError);
    }
    await expect(sf.send({ method: "GET", path: "https://evil.example/" })).rejects.toThrow(OffInstanceUrlError);
    expect(demo.org.counters.snapshot().total).toBe(before);
  });

  it("refuses names that would walk to another resource", async () => {
    const sf = client();
    await expect(sf.retrieve("Account", "../../limits")).rejects.toThrow(TypeError);
    await expect(sf.describe("Account/../..")).rejects.toThrow(TypeError);
    await expect(sf.upsert("Account", "External_Id__c", "..", {})).rejects.toThrow(TypeError);
  });
});

describe("query pager", () => {
  it("follows nextRecordsUrl one page at a time", async () => {
    const sf = client();
    const before = calls(demo.org, path("GET", "/query/:locator"));
    const pages = sf.queryPages<{ Id: string }>("SELECT Id FROM Contact", { batchSize: 200 });
    const first = (await pages.next()).value as QueryPage<{ Id: string }>;
    expect(first.totalSize).toBe(450);
    expect(first.records.length).toBe(200);
    expect(first.done).toBe(false);
    // Nothing more is fetched until the consumer asks.
    expect(calls(demo.org, path("GET", "/query/:locator"))).toBe(before);
    const sizes = [first.records.length];
    for await (const page of pages) sizes.push(page.records.length);
    expect(sizes).toEqual([200, 200, 50]);
    expect(calls(demo.org, path("GET", "/query/:locator"))).toBe(before + 2);
  });

  it("yields every record, with distinct ids", async () => {
    const ids = new Set<string>();
    for await (const row of client().query<{ Id: string }>("SELECT Id FROM Contact", { batchSize: 200 }))
      ids.add(row.Id);
    expect(ids.size).toBe(450);
  });

  it("sees deleted rows only through queryAll", async () => {
    const sf = client();
    const { id } = await sf.create("Account", { Name: "Soon Deleted" });
    await sf.delete("Account", id);
    const soql = `SELECT Id, IsDeleted FROM Account WHERE Id = '${id}'`;
    const live: unknown[] = [];
    for await (const r of sf.query(soql)) live.push(r);
    const all: Array<{ IsDeleted: boolean }> = [];
    for await (const r of sf.queryAll<{ IsDeleted: boolean }>(soql)) all.push(r);
    expect(live).toEqual([]);
    expect(all.map((r) => r.IsDeleted)).toEqual([true]);
  });
});

describe("sObject CRUD", () => {
  it("creates, reads, updates, upserts and deletes", async () => {
    const sf = client();
    const { id } = await sf.create("Account", { Name: "Globex", Tier__c: "Gold" });
    expect(id).toMatch(/^001[A-Za-z0-9]{15}$/);
    expect(await sf.retrieve("Account", id, ["Name", "Tier__c"])).toMatchObject({ Name: "Globex", Tier__c: "Gold" });
    await sf.update("Account", id, { Name: "Globex Corp" });
    expect(await sf.retrieve<{ Name: string }>("Account", id, ["Name"])).toMatchObject({ Name: "Globex Corp" });

    const inserted = await sf.upsert("Account", "External_Id__c", "EXT/1 A", { Name: "Initech" });
    expect(inserted.created).toBe(true);
    const updated = await sf.upsert("Account", "External_Id__c", "EXT/1 A", { Name: "Initech 2" });
    expect(updated).toEqual({ id: inserted.id, created: false });

    await sf.delete("Account", id);
    const gone = await apiError(sf.retrieve("Account", id));
    expect(gone.status).toBe(404);
    expect(gone.retry).toBe("never");
  });
});

describe("errors through the table", () => {
  it.each([
    ["SELECT Nope__c FROM Account", "INVALID_FIELD", "field-level-security", true],
    ["SELECT Id FROM Nope__c", "INVALID_TYPE", "object-access", true],
    ["SELECT FROM Account", "MALFORMED_QUERY", undefined, false],
  ])("%s → %s", async (soql, code, checklist, customerAction) => {
    const error = await apiError(client().query(soql).next());
    expect(error.code).toBe(code);
    expect(error.status).toBe(400);
    expect(error.checklistItem).toBe(checklist);
    expect(error.customerAction).toBe(customerAction);
    expect(error.retry).toBe("never");
  });

  it("maps an org without API access, and does not retry it", async () => {
    demo.org.settings.apiEnabled = false;
    try {
      const error = await apiError(client().limits());
      expect([error.code, error.status, error.checklistItem]).toEqual([
        "API_DISABLED_FOR_ORG",
        403,
        "api-access-edition",
      ]);
    } finally {
      demo.org.settings.apiEnabled = true;
    }
  });

  it("stops at once when the daily quota is used up", async () => {
    const used = demo.org.apiUsage.used();
    demo.org.apiUsage.setUsed(demo.org.apiUsage.limit);
    const before = calls(demo.org, path("GET", "/limits"));
    try {
      const error = await apiError(client().limits());
      expect([error.code, error.checklistItem]).toEqual(["REQUEST_LIMIT_EXCEEDED", "daily-api-quota"]);
      expect(calls(demo.org, path("GET", "/limits"))).toBe(before + 1);
    } finally {
      demo.org.apiUsage.setUsed(used);
    }
  });
});

describe("retries", () => {
  it("retries a GET through 503s, then gives up with the typed error", async () => {
    demo.org.faults.configure({ errorRate: 1, errorStatus: 503, pathContains: "/limits" });
    const delays: number[] = [];
    const sf = client({ retry: { maxAttempts: 3 }, random: () => 0.5, sleep: async (ms) => void delays.push(ms) });
    const before = calls(demo.org, path("GET", "/limits"));
    const error = await apiError(sf.limits());
    expect([error.code, error.status, error.retry]).toEqual(["SERVER_UNAVAILABLE", 503, "backoff"]);
    expect(calls(demo.org, path("GET", "/limits"))).toBe(before + 3);
    expect(delays).toEqual([125, 250]);
  });

  it("sends an update again after UNABLE_TO_LOCK_ROW", async () => {
    const sf = client();
    const { id } = await sf.create("Account", { Name: "Locked" });
    demo.org.faults.configure({ unableToLockRow: 1 });
    const before = calls(demo.org, path("PATCH", "/sobjects/:object/:id"));
    await sf.update("Account", id, { Name: "Unlocked" });
    expect(calls(demo.org, path("PATCH", "/sobjects/:object/:id"))).toBe(before + 2);
    expect(await sf.retrieve("Account", id, ["Name"])).toMatchObject({ Name: "Unlocked" });
  });

  it("sends a create again after UNABLE_TO_LOCK_ROW: Salesforce rolled it back", async () => {
    const sf = client();
    demo.org.faults.configure({ unableToLockRow: 1 });
    const before = calls(demo.org, path("POST", "/sobjects/:object"));
    const { id } = await sf.create("Account", { Name: "Created Once" });
    expect(calls(demo.org, path("POST", "/sobjects/:object"))).toBe(before + 2);
    const rows: unknown[] = [];
    for await (const r of sf.query("SELECT Id FROM Account WHERE Name = 'Created Once'")) rows.push(r);
    expect(rows).toEqual([{ attributes: expect.anything(), Id: id }]);
  });

  it("does not resend a create whose connection dropped: it may have been executed", async () => {
    demo.org.faults.configure({ dropRate: 1, pathContains: "/sobjects/Account" });
    const sf = client();
    const before = calls(demo.org, path("POST", "/sobjects/:object"));
    const failure = await sf.create("Account", { Name: "Maybe" }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TransportFailure);
    expect((failure as TransportFailure).kind).toBe("reset");
    expect(calls(demo.org, path("POST", "/sobjects/:object"))).toBe(before + 1);
  });

  it("resends a read whose connection dropped", async () => {
    demo.org.faults.configure({ dropRate: 1, pathContains: "/describe" });
    const sf = client({ retry: { maxAttempts: 3 } });
    const before = calls(demo.org, path("GET", "/sobjects/:object/describe"));
    await expect(sf.describe("Account")).rejects.toBeInstanceOf(TransportFailure);
    expect(calls(demo.org, path("GET", "/sobjects/:object/describe"))).toBe(before + 3);
  });
});

describe("expired sessions", () => {
  it("gets one new token after a 401 and sends the call again", async () => {
    const { sf, connected } = await lifecycleClient("conn-401");
    await sf.limits();
    demo.org.sessions.expireAll((s) => s.refreshToken === connected.refreshToken);
    const before = calls(demo.org, TOKEN_CALLS);
    await sf.limits();
    await sf.limits();
    expect(calls(demo.org, TOKEN_CALLS)).toBe(before + 1);
  });

  it("surfaces a dead grant as the OAuthFailure, not as the 401", async () => {
    const { sf, connected } = await lifecycleClient("conn-dead");
    demo.org.sessions.revokeAllFor((g) => g.refreshToken === connected.refreshToken);
    const failure = await sf.limits().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OAuthFailure);
    expect((failure as OAuthFailure).kind).toBe("terminal");
  });

  it("leaves a token that cannot be refreshed as the 401 it is", async () => {
    const stale = await connectUser(demo);
    demo.org.sessions.expireAll((s) => s.accessToken === stale.accessToken);
    const error = await apiError(
      client({ tokens: fixedToken({ accessToken: stale.accessToken, instanceUrl: stale.instanceUrl }) }).limits(),
    );
    expect([error.code, error.status]).toEqual(["INVALID_SESSION_ID", 401]);
  });
});

describe("raw send for the proxy", () => {
  it("returns Salesforce's answer as it is, errors included", async () => {
    const sf = client();
    const ok = await sf.send({
      method: "GET",
      path: "/services/data/v67.0/limits",
      headers: { authorization: "Bearer forged", "x-custom": "1" },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers["sforce-limit-info"]).toMatch(/^api-usage=/);
    expect((JSON.parse(await bodyText(ok.body)) as Record<string, unknown>).DailyApiRequests).toBeTruthy();
    const missing = await sf.send({ method: "GET", path: "/services/data/v67.0/sobjects/Nope__c/describe" });
    expect(missing.status).toBe(404);
    expect(await bodyText(missing.body)).toContain("NOT_FOUND");
  });

  it("hands a small answer of known length over read, and a large one as a stream", async () => {
    const sf = client();
    const small = await sf.send({ method: "GET", path: "/services/data/v67.0/limits" });
    expect(Buffer.isBuffer(small.body)).toBe(true);
    expect(Number(small.headers["content-length"])).toBeLessThanOrEqual(RAW_BUFFER_BYTES);
    // Every Account with every field: far more than the buffered size.
    const soql = "SELECT FIELDS(ALL) FROM Account LIMIT 200";
    const large = await sf.send({ method: "GET", path: `/services/data/v67.0/query?q=${encodeURIComponent(soql)}` });
    expect(large.status).toBe(200);
    expect(large.body).toBeInstanceOf(Readable);
    const text = await bodyText(large.body);
    expect(text.length).toBeGreaterThan(RAW_BUFFER_BYTES);
    expect((JSON.parse(text) as { records: unknown[] }).records.length).toBeGreaterThan(0);
  });

  it("ends the call when its reader leaves a streamed answer, so its socket serves the next call", async () => {
    const one = new InstancePools({ connections: 1 });
    try {
      const sf = client({ pools: one });
      const soql = "SELECT FIELDS(ALL) FROM Contact LIMIT 200";
      const large = await sf.send({ method: "GET", path: `/services/data/v67.0/query?q=${encodeURIComponent(soql)}` });
      const body = large.body as Readable;
      const first = (await body[Symbol.asyncIterator]().next()).value as Buffer;
      expect(first.length).toBeLessThan(Number(large.headers["content-length"]));
      body.destroy();
      // The pool's only socket was the large answer's: a stalled one would leave this call waiting.
      const next = sf.send({ method: "GET", path: "/services/data/v67.0/limits" });
      const stalled = new Promise((resolve) => setTimeout(resolve, 5_000, "stalled"));
      const answer = await Promise.race([next, stalled]);
      expect(answer).not.toBe("stalled");
      expect((answer as Awaited<typeof next>).status).toBe(200);
    } finally {
      await one.close();
    }
  });

  it("replays a streamed body after refreshing an expired session", async () => {
    const { sf, connected } = await lifecycleClient("conn-proxy");
    demo.org.sessions.expireAll((s) => s.refreshToken === connected.refreshToken);
    const before = calls(demo.org, TOKEN_CALLS);
    const res = await sf.send({
      method: "POST",
      path: "/services/data/v67.0/sobjects/Account",
      headers: { "content-type": "application/json" },
      body: Readable.from([Buffer.from('{"Name":'), Buffer.from('"Proxied"}')]),
    });
    expect(res.status).toBe(201);
    const created = JSON.parse(await bodyText(res.body)) as { id: string };
    expect(calls(demo.org, TOKEN_CALLS)).toBe(before + 1);
    expect(await client().retrieve("Account", created.id, ["Name"])).toMatchObject({ Name: "Proxied" });
  });

  it("passes the 401 back when the body was too large to keep, with the token already renewed", async () => {
    const { sf, connected } = await lifecycleClient("conn-proxy-big", { replayCapBytes: 8 });
    demo.org.sessions.expireAll((s) => s.refreshToken === connected.refreshToken);
    const send = () =>
      sf.send({
        method: "POST",
        path: "/services/data/v67.0/sobjects/Account",
        headers: { "content-type": "application/json" },
        body: Readable.from([Buffer.from('{"Name":"Too big to replay"}')]),
      });
    const first = await send();
    expect(first.status).toBe(401);
    expect(await bodyText(first.body)).toContain("INVALID_SESSION_ID");
    const second = await send();
    expect(second.status).toBe(201);
    await bodyText(second.body);
  });
});

describe("the integration user's view", () => {
  it("uses the instance URL of the token, not a configured one", async () => {
    const platform = await connectUser(demo, USERS.platform);
    const sf = client({ tokens: fixedToken({ accessToken: platform.accessToken, instanceUrl: platform.instanceUrl }) });
    const error = await apiError(sf.query("SELECT Id FROM Lead").next());
    expect([error.code, error.checklistItem]).toEqual(["INVALID_TYPE", "object-access"]);
  });
});

/** A raw answer's body as text, whether it arrived read or streams. */
async function bodyText(body: Buffer | Readable): Promise<string> {
  return Buffer.isBuffer(body) ? body.toString("utf8") : readText(body);
}
