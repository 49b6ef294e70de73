import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/emulator.ts";
import { type Seeded, seededOrg } from "./support/soql-fixture.ts";

let s: Seeded;
let emu: RunningEmulator;
let adminToken: string;
let standardToken: string;
let accountIds: string[];

beforeAll(async () => {
  s = seededOrg();
  const ctx = s.org.writeContext(s.adminUser.Id);
  for (let i = 0; i < 4996; i++) s.org.store.insert("Account", { Name: `Paged ${String(i).padStart(4, "0")}` }, ctx);
  for (let i = 0; i < 450; i++)
    s.org.store.insert(
      "PlatformEventChannelMember",
      { DeveloperName: `Member_${i}`, EventChannel: "ChangeEvents", SelectedEntity: "AccountChangeEvent" },
      ctx,
    );
  accountIds = [...s.org.store.tableOrThrow("Account").live()].map((r) => r.Id);
  emu = await startEmulator({ org: s.org, port: 0 });
  adminToken = s.org.sessions.openSession(s.adminUser.Id, null, ["api"], null).accessToken;
  standardToken = s.org.sessions.openSession(s.standardUser.Id, null, ["api"], null).accessToken;
});

afterAll(async () => {
  await emu?.close();
});

interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are asserted field by field
  body: any;
}

