import jsforce from "jsforce";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "../src/seed/demo-seed.ts";
import { generateRecords } from "../src/seed/generator.ts";
import { completeAuthorize, type DemoOrg, startDemoOrg } from "../src/testing/index.ts";

/**
 * jsforce 3, unchanged, against the emulator over HTTP: the proof that the emulator speaks
 * Salesforce is that a client nobody here wrote works against it.
 */
const CALLBACK = "http://localhost:1717/OauthRedirect";
const AUTOFETCH_ACCOUNTS = 10_500;

let t: DemoOrg;
let conn: jsforce.Connection;

function oauth2() {
  return new jsforce.OAuth2({
    loginUrl: t.emulator.urls.login,
    clientId: DEMO.app.clientId,
    clientSecret: DEMO.app.clientSecret,
    redirectUri: CALLBACK,
    useVerifier: true,
  });
}

beforeAll(async () => {
  t = await startDemoOrg();
  generateRecords(t.org, "Account", AUTOFETCH_ACCOUNTS);
});
afterAll(async () => {
  await t?.close();
});

describe("jsforce 3 against the emulator", () => {
  it("logs in by the web-server flow with PKCE, completing the emulator's login and consent pages", async () => {
    const auth = oauth2();
    const url = auth.getAuthorizationUrl({ scope: "api refresh_token id", state: "state-123" });
    expect(url).toContain("code_challenge=");
    expect(url).not.toContain("code_challenge_method");
    const outcome = await completeAuthorize(url, DEMO.integration.username, DEMO.integration.password);
    expect(outcome.pages).toEqual(["login", "consent"]);
    const callback = new URL(outcome.location);
    expect(`${callback.origin}${callback.pathname}`).toBe(CALLBACK);
    expect(callback.searchParams.get("state")).toBe("state-123");
    conn = new jsforce.Connection({ oauth2: auth, version: "67.0" });
    const userInfo = await conn.authorize(callback.searchParams.get("code")!);
    const user = t.org.userByUsername(DEMO.integration.username)!;
    expect(userInfo).toMatchObject({ id: user.Id, organizationId: t.org.organizationId });
    expect(conn.instanceUrl).toBe(t.emulator.urls.myDomain);
    expect(conn.accessToken).toMatch(new RegExp(`^${t.org.orgId15}!`));
    expect(conn.refreshToken).toBeTruthy();
  });

  it("logs in by the password flow", async () => {
    const c = new jsforce.Connection({ oauth2: oauth2(), version: "67.0" });
    const info = await c.login(DEMO.admin.username, DEMO.admin.password);
    expect(info.id).toBe(t.org.userByUsername(DEMO.admin.username)!.Id);
    expect(info.organizationId).toBe(t.org.organizationId);
    const rows = await c.query<{ Username: string }>(`SELECT Username FROM User WHERE Id = '${info.id}'`);
    expect(rows.records[0].Username).toBe(DEMO.admin.username);
  });

  it("refreshes by itself when the emulator expires the session, and the call succeeds", async () => {
    const before = conn.accessToken;
    let refreshed = 0;
    conn.on("refresh", () => {
      refreshed++;
    });
    const res = await t.control("/sessions/expire", { method: "POST", body: { username: DEMO.integration.username } });
    expect(((await res.json()) as { expired: number }).expired).toBeGreaterThan(0);
    const result = await conn.query<{ Id: string }>("SELECT Id FROM Account LIMIT 1");
    expect(result.records).toHaveLength(1);
    expect(refreshed).toBe(1);
    expect(conn.accessToken).not.toBe(before);
  });

  it("pages a query of more than 10,000 records with autoFetch, every record once", async () => {
    const total = t.org.store.tableOrThrow("Account").size;
    const result = await conn.query<{ Id: string; Name: string }>("SELECT Id, Name FROM Account ORDER BY Id", {
      autoFetch: true,
      maxFetch: 100_000,
    });
    expect(result.totalSize).toBe(total);
    expect(result.records).toHaveLength(total);
    expect(new Set(result.records.map((r) => r.Id)).size).toBe(total);
    expect(result.records.at(-1)!.Name).toBe(`Account ${String(AUTOFETCH_ACCOUNTS).padStart(7, "0")}`);
  });

  it("creates, reads, updates, upserts and deletes records", async () => {
    const accounts = conn.sobject("Account");
    const created = await accounts.create({ Name: "jsforce Inc", Industry: "Energy", BillingCity: "Lyon" });
    if (!created.success) throw new Error(`create failed: ${JSON.stringify(created)}`);
    const read = await accounts.retrieve(created.id);
    expect(read).toMatchObject({ Name: "jsforce Inc", Industry: "Energy", BillingAddress: { city: "Lyon" } });
    await accounts.update({ Id: created.id, Name: "jsforce SA" });
    expect((await accounts.retrieve(created.id)).Name).toBe("jsforce SA");
    const inserted = await accounts.upsert({ Name: "Upserted", External_Id__c: "JSF-1" }, "External_Id__c");
    expect(inserted).toMatchObject({ success: true, created: true });
    if (!inserted.success) throw new Error("upsert failed");
    const updated = await accounts.upsert({ Name: "Upserted again", External_Id__c: "JSF-1" }, "External_Id__c");
    expect(updated).toMatchObject({ success: true, created: false, id: inserted.id });
    expect((await accounts.retrieve(inserted.id)).Name).toBe("Upserted again");
    const deleted = await accounts.destroy(created.id);
    expect(deleted.success).toBe(true);
    await expect(accounts.retrieve(created.id)).rejects.toMatchObject({ errorCode: "NOT_FOUND" });
  });

  it("returns deleted rows from queryAll but not from query", async () => {
    const saved = await conn.sobject("Account").create({ Name: "To the recycle bin" });
    if (!saved.success) throw new Error("create failed");
    const id = saved.id;
    await conn.sobject("Account").destroy(id);
    const live = await conn.query(`SELECT Id FROM Account WHERE Id = '${id}'`);
    expect(live.totalSize).toBe(0);
    const all = await conn.query<{ Id: string; IsDeleted: boolean }>(
      `SELECT Id, IsDeleted FROM Account WHERE Id = '${id}'`,
      {
        scanAll: true,
      },
    );
    expect(all.records).toEqual([expect.objectContaining({ Id: id, IsDeleted: true })]);
  });

  it("writes collections with per-record results", async () => {
    const results = await conn
      .sobject("Account")
      .create([{ Name: "Collected 1" }, { Industry: "Retail" }, { Name: "Collected 2" }], { allOrNone: false });
    expect(results.map((r) => r.success)).toEqual([true, false, true]);
    const failed = results[1] as { errors: Array<{ statusCode?: string; errorCode?: string; fields?: string[] }> };
    expect(failed.errors[0]).toMatchObject({ fields: ["Name"] });
    expect(JSON.stringify(failed.errors[0])).toContain("REQUIRED_FIELD_MISSING");
    const rolledBack = await conn
      .sobject("Account")
      .create([{ Name: "Never 1" }, { Industry: "Retail" }], { allOrNone: true });
    expect(rolledBack.every((r) => !r.success)).toBe(true);
    expect((await conn.query("SELECT Id FROM Account WHERE Name = 'Never 1'")).totalSize).toBe(0);
  });

  it("describes objects as the connected user sees them", async () => {
    const global = await conn.describeGlobal();
    expect(global.sobjects.map((s) => s.name)).toEqual(expect.arrayContaining(["Account", "Contact", "Lead"]));
    const account = await conn.sobject("Account").describe();
    expect(account.keyPrefix).toBe("001");
    const billingCity = account.fields.find((f) => f.name === "BillingCity")!;
    expect(billingCity).toMatchObject({ type: "string", compoundFieldName: "BillingAddress" });
    await t.control("/permissions/Standard%20User", {
      method: "PATCH",
      body: { fields: { "Account.Industry": "none" } },
    });
    const narrowed = await conn.sobject("Account").describe();
    expect(narrowed.fields.map((f) => f.name)).not.toContain("Industry");
    await t.control("/permissions/Standard%20User", {
      method: "PATCH",
      body: { fields: { "Account.Industry": "edit" } },
    });
  });

  it("reads limits and identity", async () => {
    const limits = await conn.limits();
    expect(limits.DailyApiRequests.Max).toBe(t.org.apiUsage.limit);
    expect(limits.DailyApiRequests.Remaining).toBe(t.org.apiUsage.limit - t.org.apiUsage.used());
    expect(conn.limitInfo?.apiUsage?.used).toBeGreaterThan(0);
    const identity = await conn.identity();
    expect(identity).toMatchObject({
      username: DEMO.integration.username,
      organization_id: t.org.organizationId,
      user_id: t.org.userByUsername(DEMO.integration.username)!.Id,
    });
  });

  it("runs a Bulk 2.0 query and an ingest job with results", async () => {
    const rows = (await (
      await conn.bulk2.query("SELECT Id, Name FROM Account WHERE Name LIKE 'Account 00001%'")
    ).toArray()) as Array<{
      Id: string;
      Name: string;
    }>;
    const expected = [...t.org.store.tableOrThrow("Account").live()].filter((r) =>
      String(r.Name).startsWith("Account 00001"),
    );
    expect(rows.map((r) => r.Id).sort()).toEqual(expected.map((r) => r.Id).sort());
    const results = await conn.bulk2.loadAndWaitForResults({
      object: "Account",
      operation: "insert",
      input: [
        { Name: "Bulk, with comma", Description: 'multi\nline "quoted"' },
        { Industry: "Energy" },
        { Name: "Bulk plain" },
      ],
    });
    expect(results.successfulResults).toHaveLength(2);
    expect(results.failedResults).toHaveLength(1);
    expect(results.failedResults[0].sf__Error).toContain("REQUIRED_FIELD_MISSING");
    const saved = t.org.store
      .tableOrThrow("Account")
      .get(results.successfulResults.find((r) => (r as Record<string, unknown>).Name === "Bulk, with comma")!.sf__Id);
    expect(saved?.Description).toBe('multi\nline "quoted"');
  });

  it("works from a login URL and an instance URL that end with a slash (it then calls //services/...)", async () => {
    const slashedLogin = new jsforce.OAuth2({
      loginUrl: `${t.urls.login}/`,
      clientId: DEMO.app.clientId,
      clientSecret: DEMO.app.clientSecret,
      redirectUri: CALLBACK,
    });
    const login = new jsforce.Connection({ oauth2: slashedLogin, version: "67.0" });
    const info = await login.login(DEMO.integration.username, DEMO.integration.password);
    expect(info.id).toBe(t.org.userByUsername(DEMO.integration.username)!.Id);
    const c = new jsforce.Connection({
      instanceUrl: `${t.urls.myDomain}/`,
      accessToken: login.accessToken!,
      version: "67.0",
    });
    const saved = await c.sobject("Account").create({ Name: "Slashed Inc" });
    if (!saved.success) throw new Error(`create failed: ${JSON.stringify(saved)}`);
    expect((await c.sobject("Account").retrieve(saved.id)).Name).toBe("Slashed Inc");
    const found = await c.query<{ Id: string }>("SELECT Id FROM Account WHERE Name = 'Slashed Inc'");
    expect(found.records.map((r) => r.Id)).toEqual([saved.id]);
    expect((await c.sobject("Account").describe()).keyPrefix).toBe("001");
    const rows = (await (await c.bulk2.query("SELECT Id FROM Account WHERE Name = 'Slashed Inc'")).toArray()) as Array<{
      Id: string;
    }>;
    expect(rows.map((r) => r.Id)).toEqual([saved.id]);
  });

  it("revokes the refresh token on logout, after which it no longer works", async () => {
    const refreshToken = conn.refreshToken!;
    await conn.logout(true);
    await expect(oauth2().refreshToken(refreshToken)).rejects.toMatchObject({ name: "invalid_grant" });
  });
});
