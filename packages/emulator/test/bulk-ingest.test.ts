import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addFields, field } from "../src/schema/field-builders.ts";
import { csvRecords, type Harness, runIngest, startHarness } from "./bulk-harness.ts";

let h: Harness;

function addExternalIds(): void {
  addFields(h.org.objectDef("Account")!, [field("Ext__c", "string", { externalId: true, length: 40 })]);
  h.admin.setFieldPermissions("System Administrator", "Account.Ext__c", "edit");
}

function account(id: string) {
  return h.org.store.tableOrThrow("Account").get(id);
}

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

describe("Bulk 2.0 ingest: insert", () => {
  const csv = [
    "Name,Description,NumberOfEmployees,Industry",
    '"Acme, Inc.","Line one\nLine two with ""quotes"", and a comma",12,#N/A',
    'Globex,"plain",x,Energy',
    ',"no name",3,',
    "Initech,#N/A,,Technology",
    "",
  ].join("\n");

  it("creates the good rows and reports every row in its results file", async () => {
    const id = await runIngest(h.api, { object: "Account", operation: "insert" }, csv);

    const info = (await h.api.send("GET", `/jobs/ingest/${id}`)).json();
    expect(info).toMatchObject({
      id,
      state: "JobComplete",
      jobType: "V2Ingest",
      operation: "insert",
      object: "Account",
      numberRecordsProcessed: 4,
      numberRecordsFailed: 2,
      retries: 0,
      apexProcessingTime: 0,
      contentUrl: `services/data/v67.0/jobs/ingest/${id}/batches`,
    });
    expect(info.errorMessage).toBeUndefined();

    const ok = await h.api.send("GET", `/jobs/ingest/${id}/successfulResults`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(ok.text.split("\n")[0]).toBe('"sf__Id","sf__Created",Name,Description,NumberOfEmployees,Industry');
    const successes = csvRecords(ok.text);
    expect(successes.map((r) => [r.sf__Created, r.Name, r.Description, r.NumberOfEmployees, r.Industry])).toEqual([
      ["true", "Acme, Inc.", 'Line one\nLine two with "quotes", and a comma', "12", "#N/A"],
      ["true", "Initech", "#N/A", "", "Technology"],
    ]);

    const acme = account(successes[0].sf__Id)!;
    expect(acme.Name).toBe("Acme, Inc.");
    expect(acme.Description).toBe('Line one\nLine two with "quotes", and a comma');
    expect(acme.NumberOfEmployees).toBe(12);
    expect(acme.Industry ?? null).toBeNull();
    expect(acme.OwnerId).toBe(h.adminId);
    const initech = account(successes[1].sf__Id)!;
    expect(initech.Description ?? null).toBeNull();
    expect(initech.Industry).toBe("Technology");

    const failed = csvRecords((await h.api.send("GET", `/jobs/ingest/${id}/failedResults`)).text);
    expect(failed.map((r) => [r.sf__Id, r.sf__Error, r.Name, r.Description])).toEqual([
      [
        "",
        "INVALID_TYPE_ON_FIELD_IN_RECORD:Number Of Employees: value not of required type: x:NumberOfEmployees --",
        "Globex",
        "plain",
      ],
      ["", "REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --", "", "no name"],
    ]);
    expect([...h.org.store.tableOrThrow("Account").live()].map((r) => r.Name)).toEqual(["Acme, Inc.", "Initech"]);

    const unprocessed = await h.api.send("GET", `/jobs/ingest/${id}/unprocessedrecords`);
    expect(unprocessed.text).toBe("Name,Description,NumberOfEmployees,Industry\n");
  });

  it("answers the result paths whatever their case", async () => {
    const id = await runIngest(h.api, { object: "Account", operation: "insert" }, "Name\nA\n");
    for (const path of [
      "unprocessedrecords",
      "unprocessedRecords",
      "UNPROCESSEDRECORDS",
      "successfulresults",
      "FailedResults",
    ]) {
      const res = await h.api.send("GET", `/jobs/ingest/${id}/${path}`);
      expect(res.status, path).toBe(200);
    }
    const ok = await h.api.send("GET", `/jobs/ingest/${id}/successfulresults`);
    expect(csvRecords(ok.text).map((r) => r.Name)).toEqual(["A"]);
  });

  it("reads TAB-delimited CRLF uploads and answers in the same dialect", async () => {
    const id = await runIngest(
      h.api,
      { object: "Account", operation: "insert", columnDelimiter: "TAB", lineEnding: "CRLF" },
      'Name\tDescription\r\n"Tab\tName"\t"multi\r\nline"\r\nSecond\tx\r\n',
    );
    const ok = await h.api.send("GET", `/jobs/ingest/${id}/successfulResults`);
    expect(ok.text.startsWith('"sf__Id"\t"sf__Created"\tName\tDescription\r\n')).toBe(true);
    const rows = csvRecords(ok.text, "\t", "\r\n");
    expect(rows.map((r) => [r.Name, r.Description])).toEqual([
      ["Tab\tName", "multi\r\nline"],
      ["Second", "x"],
    ]);
    expect(account(rows[0].sf__Id)!.Description).toBe("multi\r\nline");
  });
});

describe("Bulk 2.0 ingest: update, upsert, delete, hardDelete", () => {
  it("updates by Id: '' leaves a value, #N/A clears it, bad rows fail on their own", async () => {
    const ctx = h.org.writeContext(h.adminId);
    const a = h.org.store.insert("Account", { Name: "A", Phone: "111", Industry: "Energy" }, ctx);
    const b = h.org.store.insert("Account", { Name: "B", Phone: "222", Industry: "Retail" }, ctx);
    const csv = `Id,Name,Phone,Industry\n${a.Id},A2,,#N/A\n${b.Id.slice(0, 15)},"B, renamed",333,\nnot-an-id,C,,\n,D,,\n`;
    const id = await runIngest(h.api, { object: "Account", operation: "update" }, csv);

    const ok = csvRecords((await h.api.send("GET", `/jobs/ingest/${id}/successfulResults`)).text);
    expect(ok.map((r) => [r.sf__Id, r.sf__Created, r.Name])).toEqual([
      [a.Id, "false", "A2"],
      [b.Id, "false", "B, renamed"],
    ]);
    expect([account(a.Id)!.Name, account(a.Id)!.Phone, account(a.Id)!.Industry]).toEqual(["A2", "111", null]);
    expect([account(b.Id)!.Name, account(b.Id)!.Phone, account(b.Id)!.Industry]).toEqual([
      "B, renamed",
      "333",
      "Retail",
    ]);

    const failed = csvRecords((await h.api.send("GET", `/jobs/ingest/${id}/failedResults`)).text);
    expect(failed.map((r) => [r.sf__Id, r.sf__Error, r.Id])).toEqual([
      ["", "MALFORMED_ID:Account ID: id value of incorrect type: not-an-id:Id --", "not-an-id"],
      ["", "MISSING_ARGUMENT:Id not specified in an update call:--", ""],
    ]);
    expect((await h.api.send("GET", `/jobs/ingest/${id}`)).json()).toMatchObject({
      numberRecordsProcessed: 4,
      numberRecordsFailed: 2,
    });
  });

  it("upserts on an external id, and resolves lookups by the parent's external id", async () => {
    addExternalIds();
    const existing = h.org.store.insert("Account", { Name: "Old name", Ext__c: "E-1" }, h.org.writeContext(h.adminId));
    const id = await runIngest(
      h.api,
      { object: "Account", operation: "upsert", externalIdFieldName: "Ext__c" },
      "Ext__c,Name\ne-1,New name\nE-2,Fresh\n,No key\n",
    );
    const ok = csvRecords((await h.api.send("GET", `/jobs/ingest/${id}/successfulResults`)).text);
    expect(ok.map((r) => [r.sf__Created, r.Ext__c, r.Name])).toEqual([
      ["false", "e-1", "New name"],
      ["true", "E-2", "Fresh"],
    ]);
    expect(ok[0].sf__Id).toBe(existing.Id);
    expect(account(existing.Id)!.Name).toBe("New name");
    expect(account(ok[1].sf__Id)!.Ext__c).toBe("E-2");
    const failed = csvRecords((await h.api.send("GET", `/jobs/ingest/${id}/failedResults`)).text);
    expect(failed.map((r) => r.sf__Error)).toEqual(["MISSING_ARGUMENT:Ext__c not specified:--"]);

    const contacts = await runIngest(
      h.api,
      { object: "Contact", operation: "insert" },
      "LastName,Account.Ext__c\nSmith,E-2\nJones,E-404\nDoe,\n",
    );
    const made = csvRecords((await h.api.send("GET", `/jobs/ingest/${contacts}/successfulResults`)).text);
    const byName = new Map(made.map((r) => [r.LastName, h.org.store.tableOrThrow("Contact").get(r.sf__Id)!]));
    expect(byName.get("Smith")!.AccountId).toBe(ok[1].sf__Id);
    expect(byName.get("Doe")!.AccountId ?? null).toBeNull();
    const bad = csvRecords((await h.api.send("GET", `/jobs/ingest/${contacts}/failedResults`)).text);
    expect(bad.map((r) => [r.LastName, r.sf__Error])).toEqual([
      ["Jones", "INVALID_FIELD:Foreign key external ID: E-404 not found for field Ext__c in entity Account:--"],
    ]);
  });

  it("refuses an upsert job without a usable external id field", async () => {
    const missing = await h.api.send("POST", "/jobs/ingest", { object: "Account", operation: "upsert" });
    expect(missing.status).toBe(400);
    expect(missing.json()).toEqual([
      {
        errorCode: "INVALIDJOB",
        message: "External ID was blank for Account. An External ID must be specified for upsert.",
      },
    ]);
    const notExternal = await h.api.send("POST", "/jobs/ingest", {
      object: "Account",
      operation: "upsert",
      externalIdFieldName: "Phone",
    });
    expect(notExternal.status).toBe(400);
    expect(notExternal.json()[0].errorCode).toBe("INVALIDJOB");
  });

  it("deletes to the recycle bin, and hard-deletes for good", async () => {
    const ctx = h.org.writeContext(h.adminId);
    const [a, b, c] = ["A", "B", "C"].map((Name) => h.org.store.insert("Account", { Name }, ctx));
    const soft = await runIngest(h.api, { object: "Account", operation: "delete" }, `Id\n${a.Id}\n${a.Id}\n`);
    const ok = csvRecords((await h.api.send("GET", `/jobs/ingest/${soft}/successfulResults`)).text);
    expect(ok).toEqual([{ sf__Id: a.Id, sf__Created: "false", Id: a.Id }]);
    const failed = csvRecords((await h.api.send("GET", `/jobs/ingest/${soft}/failedResults`)).text);
    expect(failed).toEqual([{ sf__Id: a.Id, sf__Error: "ENTITY_IS_DELETED:entity is deleted:--", Id: a.Id }]);
    expect(account(a.Id)!.IsDeleted).toBe(true);

    const hard = await runIngest(h.api, { object: "Account", operation: "hardDelete" }, `Id\n${b.Id}\n`);
    expect(csvRecords((await h.api.send("GET", `/jobs/ingest/${hard}/successfulResults`)).text)).toEqual([
      { sf__Id: b.Id, sf__Created: "false", Id: b.Id },
    ]);
    expect(account(b.Id)).toBeUndefined();
    expect(account(c.Id)!.IsDeleted).toBe(false);
  });

  it("refuses hardDelete to a user without Bulk API Hard Delete", async () => {
    const user = h.admin.user({ username: "std@example.com", password: "pw-123456", profile: "Standard User" });
    const res = await h.apiFor(user.Id).send("POST", "/jobs/ingest", { object: "Account", operation: "hardDelete" });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual([
      {
        errorCode: "FEATURENOTENABLED",
        message:
          "hardDelete operation requires special user profile permission, please contact your system administrator",
      },
    ]);
    const del = await h.apiFor(user.Id).send("POST", "/jobs/ingest", { object: "Account", operation: "delete" });
    expect(del.status).toBe(200);
  });
});

describe("Bulk 2.0 ingest: job lifecycle", () => {
  it("answers the create call with the job info Salesforce sends", async () => {
    const res = await h.api.send("POST", "/jobs/ingest", {
      object: "account",
      operation: "insert",
      lineEnding: "CRLF",
      columnDelimiter: "PIPE",
    });
    expect(res.status).toBe(200);
    expect(res.text).toContain('"apiVersion":67.0,');
    const info = res.json();
    expect(Object.keys(info)).toEqual([
      "id",
      "operation",
      "object",
      "createdById",
      "createdDate",
      "systemModstamp",
      "state",
      "concurrencyMode",
      "contentType",
      "apiVersion",
      "contentUrl",
      "lineEnding",
      "columnDelimiter",
    ]);
    expect(info).toMatchObject({
      object: "Account",
      state: "Open",
      createdById: h.adminId,
      lineEnding: "CRLF",
      columnDelimiter: "PIPE",
    });
    expect(info.id).toMatch(/^750[A-Za-z0-9]{15}$/);
    expect(info.createdDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$/);
  });

  it("rejects bad job definitions", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ object: "Nope__c", operation: "insert" }, "INVALIDENTITY"],
      [{ object: "Account", operation: "merge" }, "INVALIDJOB"],
      [{ object: "Account", operation: "insert", columnDelimiter: "COLON" }, "INVALIDJOB"],
      [{ object: "Account", operation: "insert", lineEnding: "CR" }, "INVALIDJOB"],
      [{ object: "Account", operation: "insert", contentType: "JSON" }, "INVALIDJOB"],
    ];
    for (const [body, code] of cases) {
      const res = await h.api.send("POST", "/jobs/ingest", body);
      expect([res.status, res.json()[0].errorCode], JSON.stringify(body)).toEqual([400, code]);
    }
    expect((await h.api.send("POST", "/jobs/ingest", "{oops", { "content-type": "application/json" })).status).toBe(
      400,
    );
  });

  it("takes one upload per job, and only while it is Open", async () => {
    const id = (await h.api.send("POST", "/jobs/ingest", { object: "Account", operation: "insert" })).json().id;
    expect((await h.api.send("PUT", `/jobs/ingest/${id}/batches`, "Name\nA\n")).status).toBe(201);
    const again = await h.api.send("PUT", `/jobs/ingest/${id}/batches`, "Name\nB\n");
    expect(again.status).toBe(400);
    expect(again.json()[0].message).toContain("Found multiple contents for job");
    await h.api.send("PATCH", `/jobs/ingest/${id}`, { state: "UploadComplete" });
    const other = (await h.api.send("POST", "/jobs/ingest", { object: "Account", operation: "insert" })).json().id;
    await h.api.send("PATCH", `/jobs/ingest/${other}`, { state: "Aborted" });
    const late = await h.api.send("PUT", `/jobs/ingest/${other}/batches`, "Name\nC\n");
    expect([late.status, late.json()[0].errorCode]).toEqual([400, "INVALIDJOBSTATE"]);
  });

  it("aborts a job: nothing is written and every row is unprocessed", async () => {
    const id = (await h.api.send("POST", "/jobs/ingest", { object: "Account", operation: "insert" })).json().id;
    const csv = 'Name,Description\nOne,"a\nb"\nTwo,x\n';
    await h.api.send("PUT", `/jobs/ingest/${id}/batches`, csv);
    expect((await h.api.send("PATCH", `/jobs/ingest/${id}`, { state: "UploadComplete" })).json().state).toBe(
      "UploadComplete",
    );
    const aborted = await h.api.send("PATCH", `/jobs/ingest/${id}`, { state: "Aborted" });
    expect([aborted.status, aborted.json().state]).toEqual([200, "Aborted"]);
    const info = (await h.api.send("GET", `/jobs/ingest/${id}`)).json();
    expect(info).toMatchObject({ state: "Aborted", numberRecordsProcessed: 0, numberRecordsFailed: 0 });
    expect(h.org.store.tableOrThrow("Account").size).toBe(0);
    const unprocessed = csvRecords((await h.api.send("GET", `/jobs/ingest/${id}/unprocessedRecords`)).text);
    expect(unprocessed).toEqual([
      { Name: "One", Description: "a\nb" },
      { Name: "Two", Description: "x" },
    ]);
    expect((await h.api.send("GET", `/jobs/ingest/${id}/successfulResults`)).text).toBe('"sf__Id","sf__Created"\n');
    const reopen = await h.api.send("PATCH", `/jobs/ingest/${id}`, { state: "UploadComplete" });
    expect([reopen.status, reopen.json()[0].errorCode]).toEqual([400, "INVALIDJOBSTATE"]);
  });

  it("fails the whole job when the header names a field that isn't there", async () => {
    const id = await runIngest(h.api, { object: "Account", operation: "insert" }, "Name,Foo__c\nA,1\nB,2\n");
    const info = (await h.api.send("GET", `/jobs/ingest/${id}`)).json();
    expect(info).toMatchObject({
      state: "Failed",
      errorMessage: "InvalidBatch : Field name not found : Foo__c",
      numberRecordsProcessed: 0,
      numberRecordsFailed: 0,
    });
    const unprocessed = csvRecords((await h.api.send("GET", `/jobs/ingest/${id}/unprocessedrecords`)).text);
    expect(unprocessed).toEqual([
      { Name: "A", Foo__c: "1" },
      { Name: "B", Foo__c: "2" },
    ]);
    expect(csvRecords((await h.api.send("GET", `/jobs/ingest/${id}/failedResults`)).text)).toEqual([]);
    expect(h.org.store.tableOrThrow("Account").size).toBe(0);
  });

  it("fails a job whose header names a field the operation cannot write", async () => {
    const id = await runIngest(
      h.api,
      { object: "Account", operation: "insert" },
      "Name,CreatedDate\nA,2024-01-01T00:00:00Z\n",
    );
    expect((await h.api.send("GET", `/jobs/ingest/${id}`)).json()).toMatchObject({
      state: "Failed",
      errorMessage: "InvalidBatch : Field name not found : CreatedDate",
    });
  });

  it("fails a job whose rows end in another line ending than the job's", async () => {
    const id = await runIngest(h.api, { object: "Account", operation: "insert" }, "Name\r\nA\r\n");
    expect((await h.api.send("GET", `/jobs/ingest/${id}`)).json()).toMatchObject({
      state: "Failed",
      errorMessage: "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF",
    });
    expect((await h.api.send("GET", `/jobs/ingest/${id}/unprocessedrecords`)).text).toBe("Name\r\nA\r\n");
    const crlf = await runIngest(h.api, { object: "Account", operation: "insert", lineEnding: "CRLF" }, "Name\nA\n");
    expect((await h.api.send("GET", `/jobs/ingest/${crlf}`)).json().errorMessage).toBe(
      "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is CRLF",
    );
    expect(h.org.store.tableOrThrow("Account").size).toBe(0);
  });

  it("stays InProgress on the org clock, then completes", async () => {
    h.org.settings.bulkJobProcessingMs = 30_000;
    const id = await runIngest(h.api, { object: "Account", operation: "insert" }, "Name\nLater\n");
    expect((await h.api.send("GET", `/jobs/ingest/${id}`)).json()).toMatchObject({
      state: "InProgress",
      numberRecordsProcessed: 0,
    });
    expect(h.org.store.tableOrThrow("Account").size).toBe(0);
    h.org.clock.advance(29_000);
    expect((await h.api.send("GET", `/jobs/ingest/${id}`)).json().state).toBe("InProgress");
    const running = await h.api.send("DELETE", `/jobs/ingest/${id}`);
    expect([running.status, running.json()[0].errorCode]).toEqual([400, "INVALIDJOBSTATE"]);
    h.org.clock.advance(1_000);
    expect((await h.api.send("GET", `/jobs/ingest/${id}`)).json()).toMatchObject({
      state: "JobComplete",
      numberRecordsProcessed: 1,
    });
    expect([...h.org.store.tableOrThrow("Account").live()].map((r) => r.Name)).toEqual(["Later"]);
  });

  it("lists jobs and deletes finished ones", async () => {
    const done = await runIngest(h.api, { object: "Account", operation: "insert" }, "Name\nA\n");
    const open = (await h.api.send("POST", "/jobs/ingest", { object: "Contact", operation: "insert" })).json().id;
    const list = (await h.api.send("GET", "/jobs/ingest")).json();
    expect(list.done).toBe(true);
    expect(list.nextRecordsUrl).toBeNull();
    expect(list.records.map((r: { id: string; jobType: string }) => [r.id, r.jobType])).toEqual([
      [done, "V2Ingest"],
      [open, "V2Ingest"],
    ]);
    expect((await h.api.send("GET", "/jobs/ingest?jobType=V2Ingest")).json().records).toHaveLength(2);
    expect((await h.api.send("GET", "/jobs/ingest?jobType=Classic")).json().records).toEqual([]);
    const refused = await h.api.send("DELETE", `/jobs/ingest/${open}`);
    expect([refused.status, refused.json()[0].errorCode]).toEqual([400, "INVALIDJOBSTATE"]);
    expect((await h.api.send("DELETE", `/jobs/ingest/${done}`)).status).toBe(204);
    const gone = await h.api.send("GET", `/jobs/ingest/${done}`);
    expect([gone.status, gone.json()[0].errorCode]).toEqual([404, "NOT_FOUND"]);
  });

  it("keeps jobs to their creator", async () => {
    const id = await runIngest(h.api, { object: "Account", operation: "insert" }, "Name\nA\n");
    const user = h.admin.user({ username: "other@example.com", password: "pw-123456", profile: "Standard User" });
    const other = h.apiFor(user.Id);
    expect((await other.send("GET", `/jobs/ingest/${id}`)).status).toBe(404);
    expect((await other.send("GET", "/jobs/ingest")).json().records).toEqual([]);
  });
});
