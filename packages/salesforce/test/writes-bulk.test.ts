import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type BulkIngestOptions,
  bulkIngest,
  closeIngestJob,
  createIngestJob,
  failedResults,
  getIngestJob,
  type IngestJobResults,
  SalesforceApiError,
  type SalesforceClient,
  successfulResults,
  TransportFailure,
  uploadJobData,
  type WriteRecord,
  waitForIngestJob,
} from "../src/index.ts";
import { calls } from "./support/demo-org.ts";
import { startWriteOrg, type WriteOrg } from "./support/write-org.ts";

let w: WriteOrg;
let sf: SalesforceClient;

beforeAll(async () => {
  w = await startWriteOrg();
  sf = w.client();
});
afterAll(async () => {
  await w.close();
});
afterEach(() => {
  w.demo.org.faults.reset();
});

const JOBS = "/services/data/:version/jobs/ingest";
const noWait = { sleep: async () => {} };

async function ingest(options: Omit<BulkIngestOptions, keyof typeof noWait>): Promise<IngestJobResults[]> {
  const out: IngestJobResults[] = [];
  for await (const job of bulkIngest(sf, { ...noWait, ...options })) out.push(job);
  return out;
}

async function* slowly(records: WriteRecord[]): AsyncGenerator<WriteRecord> {
  for (const r of records) yield r;
}

const byName = (prefix: string) => (r: Record<string, unknown>) =>
  String(r.Name ?? r.LastName ?? "").startsWith(prefix);

describe("bulkIngest: each operation, results matched back to input order", () => {
  it("insert, with duplicate identical rows and a bad one: one result per input, in order", async () => {
    const records = [
      { LastName: "bi-a", FirstName: "Ann" },
      { LastName: "bi-dup" },
      { FirstName: "no last name" },
      { LastName: "bi-dup" },
      { LastName: "bi-b", Email: null },
    ];
    const jobs = await ingest({
      object: "Contact",
      operation: "insert",
      columns: ["LastName", "FirstName", "Email"],
      records: slowly(records),
    });
    expect(jobs).toHaveLength(1);
    const [job] = jobs;
    expect(job.job.state).toBe("JobComplete");
    expect(job.results.map((r) => [r.index, r.outcome, r.created])).toEqual([
      [0, "succeeded", true],
      [1, "succeeded", true],
      [2, "failed", false],
      [3, "succeeded", true],
      [4, "succeeded", true],
    ]);
    expect(job.results[2].errors[0]).toMatchObject({ code: "REQUIRED_FIELD_MISSING", fields: ["LastName"] });
    // Identical rows got one record each: two distinct ids, two rows.
    expect(job.results[1].id).not.toBe(job.results[3].id);
    const ids = job.results.filter((r) => r.success).map((r) => r.id);
    const rows = ids.map((id) => w.rows("Contact", (r) => r.Id === id)[0]);
    expect(rows.map((r) => r.LastName)).toEqual(["bi-a", "bi-dup", "bi-dup", "bi-b"]);
    expect(rows[0].FirstName).toBe("Ann");
  });

  it("update by Id: each result goes to the record it names, failures included", async () => {
    const [created] = await ingest({
      object: "Account",
      operation: "insert",
      records: [{ Name: "bu-0" }, { Name: "bu-1" }, { Name: "bu-2" }],
    });
    const ids = created.results.map((r) => r.id as string);
    await ingest({ object: "Account", operation: "delete", records: [{ Id: ids[1] }] });
    const [job] = await ingest({
      object: "Account",
      operation: "update",
      records: [
        { Id: ids[2], Phone: "555-0102" },
        { Id: ids[1], Phone: "555-0101" },
        { Id: ids[0], Phone: "555-0100" },
      ],
    });
    expect(job.results.map((r) => [r.id, r.outcome])).toEqual([
      [ids[2], "succeeded"],
      [ids[1], "failed"],
      [ids[0], "succeeded"],
    ]);
    expect(job.results[1].errors[0].code).toBe("ENTITY_IS_DELETED");
    expect(w.rows("Account", (r) => r.Id === ids[0])[0].Phone).toBe("555-0100");
  });

  it("upsert by external id, with a parent given by its external id (an Account.External_Id__c column)", async () => {
    await ingest({
      object: "Account",
      operation: "insert",
      records: [
        { Name: "bup-parent", External_Id__c: "BUP-P" },
        { Name: "bup-old", External_Id__c: "BUP-1" },
      ],
    });
    const parentId = w.rows("Account", (r) => r.External_Id__c === "BUP-P")[0].Id;
    const [job] = await ingest({
      object: "Account",
      operation: "upsert",
      externalIdField: "External_Id__c",
      records: [
        { External_Id__c: "BUP-2", Name: "bup-new", Parent: { External_Id__c: "BUP-P" } },
        { External_Id__c: "BUP-1", Name: "bup-renamed", Parent: { External_Id__c: "BUP-P" } },
        { External_Id__c: "BUP-3", Name: "bup-orphan", Parent: { External_Id__c: "BUP-NONE" } },
      ],
    });
    expect(job.results.map((r) => [r.outcome, r.created])).toEqual([
      ["succeeded", true],
      ["succeeded", false],
      ["failed", false],
    ]);
    expect(job.results[2].errors[0]).toMatchObject({ code: "INVALID_FIELD", reason: "rest.parent_not_found" });
    const row = (key: string) => w.rows("Account", (r) => r.External_Id__c === key);
    expect(row("BUP-1").map((r) => [r.Name, r.ParentId])).toEqual([["bup-renamed", parentId]]);
    expect(row("BUP-2").map((r) => r.ParentId)).toEqual([parentId]);
    expect(row("BUP-3")).toHaveLength(0);
  });

  it("a Contact's Account by external id, through the Account.External_Id__c column", async () => {
    await ingest({ object: "Account", operation: "insert", records: [{ Name: "bc-parent", External_Id__c: "BC-P" }] });
    const [job] = await ingest({
      object: "Contact",
      operation: "insert",
      records: [{ LastName: "bc-child", Account: { External_Id__c: "BC-P" } }],
    });
    const contact = w.rows("Contact", (r) => r.Id === job.results[0].id)[0];
    expect(contact.AccountId).toBe(w.rows("Account", (r) => r.External_Id__c === "BC-P")[0].Id);
  });

  it("delete: each row's result is its own", async () => {
    const [created] = await ingest({
      object: "Account",
      operation: "insert",
      records: [{ Name: "bd-0" }, { Name: "bd-1" }],
    });
    const ids = created.results.map((r) => r.id as string);
    const [job] = await ingest({
      object: "Account",
      operation: "delete",
      records: [{ Id: ids[1] }, { Id: ids[0] }, { Id: ids[0] }],
    });
    expect(job.results.map((r) => [r.id, r.outcome])).toEqual([
      [ids[1], "succeeded"],
      [ids[0], "succeeded"],
      [ids[0], "failed"],
    ]);
    expect(w.rows("Account", byName("bd-"))).toHaveLength(0);
  });

  it("rows that meet a locked row fail with UNABLE_TO_LOCK_ROW, retryable", async () => {
    w.demo.org.faults.configure({ unableToLockRowRate: 1 });
    const [job] = await ingest({
      object: "Account",
      operation: "insert",
      records: [{ Name: "bl-1" }, { Name: "bl-2" }],
    });
    for (const r of job.results)
      expect(r).toMatchObject({ outcome: "failed", errors: [{ code: "UNABLE_TO_LOCK_ROW", retry: "backoff" }] });
    expect(w.rows("Account", byName("bl-"))).toHaveLength(0);
  });
});

