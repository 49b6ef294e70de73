import jsforce from "jsforce";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "../src/seed/demo-seed.ts";
import { type DemoOrg, startDemoOrg } from "../src/testing/index.ts";

/**
 * jsforce 3, unchanged, driving the resources beyond CRUD and SOQL: sObject Tree, Composite
 * Graph, SOSL search, recent items, the UI API's object info, and the method override.
 */
let t: DemoOrg;
let conn: jsforce.Connection;

beforeAll(async () => {
  t = await startDemoOrg();
  conn = new jsforce.Connection({
    oauth2: {
      loginUrl: t.emulator.urls.login,
      clientId: DEMO.app.clientId,
      clientSecret: DEMO.app.clientSecret,
      redirectUri: DEMO.app.callbackUrls[0],
    },
    version: "67.0",
  });
  await conn.login(DEMO.admin.username, DEMO.admin.password);
});
afterAll(async () => {
  await t?.close();
});

/** The same request as jsforce's session, answered as it is (errors included). */
function raw(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  return fetch(`${conn.instanceUrl}/services/data/v67.0${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${conn.accessToken}`, "content-type": "application/json", ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

describe("sObject Tree", () => {
  it("inserts accounts with their contacts, level by level, the children pointing at their parent", async () => {
    const result = await conn.requestPost<{ hasErrors: boolean; results: Array<{ referenceId: string; id: string }> }>(
      "/composite/tree/Account",
      {
        records: [
          {
            attributes: { type: "Account", referenceId: "acc1" },
            Name: "Tree Parent One",
            Contacts: {
              records: [
                { attributes: { type: "Contact", referenceId: "con1" }, LastName: "Leaf", FirstName: "Ada" },
                { attributes: { type: "Contact", referenceId: "con2" }, LastName: "Branch" },
              ],
            },
          },
          { attributes: { type: "Account", referenceId: "acc2" }, Name: "Tree Parent Two" },
        ],
      },
    );
    expect(result.hasErrors).toBe(false);
    expect(result.results.map((r) => r.referenceId)).toEqual(["acc1", "acc2", "con1", "con2"]);
    const accountId = result.results[0]!.id;
    const contacts = await conn.query<{ LastName: string; AccountId: string }>(
      `SELECT LastName, AccountId FROM Contact WHERE AccountId = '${accountId}' ORDER BY LastName`,
    );
    expect(contacts.records.map((c) => [c.LastName, c.AccountId])).toEqual([
      ["Branch", accountId],
      ["Leaf", accountId],
    ]);
  });

  it("rolls every record back when one fails, reporting only the failing one", async () => {
    const before = t.org.store.tableOrThrow("Account").size;
    const res = await raw("/composite/tree/Account", {
      method: "POST",
      body: {
        records: [
          {
            attributes: { type: "Account", referenceId: "ok" },
            Name: "Rolled Back Parent",
            Contacts: { records: [{ attributes: { type: "Contact", referenceId: "bad" }, FirstName: "No Last Name" }] },
          },
        ],
      },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { hasErrors: boolean; results: Array<{ referenceId: string; errors: unknown }> };
    expect(body.hasErrors).toBe(true);
    expect(body.results).toEqual([
      {
        referenceId: "bad",
        errors: [expect.objectContaining({ statusCode: "REQUIRED_FIELD_MISSING", fields: ["LastName"] })],
      },
    ]);
    expect(t.org.store.tableOrThrow("Account").size).toBe(before);
  });

  it("refuses duplicate reference ids and more than 200 records", async () => {
    const dup = await raw("/composite/tree/Account", {
      method: "POST",
      body: {
        records: [
          { attributes: { type: "Account", referenceId: "same" }, Name: "A" },
          { attributes: { type: "Account", referenceId: "same" }, Name: "B" },
        ],
      },
    });
    expect(dup.status).toBe(400);
    expect(((await dup.json()) as { results: unknown[] }).results).toHaveLength(2);
    const records = Array.from({ length: 201 }, (_, i) => ({
      attributes: { type: "Account", referenceId: `r${i}` },
      Name: `N${i}`,
    }));
    const tooMany = await raw("/composite/tree/Account", { method: "POST", body: { records } });
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(await tooMany.json())).toContain("200");
  });
});

describe("Composite Graph", () => {
  it("commits a graph whole, and rolls a failing graph back whole without touching the other", async () => {
    const answer = await conn.requestPost<{
      graphs: Array<{ graphId: string; isSuccessful: boolean; graphResponse: { compositeResponse: unknown[] } }>;
    }>("/composite/graph", {
      graphs: [
        {
          graphId: "good",
          compositeRequest: [
            {
              method: "POST",
              url: "/services/data/v67.0/sobjects/Account",
              referenceId: "a",
              body: { Name: "Graph Co" },
            },
            {
              method: "POST",
              url: "/services/data/v67.0/sobjects/Contact",
              referenceId: "c",
              body: { LastName: "Graphed", AccountId: "@{a.id}" },
            },
          ],
        },
        {
          graphId: "bad",
          compositeRequest: [
            { method: "POST", url: "/services/data/v67.0/sobjects/Account", referenceId: "a2", body: { Name: "Gone" } },
            {
              method: "POST",
              url: "/services/data/v67.0/sobjects/Contact",
              referenceId: "c2",
              body: { FirstName: "X" },
            },
          ],
        },
      ],
    });
    expect(answer.graphs.map((g) => [g.graphId, g.isSuccessful])).toEqual([
      ["good", true],
      ["bad", false],
    ]);
    expect(answer.graphs[1]!.graphResponse.compositeResponse[0]).toMatchObject({
      httpStatusCode: 400,
      body: [expect.objectContaining({ errorCode: "PROCESSING_HALTED" })],
    });
    const kept = await conn.query<{ Name: string }>("SELECT Name FROM Account WHERE Name IN ('Graph Co', 'Gone')");
    expect(kept.records.map((r) => r.Name)).toEqual(["Graph Co"]);
    const contact = await conn.query<{ Account: { Name: string } }>(
      "SELECT Account.Name FROM Contact WHERE LastName = 'Graphed'",
    );
    expect(contact.records[0]!.Account.Name).toBe("Graph Co");
  });
});

describe("SOSL search", () => {
  beforeAll(async () => {
    await conn.sobject("Account").create([
      { Name: "Zyxwv Industries", Industry: "Technology" },
      { Name: "Zyxwv Labs", Industry: "Biotechnology" },
      { Name: "Unrelated Co", Description: "mentions zyxwv in passing" },
    ]);
    await conn.sobject("Contact").create({ LastName: "Zyxwvson", Email: "zyx@example.com" });
  });

  it("finds records by a word in name fields, with per-object fields, WHERE, ORDER BY and LIMIT", async () => {
    const found = await conn.search(
      "FIND {zyxwv*} IN NAME FIELDS RETURNING Account(Id, Name WHERE Industry != null ORDER BY Name DESC LIMIT 5), Contact(LastName)",
    );
    expect(
      found.searchRecords.map((r) => [
        r.attributes?.type,
        (r as { Name?: string }).Name ?? (r as { LastName?: string }).LastName,
      ]),
    ).toEqual([
      ["Account", "Zyxwv Labs"],
      ["Account", "Zyxwv Industries"],
      ["Contact", "Zyxwvson"],
    ]);
  });

  it("searches every text field in ALL FIELDS, requires every word, and honours the overall LIMIT", async () => {
    const all = await conn.search("FIND {zyxwv} RETURNING Account(Name ORDER BY Name)");
    expect(all.searchRecords.map((r) => (r as { Name?: string }).Name)).toEqual([
      "Unrelated Co",
      "Zyxwv Industries",
      "Zyxwv Labs",
    ]);
    const both = await conn.search("FIND {zyxwv labs} RETURNING Account(Name)");
    expect(both.searchRecords.map((r) => (r as { Name?: string }).Name)).toEqual(["Zyxwv Labs"]);
    const limited = await conn.search("FIND {zyxwv*} RETURNING Account(Name), Contact(LastName) LIMIT 2");
    expect(limited.searchRecords).toHaveLength(2);
  });

  it("answers a malformed search with Salesforce's error", async () => {
    const res = await raw(`/search?q=${encodeURIComponent("SELECT Id FROM Account")}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as Array<{ errorCode: string }>)[0]!.errorCode).toBe("MALFORMED_SEARCH");
  });
});

describe("recent items, the UI API and the method override", () => {
  it("lists the records the user changed last, newest first", async () => {
    // Times have second precision: a second passes before each, so they are the two latest.
    await t.control("/clock/advance", { method: "POST", body: { seconds: 1 } });
    const older = (await conn.sobject("Account").create({ Name: "Older Account" })) as { id: string };
    await t.control("/clock/advance", { method: "POST", body: { seconds: 1 } });
    const newer = (await conn.sobject("Account").create({ Name: "Most Recent Account" })) as { id: string };
    const recent = await conn.recent(2);
    expect(recent.map((r) => [r.Id, (r as { Name?: string }).Name])).toEqual([
      [newer.id, "Most Recent Account"],
      [older.id, "Older Account"],
    ]);
  });

  it("serves object info and picklist values for the master record type", async () => {
    const info = await conn.request<{
      apiName: string;
      defaultRecordTypeId: string;
      fields: Record<string, { dataType: string; required: boolean }>;
    }>("/services/data/v67.0/ui-api/object-info/Account");
    expect(info.apiName).toBe("Account");
    expect(info.fields.Name).toMatchObject({ dataType: "String", required: true });
    expect(info.fields.Industry!.dataType).toBe("Picklist");
    const values = await conn.request<{ values: Array<{ value: string }> }>(
      `/services/data/v67.0/ui-api/object-info/Account/picklist-values/${info.defaultRecordTypeId}/Rating`,
    );
    expect(values.values.map((v) => v.value)).toEqual(["Hot", "Warm", "Cold"]);
    const all = await conn.request<{ picklistFieldValues: Record<string, unknown> }>(
      `/services/data/v67.0/ui-api/object-info/Account/picklist-values/${info.defaultRecordTypeId}`,
    );
    expect(Object.keys(all.picklistFieldValues)).toEqual(expect.arrayContaining(["Industry", "Rating", "Type"]));
    const other = await raw("/ui-api/object-info/Account/picklist-values/012000000000001AAA");
    expect(other.status).toBe(404);
  });

  it("takes POST with _HttpMethod=PATCH as an update, and answers describe global 304 when nothing changed", async () => {
    const { id } = (await conn.sobject("Account").create({ Name: "Before Override" })) as { id: string };
    const res = await raw(`/sobjects/Account/${id}?_HttpMethod=PATCH`, {
      method: "POST",
      body: { Name: "After Override" },
    });
    expect(res.status).toBe(204);
    expect(((await conn.sobject("Account").retrieve(id)) as { Name: string }).Name).toBe("After Override");
    const global = await raw("/sobjects");
    const lastModified = global.headers.get("last-modified")!;
    expect(lastModified).toBeTruthy();
    expect((await raw("/sobjects", { headers: { "if-modified-since": lastModified } })).status).toBe(304);
  });
});
