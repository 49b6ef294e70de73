import { request } from "node:http";
import { gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Api, csvRecords, type Harness, startHarness } from "./bulk-harness.ts";

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

function seedAccounts(n: number): string[] {
  const ctx = h.org.writeContext(h.adminId);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(
      h.org.store.insert(
        "Account",
        { Name: `Account ${i}`, NumberOfEmployees: i, Description: i % 7 === 0 ? 'say "hi", then\nleave' : null },
        ctx,
      ).Id,
    );
  }
  return ids;
}

async function createQuery(api: Api, query: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await api.send("POST", "/jobs/query", { operation: "query", query, ...extra });
  if (res.status !== 200) throw new Error(`create failed: ${res.status} ${res.text}`);
  return res.json().id;
}

describe("Bulk 2.0 query jobs", () => {
  it("answers the create call in state UploadComplete with the FROM object", async () => {
    const res = await h.api.send("POST", "/jobs/query", { operation: "query", query: "SELECT Id FROM account" });
    expect(res.status).toBe(200);
    expect(res.text).toContain('"apiVersion":67.0,');
    const info = res.json();
    expect(info).toMatchObject({
      operation: "query",
      object: "Account",
      state: "UploadComplete",
      contentType: "CSV",
      lineEnding: "LF",
      columnDelimiter: "COMMA",
      concurrencyMode: "Parallel",
    });
    const polled = (await h.api.send("GET", `/jobs/query/${info.id}`)).json();
    expect(polled).toMatchObject({
      id: info.id,
      state: "JobComplete",
      jobType: "V2Query",
      numberRecordsProcessed: 0,
      retries: 0,
    });
    const empty = await h.api.send("GET", `/jobs/query/${info.id}/results`);
    expect([
      empty.status,
      empty.text,
      empty.headers.get("sforce-numberofrecords"),
      empty.headers.get("sforce-locator"),
    ]).toEqual([200, '"Id"\n', "0", "null"]);
  });

  it("pages results with maxRecords until Sforce-Locator is null, every row once", async () => {
    const ids = seedAccounts(2345);
    const id = await createQuery(h.api, "SELECT Id, Name FROM Account");
    expect((await h.api.send("GET", `/jobs/query/${id}`)).json()).toMatchObject({
      state: "JobComplete",
      numberRecordsProcessed: 2345,
    });

    const counts: string[] = [];
    const locators: string[] = [];
    const seen: string[] = [];
    let locator: string | null = null;
    do {
      const path: string = `/jobs/query/${id}/results?maxRecords=1000${locator ? `&locator=${locator}` : ""}`;
      const page = await h.api.send("GET", path, undefined, { accept: "text/csv" });
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/^text\/csv/);
      expect(page.text.split("\n")[0]).toBe('"Id","Name"');
      counts.push(page.headers.get("sforce-numberofrecords")!);
      locator = page.headers.get("sforce-locator");
      locators.push(locator!);
      const rows = csvRecords(page.text);
      expect(rows.length).toBe(Number(counts.at(-1)));
      for (const r of rows) seen.push(r.Id);
      if (locator === "null") break;
    } while (locators.length < 10);
    expect(counts).toEqual(["1000", "1000", "345"]);
    expect(locators).toEqual(["MTAwMA", "MjAwMA", "null"]);
    expect(seen).toEqual(ids);
    expect(new Set(seen).size).toBe(2345);
  });

  it("sends one large page when maxRecords is absent", async () => {
    seedAccounts(120);
    const id = await createQuery(h.api, "SELECT Name FROM Account");
    const page = await h.api.send("GET", `/jobs/query/${id}/results`);
    expect(page.headers.get("sforce-numberofrecords")).toBe("120");
    expect(page.headers.get("sforce-locator")).toBe("null");
    expect(csvRecords(page.text).map((r) => r.Name)).toEqual(Array.from({ length: 120 }, (_, i) => `Account ${i}`));
  });

  it("writes columns in SELECT order, parents by path, datetimes with Z, booleans, nulls empty", async () => {
    const ctx = h.org.writeContext(h.adminId);
    const parent = h.org.store.insert("Account", { Name: "Parent Co" }, ctx);
    const child = h.org.store.insert(
      "Account",
      { Name: 'Child, "Junior"', ParentId: parent.Id, Description: "two\nlines" },
      ctx,
    );
    const id = await createQuery(
      h.api,
      "SELECT Name, Parent.Name, Id, IsDeleted, CreatedDate, Description, Owner.Name FROM Account ORDER BY Name",
    );
    const page = await h.api.send("GET", `/jobs/query/${id}/results`);
    const lines = page.text.split("\n");
    expect(lines[0]).toBe('"Name","Parent.Name","Id","IsDeleted","CreatedDate","Description","Owner.Name"');
    const created = new Date(child.CreatedDate as number).toISOString();
    expect(page.text).toContain(
      `"Child, ""Junior""","Parent Co","${child.Id}","false","${created}","two\nlines","Ada Admin"`,
    );
    expect(csvRecords(page.text)).toEqual([
      {
        Name: 'Child, "Junior"',
        "Parent.Name": "Parent Co",
        Id: child.Id,
        IsDeleted: "false",
        CreatedDate: created,
        Description: "two\nlines",
        "Owner.Name": "Ada Admin",
      },
      {
        Name: "Parent Co",
        "Parent.Name": "",
        Id: parent.Id,
        IsDeleted: "false",
        CreatedDate: new Date(parent.CreatedDate as number).toISOString(),
        Description: "",
        "Owner.Name": "Ada Admin",
      },
    ]);
    expect(created).toMatch(/Z$/);
  });

  it("uses the job's delimiter and line ending", async () => {
    seedAccounts(2);
    const id = await createQuery(h.api, "SELECT Name, NumberOfEmployees FROM Account", {
      columnDelimiter: "PIPE",
      lineEnding: "CRLF",
    });
    const page = await h.api.send("GET", `/jobs/query/${id}/results`);
    expect(page.text).toBe('"Name"|"NumberOfEmployees"\r\n"Account 0"|"0"\r\n"Account 1"|"1"\r\n');
  });

  it("queryAll includes deleted rows, query does not", async () => {
    const ids = seedAccounts(3);
    h.org.store.softDelete("Account", ids[1], h.org.writeContext(h.adminId));
    const live = await createQuery(h.api, "SELECT Id, IsDeleted FROM Account");
    const all = await createQuery(h.api, "SELECT Id, IsDeleted FROM Account", { operation: "queryAll" });
    expect((await h.api.send("GET", `/jobs/query/${all}`)).json().operation).toBe("queryAll");
    const liveRows = csvRecords((await h.api.send("GET", `/jobs/query/${live}/results`)).text);
    const allRows = csvRecords((await h.api.send("GET", `/jobs/query/${all}/results`)).text);
    expect(liveRows).toEqual([
      { Id: ids[0], IsDeleted: "false" },
      { Id: ids[2], IsDeleted: "false" },
    ]);
    expect(allRows).toEqual([
      { Id: ids[0], IsDeleted: "false" },
      { Id: ids[1], IsDeleted: "true" },
      { Id: ids[2], IsDeleted: "false" },
    ]);
  });

  it("refuses results before the job completes, with the configured status", async () => {
    h.org.settings.bulkJobProcessingMs = 60_000;
    seedAccounts(5);
    const id = await createQuery(h.api, "SELECT Id FROM Account");
    const early = await h.api.send("GET", `/jobs/query/${id}/results`);
    expect(early.status).toBe(400);
    expect(early.json()[0].errorCode).toBe("JOB_NOT_COMPLETE");
    expect((await h.api.send("GET", `/jobs/query/${id}`)).json().state).toBe("InProgress");
    h.org.settings.bulkResultsNotReadyStatus = 412;
    h.org.clock.advance(30_000);
    expect((await h.api.send("GET", `/jobs/query/${id}/results`)).status).toBe(412);
    // Rows written while the job runs are in its results: they are captured at completion.
    h.org.store.insert("Account", { Name: "Late" }, h.org.writeContext(h.adminId));
    h.org.clock.advance(30_000);
    const ready = await h.api.send("GET", `/jobs/query/${id}/results`);
    expect([ready.status, ready.headers.get("sforce-numberofrecords")]).toEqual([200, "6"]);
    expect((await h.api.send("GET", `/jobs/query/${id}`)).json()).toMatchObject({
      state: "JobComplete",
      numberRecordsProcessed: 6,
    });
  });

  it("refuses queries Bulk cannot run, when the job is created", async () => {
    const cases: Array<[string, number, string, string]> = [
      ["SELECT COUNT() FROM Account", 400, "API_ERROR", "Aggregate Relationships not supported in Bulk Query"],
      [
        "SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry",
        400,
        "API_ERROR",
        "Aggregate Relationships not supported in Bulk Query",
      ],
      ["SELECT Id FROM Account LIMIT 10 OFFSET 5", 400, "API_ERROR", "OFFSET clause is not supported in Bulk Query"],
      [
        "SELECT Id, (SELECT Id FROM Contacts) FROM Account",
        400,
        "API_ERROR",
        "Aggregate Relationships not supported in Bulk V2 Query with CSV content type",
      ],
      [
        "SELECT TYPEOF Owner WHEN User THEN Name END FROM Account",
        400,
        "API_ERROR",
        "TYPEOF is not supported in Bulk Query",
      ],
      [
        "SELECT Id, BillingAddress FROM Account",
        400,
        "API_ERROR",
        "Selecting compound data not supported in Bulk Query",
      ],
      [
        "SELECT Id, Account.BillingAddress FROM Contact",
        400,
        "API_ERROR",
        "Selecting compound data not supported in Bulk Query",
      ],
      [
        "SELECT Id, Name FROM PermissionSet",
        400,
        "INVALIDENTITY",
        "Entity 'PermissionSet' is not supported by the Bulk API.",
      ],
    ];
    for (const [query, status, code, message] of cases) {
      const res = await h.api.send("POST", "/jobs/query", { operation: "query", query });
      expect([res.status, res.json()], query).toEqual([status, [{ errorCode: code, message }]]);
    }
    const unknown = await h.api.send("POST", "/jobs/query", { operation: "query", query: "SELECT Id FROM Nope__c" });
    expect([unknown.status, unknown.json()[0].errorCode]).toEqual([400, "INVALID_TYPE"]);
    const badField = await h.api.send("POST", "/jobs/query", {
      operation: "query",
      query: "SELECT Nope__c FROM Account",
    });
    expect([badField.status, badField.json()[0].errorCode]).toEqual([400, "INVALID_FIELD"]);
    const badOp = await h.api.send("POST", "/jobs/query", { operation: "search", query: "SELECT Id FROM Account" });
    expect([badOp.status, badOp.json()[0].errorCode]).toEqual([400, "INVALIDJOB"]);
    expect((await h.api.send("GET", "/jobs/query")).json().records).toEqual([]);
  });

  it("gzips a page when the client accepts it", async () => {
    seedAccounts(50);
    const id = await createQuery(h.api, "SELECT Id, Name FROM Account");
    const plain = await h.api.send("GET", `/jobs/query/${id}/results`);
    const url = new URL(`${h.api.base}/services/data/v67.0/jobs/query/${id}/results`);
    const raw = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      const req = request(
        url,
        { headers: { authorization: `Bearer ${h.api.token}`, "accept-encoding": "gzip, deflate" } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(raw.headers["content-encoding"]).toBe("gzip");
    expect(raw.headers["sforce-numberofrecords"]).toBe("50");
    expect(raw.headers["sforce-locator"]).toBe("null");
    expect(raw.body[0]).toBe(0x1f);
    expect(gunzipSync(raw.body).toString("utf8")).toBe(plain.text);
  });

  it("answers results only to the API version that created the job", async () => {
    seedAccounts(1);
    const id = await createQuery(h.api, "SELECT Id FROM Account");
    const other = await h.api.withVersion("v66.0").send("GET", `/jobs/query/${id}/results`);
    expect([other.status, other.json()[0].errorCode]).toEqual([409, "CONFLICT"]);
    expect((await h.api.send("GET", `/jobs/query/${id}/results`)).status).toBe(200);
    expect(
      (
        await h.api
          .withVersion("v46.0")
          .send("POST", "/jobs/query", { operation: "query", query: "SELECT Id FROM Account" })
      ).status,
    ).toBe(404);
  });

  it("rejects a bad locator or maxRecords", async () => {
    seedAccounts(3);
    const id = await createQuery(h.api, "SELECT Id FROM Account");
    const badLocator = await h.api.send("GET", `/jobs/query/${id}/results?locator=zzz!`);
    expect([badLocator.status, badLocator.json()[0].errorCode]).toEqual([400, "INVALID_QUERY_LOCATOR"]);
    const badMax = await h.api.send("GET", `/jobs/query/${id}/results?maxRecords=0`);
    expect(badMax.status).toBe(400);
  });

  it("aborts and deletes a query job", async () => {
    h.org.settings.bulkJobProcessingMs = 10_000;
    seedAccounts(2);
    const id = await createQuery(h.api, "SELECT Id FROM Account");
    const aborted = await h.api.send("PATCH", `/jobs/query/${id}`, { state: "Aborted" });
    expect([aborted.status, aborted.json().state]).toEqual([200, "Aborted"]);
    h.org.clock.advance(20_000);
    expect((await h.api.send("GET", `/jobs/query/${id}`)).json().state).toBe("Aborted");
    const results = await h.api.send("GET", `/jobs/query/${id}/results`);
    expect([results.status, results.json()[0].errorCode]).toEqual([400, "INVALIDJOBSTATE"]);
    const list = (await h.api.send("GET", "/jobs/query")).json();
    expect(list.records.map((r: { id: string; state: string; jobType: string }) => [r.id, r.state, r.jobType])).toEqual(
      [[id, "Aborted", "V2Query"]],
    );
    expect((await h.api.send("DELETE", `/jobs/query/${id}`)).status).toBe(204);
    expect((await h.api.send("GET", `/jobs/query/${id}`)).status).toBe(404);
  });
});