describe("bulkIngest: jobs within the upload limit", () => {
  it("splits the records into several jobs when they exceed maxUploadBytes; every record gets one result", async () => {
    const records = Array.from({ length: 30 }, (_, i) => ({ Name: `split-${String(i).padStart(2, "0")}` }));
    const before = calls(w.demo.org, `POST ${JOBS}`);
    const told: Array<[string, number, number]> = [];
    const opened: Array<[string, number]> = [];
    const jobs = await ingest({
      object: "Account",
      operation: "insert",
      records: slowly(records),
      // The header and about ten 9-byte rows a job.
      maxUploadBytes: 100,
      onJob: (jobId, { firstIndex }) => {
        opened.push([jobId, firstIndex]);
      },
      onUploaded: (jobId, { firstIndex, count }) => {
        told.push([jobId, firstIndex, count]);
      },
    });
    expect(jobs.length).toBeGreaterThan(2);
    expect(calls(w.demo.org, `POST ${JOBS}`) - before).toBe(jobs.length);
    expect(opened.map(([id]) => id)).toEqual(jobs.map((j) => j.jobId));
    expect(told.map(([, first]) => first)).toEqual(opened.map(([, first]) => first));
    const results = jobs.flatMap((j) => j.results);
    expect(results.map((r) => r.index)).toEqual(records.map((_, i) => i));
    expect(results.every((r) => r.success)).toBe(true);
    expect(told.reduce((n, [, , count]) => n + count, 0)).toBe(30);
    expect(
      w
        .rows("Account", byName("split-"))
        .map((r) => r.Name)
        .sort(),
    ).toEqual(records.map((r) => r.Name));
  });

  it("a record with a column the job's header lacks starts the next job", async () => {
    const jobs = await ingest({
      object: "Account",
      operation: "insert",
      records: [{ Name: "cols-1" }, { Name: "cols-2" }, { Name: "cols-3", Phone: "555-0103" }],
    });
    expect(jobs.map((j) => j.results.length)).toEqual([2, 1]);
    expect(w.rows("Account", (r) => r.Name === "cols-3")[0].Phone).toBe("555-0103");
  });

  it("with given columns, one job holds records that leave some out (empty cells leave values as they are)", async () => {
    const [created] = await ingest({ object: "Account", operation: "insert", records: [{ Name: "gc", Phone: "1" }] });
    const id = created.results[0].id as string;
    const jobs = await ingest({
      object: "Account",
      operation: "update",
      columns: ["Id", "Phone", "Fax"],
      records: [{ Id: id, Fax: "2" }],
    });
    expect(jobs).toHaveLength(1);
    const row = w.rows("Account", (r) => r.Id === id)[0];
    expect([row.Phone, row.Fax]).toEqual(["1", "2"]);
  });

  it("a job Salesforce fails yields its rows as unprocessed, with the job's error through the table", async () => {
    const jobs = await ingest({
      object: "Account",
      operation: "insert",
      records: [{ Name: "jf-1", Nope__c: "x" }],
    });
    expect(jobs[0].job.state).toBe("Failed");
    expect(jobs[0].results[0]).toMatchObject({
      outcome: "unprocessed",
      success: false,
      errors: [{ code: "BULK_JOB_FAILED", reason: "bulk.header_field_refused", retry: "never" }],
    });
  });

  it("an upload whose answer is lost aborts its job: nothing of it is processed, and the error says so", async () => {
    w.demo.org.faults.configure({ dropAfterServeRate: 1, pathContains: "/batches" });
    let jobId = "";
    const error = await ingest({
      object: "Account",
      operation: "insert",
      records: [{ Name: "lostup-1" }],
      onJob: (id) => {
        jobId = id;
      },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(TransportFailure);
    w.demo.org.faults.reset();
    expect((await getIngestJob(sf, jobId)).state).toBe("Aborted");
    expect(w.rows("Account", byName("lostup-"))).toHaveLength(0);
  });

  it("refuses a maxUploadBytes over what Salesforce takes once base64-encoded", async () => {
    await expect(
      ingest({ object: "Account", operation: "insert", records: [], maxUploadBytes: 120 * 1024 * 1024 }),
    ).rejects.toThrow(RangeError);
  });
});

describe("the ingest calls one by one", () => {
  it("one upload per job; a complete job without failures needs only its successful results", async () => {
    const job = await createIngestJob(sf, { object: "Account", operation: "insert" });
    expect(job.state).toBe("Open");
    const csv = (text: string) =>
      (async function* () {
        yield text;
      })();
    await uploadJobData(sf, job.id, csv("Name\nfirst-upload\n"));
    const second = await uploadJobData(sf, job.id, csv("Name\nsecond-upload\n")).catch((e) => e);
    expect(second).toBeInstanceOf(SalesforceApiError);
    expect(second.status).toBe(400);
    await closeIngestJob(sf, job.id);
    const done = await waitForIngestJob(sf, job.id, noWait);
    expect(done).toMatchObject({ state: "JobComplete", numberRecordsProcessed: 1 });
    expect(w.rows("Account", byName("second-upload"))).toHaveLength(0);

    const fresh = await createIngestJob(sf, { object: "Account", operation: "insert" });
    await uploadJobData(
      sf,
      fresh.id,
      (async function* () {
        yield "Name\n";
        yield Buffer.from("one-by-one\n");
      })(),
    );
    await closeIngestJob(sf, fresh.id);
    const info = await waitForIngestJob(sf, fresh.id, noWait);
    expect(info).toMatchObject({ state: "JobComplete", numberRecordsProcessed: 1, numberRecordsFailed: 0 });
    const ok = [];
    for await (const row of successfulResults(sf, fresh.id)) ok.push(row);
    expect(ok).toEqual([{ sf__Id: expect.any(String), sf__Created: "true", Name: "one-by-one" }]);
    const failed = [];
    for await (const row of failedResults(sf, fresh.id)) failed.push(row);
    expect(failed).toEqual([]);

    const reads = (file: string) => calls(w.demo.org, `GET ${JOBS}/:id/${file}`);
    const before = ["successfulResults", "failedResults", "unprocessedRecords"].map(reads);
    await ingest({ object: "Account", operation: "insert", records: [{ Name: "calls-1" }] });
    const after = ["successfulResults", "failedResults", "unprocessedRecords"].map(reads);
    expect(after.map((n, i) => n - before[i])).toEqual([1, 0, 0]);
  });

  it("polls with the one backoff: waits grow, each at least half its ceiling, capped", async () => {
    w.demo.org.settings.bulkJobProcessingMs = 60_000;
    try {
      const waits: number[] = [];
      const job = await createIngestJob(sf, { object: "Account", operation: "insert" });
      await uploadJobData(
        sf,
        job.id,
        (async function* () {
          yield "Name\npoll-1\n";
        })(),
      );
      await closeIngestJob(sf, job.id);
      await waitForIngestJob(sf, job.id, {
        pollBaseMs: 1000,
        pollMaxMs: 8000,
        random: () => 0.5,
        sleep: async (ms) => {
          waits.push(ms);
          w.demo.org.clock.advance(ms);
        },
      });
      expect(waits.slice(0, 5)).toEqual([750, 1500, 3000, 6000, 6000]);
    } finally {
      w.demo.org.settings.bulkJobProcessingMs = 0;
    }
  });
});