async function get(path: string, token = adminToken, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${emu.urls.myDomain}${path}`, {
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const q = (soql: string, resource = "query") => `/services/data/v67.0/${resource}?q=${encodeURIComponent(soql)}`;

describe("REST query over HTTP", () => {
  it("pages 5,000 records with batchSize 500, each exactly once and in order", async () => {
    const options = { "sforce-query-options": "batchSize=500" };
    let page = await get(q("SELECT Id, Name FROM Account"), adminToken, options);
    const seen: string[] = [];
    const usage: number[] = [];
    let pages = 0;
    for (;;) {
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toBe("application/json;charset=UTF-8");
      const limitInfo = page.headers.get("sforce-limit-info") ?? "";
      expect(limitInfo).toMatch(/^api-usage=\d+\/100000$/);
      usage.push(Number(/api-usage=(\d+)/.exec(limitInfo)?.[1]));
      expect(page.body.totalSize).toBe(5000);
      expect(page.body.records).toHaveLength(500);
      expect(page.body.records[0].attributes).toEqual({
        type: "Account",
        url: `/services/data/v67.0/sobjects/Account/${page.body.records[0].Id}`,
      });
      seen.push(...page.body.records.map((r: { Id: string }) => r.Id));
      pages++;
      if (page.body.done) break;
      expect(page.body.nextRecordsUrl).toMatch(
        new RegExp(`^/services/data/v67\\.0/query/01g[A-Za-z0-9]{15}-${pages * 500}$`),
      );
      page = await get(page.body.nextRecordsUrl, adminToken, options);
    }
    expect(pages).toBe(10);
    expect(page.body.nextRecordsUrl).toBeUndefined();
    expect(seen).toEqual(accountIds);
    expect(new Set(seen).size).toBe(5000);
    expect(usage).toEqual(usage.map((_, i) => usage[0] + i));
  });

  it("defaults to pages of 2,000", async () => {
    const page = await get(q("SELECT Id FROM Account"));
    expect([page.body.records.length, page.body.done]).toEqual([2000, false]);
    expect(page.body.nextRecordsUrl).toMatch(/-2000$/);
  });

  it("answers INVALID_QUERY_LOCATOR once the locator has been idle too long", async () => {
    const first = await get(q("SELECT Id FROM Account"));
    s.org.clock.advance((s.org.settings.locatorTtlSeconds + 1) * 1000);
    const expired = await get(first.body.nextRecordsUrl);
    expect(expired.status).toBe(400);
    expect(expired.body).toEqual([{ message: "invalid query locator", errorCode: "INVALID_QUERY_LOCATOR" }]);
    expect(expired.headers.get("sforce-limit-info")).toMatch(/^api-usage=\d+\/100000$/);
  });

  it("refuses another user's locator and a fully read one", async () => {
    const first = await get(q("SELECT Id FROM Account"));
    expect((await get(first.body.nextRecordsUrl, standardToken)).body[0].errorCode).toBe("INVALID_QUERY_LOCATOR");
    const [loc] = first.body.nextRecordsUrl.split("/").slice(-1);
    const last = await get(`/services/data/v67.0/query/${loc.replace(/-\d+$/, "-4000")}`);
    expect([last.status, last.body.done, last.body.records.length]).toEqual([200, true, 1000]);
    expect((await get(first.body.nextRecordsUrl)).body[0].errorCode).toBe("INVALID_QUERY_LOCATOR");
  });

  it("serves queryAll locators on both paths; nextRecordsUrl follows the setting", async () => {
    s.org.store.softDelete("Account", accountIds[1], s.org.writeContext(s.adminUser.Id));
    const all = await get(q("SELECT Id, IsDeleted FROM Account", "queryAll"));
    expect(all.body.totalSize).toBe(5000);
    expect(all.body.records[1]).toMatchObject({ Id: accountIds[1], IsDeleted: true });
    expect(all.body.nextRecordsUrl).toMatch(/^\/services\/data\/v67\.0\/query\/01g/);
    const viaQueryAll = await get(all.body.nextRecordsUrl.replace("/query/", "/queryAll/"));
    expect([viaQueryAll.status, viaQueryAll.body.records.length]).toEqual([200, 2000]);
    expect((await get(q("SELECT COUNT() FROM Account"))).body).toEqual({ totalSize: 4999, done: true, records: [] });

    s.org.settings.queryAllLocatorPath = "queryAll";
    const again = await get(q("SELECT Id FROM Account", "queryAll"));
    expect(again.body.nextRecordsUrl).toMatch(/^\/services\/data\/v67\.0\/queryAll\/01g[A-Za-z0-9]{15}-2000$/);
    const viaQuery = await get(again.body.nextRecordsUrl.replace("/queryAll/", "/query/"));
    expect(viaQuery.body.records[0].Id).toBe(accountIds[2000]);
    s.org.settings.queryAllLocatorPath = "query";
    s.org.store.undelete("Account", accountIds[1], s.org.writeContext(s.adminUser.Id));
  });

  it("pages Tooling queries under /tooling/query/", async () => {
    const first = await get(
      q("SELECT Id, DeveloperName FROM PlatformEventChannelMember ORDER BY DeveloperName", "tooling/query"),
      adminToken,
      {
        "sforce-query-options": "batchSize=200",
      },
    );
    expect([first.status, first.body.totalSize, first.body.records.length]).toEqual([200, 450, 200]);
    expect(first.body.records[0].attributes.url).toBe(
      `/services/data/v67.0/tooling/sobjects/PlatformEventChannelMember/${first.body.records[0].Id}`,
    );
    expect(first.body.nextRecordsUrl).toMatch(/^\/services\/data\/v67\.0\/tooling\/query\/01g[A-Za-z0-9]{15}-200$/);
    const second = await get(first.body.nextRecordsUrl);
    const third = await get(second.body.nextRecordsUrl);
    expect([second.body.records.length, third.body.records.length, third.body.done]).toEqual([200, 50, true]);
    expect((await get(q("SELECT Id FROM Account", "tooling/query"))).body[0].errorCode).toBe("INVALID_TYPE");
    expect((await get(q("SELECT Id FROM PlatformEventChannelMember"))).body[0].errorCode).toBe("INVALID_TYPE");
  });

  it("reports errors as Salesforce's JSON array", async () => {
    const missing = await get("/services/data/v67.0/query");
    expect([missing.status, missing.body[0].errorCode]).toEqual([400, "MALFORMED_QUERY"]);
    const bad = await get(q("SELECT Nope FROM Account"));
    expect(bad.status).toBe(400);
    expect(bad.body).toHaveLength(1);
    expect(bad.body[0].errorCode).toBe("INVALID_FIELD");
    expect(bad.body[0].message).toContain("No such column 'Nope' on entity 'Account'.");
    expect((await get("/services/data/v67.0/query?q=SELECT+Id+FROM+Account", "not-a-token")).status).toBe(401);
  });

  it("explains a query as a table scan", async () => {
    const explained = await get(
      `/services/data/v67.0/query/?explain=${encodeURIComponent("SELECT Id FROM Account WHERE Name LIKE 'Paged 1%'")}`,
    );
    expect(explained.status).toBe(200);
    expect(explained.body.plans).toHaveLength(1);
    expect(explained.body.plans[0]).toMatchObject({
      cardinality: 1000,
      fields: [],
      leadingOperationType: "TableScan",
      sobjectCardinality: 5000,
      sobjectType: "Account",
    });
    expect(typeof explained.body.plans[0].relativeCost).toBe("number");
  });
});
