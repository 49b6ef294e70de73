import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { enqueueWrite } from "../src/jobs/write-queue.ts";
import { runWrite } from "../src/writes/write-executor.ts";
import { type SyncHarness, startHarness } from "./support/harness.ts";
import { ACCOUNT_MANIFEST } from "./support/sync-records.ts";
import { suiteBackends } from "./support/test-database.ts";
import { waitFor } from "./support/wait.ts";
import { statusCounts, storeWrite, type WriteInput, writeRow, writeThroughApi } from "./support/write-rows.ts";

/**
 * A write's execution against the emulator over HTTP, on both stores: each operation through each
 * path (sObject Collections up to 200 records, /composite up to the Bulk threshold, Bulk 2.0 from
 * it; the threshold is lowered so Bulk runs with few records), partial success and all-or-nothing.
 */

const BULK_THRESHOLD = 300;

describe.each(suiteBackends())("write execution on %s", (backend) => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startHarness({
      backend,
      sync: { manifest: ACCOUNT_MANIFEST },
      env: {
        FORCELINK_WRITE_BULK_THRESHOLD: String(BULK_THRESHOLD),
        FORCELINK_WRITE_RETRY_BASE_MS: "5",
        FORCELINK_WRITE_WORKERS: "1",
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.org.faults.reset();
    h.org.counters.reset();
  });

  async function execute(input: Omit<WriteInput, "connectionId">) {
    const before = h.apiCalls();
    const done = await writeThroughApi(h, { connectionId: h.connectionId, ...input });
    expect(done.status, "small writes answer in the request, larger ones are queued").toBe(
      input.records.length <= 200 ? 200 : 202,
    );
    if (done.status === 200) {
      // The answer holds every record's result, in input order.
      expect(done.body.results.map((r: { index: number }) => r.index)).toEqual(done.records.map((r) => r.idx));
      for (const [i, r] of done.body.results.entries())
        expect(r).toMatchObject({ id: done.records[i].sf_id, success: done.records[i].status === "succeeded" });
    }
    return { ...done, calls: h.apiCalls() - before };
  }

  const accounts = () => [...h.org.store.tableOrThrow("Account").live()];
  const byExternalId = (ext: string) => accounts().filter((a) => a.External_Id__c === ext);

  const paths: Array<[path: string, count: number, maxCalls: (n: number) => number]> = [
    ["collections", 3, () => 1],
    ["composite", 250, (n) => Math.ceil(n / 1000)],
    ["bulk", BULK_THRESHOLD + 10, () => 12],
  ];

  it.each(paths)("inserts, updates, upserts and deletes through %s", async (path, n, maxCalls) => {
    const tag = `${path}-${backend}`;
    const inserted = await execute({
      object: "Account",
      operation: "insert",
      records: Array.from({ length: n }, (_, i) => ({ Name: `Ins ${tag} ${i}`, External_Id__c: `${tag}-${i}` })),
    });
    expect(inserted.write).toMatchObject({ status: "completed", path, total: n, succeeded: n, failed: 0, unknown: 0 });
    expect(inserted.calls).toBeLessThanOrEqual(maxCalls(n));
    expect(inserted.write.api_calls, "the write counts the calls the org answered").toBe(inserted.calls);
    for (const [i, r] of inserted.records.entries()) {
      expect(r).toMatchObject({ status: "succeeded", created: true, attempts: 1, bulk_job_id: null });
      const [row] = byExternalId(`${tag}-${i}`);
      expect(row?.Id, `record ${i} is the row its result names`).toBe(r.sf_id);
      expect(row?.Name).toBe(`Ins ${tag} ${i}`);
    }
    const ids = inserted.records.map((r) => r.sf_id!);

    const updated = await execute({
      object: "Account",
      operation: "update",
      records: ids.map((Id, i) => ({ Id, Name: `Upd ${tag} ${i}` })),
    });
    expect(updated.write).toMatchObject({ status: "completed", succeeded: n, failed: 0 });
    expect(updated.calls).toBeLessThanOrEqual(maxCalls(n));
    expect(byExternalId(`${tag}-0`)[0]?.Name).toBe(`Upd ${tag} 0`);
    expect(updated.records.every((r, i) => r.sf_id === ids[i] && r.created === false)).toBe(true);

    // Half of them exist (matched by external id), the other half are new.
    const half = Math.ceil(n / 2);
    const upserted = await execute({
      object: "Account",
      operation: "upsert",
      externalIdField: "External_Id__c",
      records: Array.from({ length: n }, (_, i) => ({
        External_Id__c: `${tag}-${i + half}`,
        Name: `Ups ${tag} ${i + half}`,
      })),
    });
    expect(upserted.write).toMatchObject({ status: "completed", succeeded: n, failed: 0 });
    expect(upserted.calls).toBeLessThanOrEqual(maxCalls(n));
    for (const [i, r] of upserted.records.entries()) {
      expect(r.created, `record ${i} was ${i + half < n ? "matched" : "created"}`).toBe(i + half >= n);
      const rows = byExternalId(`${tag}-${i + half}`);
      expect(rows).toHaveLength(1);
      expect(rows[0].Id).toBe(r.sf_id);
      expect(rows[0].Name).toBe(`Ups ${tag} ${i + half}`);
    }

    const all = [...new Set([...ids, ...upserted.records.map((r) => r.sf_id!)])];
    const deleted = await execute({ object: "Account", operation: "delete", records: all.map((Id) => ({ Id })) });
    expect(deleted.write).toMatchObject({ status: "completed", succeeded: all.length, failed: 0 });
    expect(accounts().filter((a) => String(a.External_Id__c ?? "").startsWith(`${tag}-`))).toEqual([]);
  });

  it.each(paths)("settles a partial success record by record through %s", async (path, n) => {
    const tag = `partial-${path}-${backend}`;
    const records = Array.from({ length: n }, (_, i) =>
      i % 3 === 1 ? { External_Id__c: `${tag}-${i}` } : { Name: `P ${i}`, External_Id__c: `${tag}-${i}` },
    );
    const { write, records: rows } = await execute({ object: "Account", operation: "insert", records });
    const refused = records.filter((_, i) => i % 3 === 1).length;
    expect(write).toMatchObject({ status: "completed", path, succeeded: n - refused, failed: refused, unknown: 0 });
    for (const [i, r] of rows.entries()) {
      if (i % 3 !== 1) {
        expect(r.status).toBe("succeeded");
        continue;
      }
      expect(r.status).toBe("failed");
      expect(r.errors?.[0]).toMatchObject({ code: "REQUIRED_FIELD_MISSING", retry: "never" });
      expect(r.errors?.[0].fields).toContain("Name");
      expect(byExternalId(`${tag}-${i}`)).toEqual([]);
    }
  });

  it.each([
    ["collections", 5],
    ["composite", 300],
  ])("all or nothing through %s: one refusal and nothing is written", async (path, n) => {
    const tag = `aon-${path}-${backend}`;
    const before = accounts().length;
    const records = Array.from({ length: n }, (_, i) =>
      i === n - 1 ? { External_Id__c: `${tag}-${i}` } : { Name: `A ${i}`, External_Id__c: `${tag}-${i}` },
    );
    const {
      write,
      records: rows,
      calls,
    } = await execute({
      object: "Account",
      operation: "insert",
      allOrNone: true,
      records,
    });
    expect(write).toMatchObject({ status: "completed", path, succeeded: 0, failed: n });
    expect(calls).toBe(1);
    expect(accounts().length).toBe(before);
    expect(rows[n - 1].errors?.[0].code).toBe("REQUIRED_FIELD_MISSING");
    // Rolled back in the failing collection, halted in the others of a composite call.
    expect(["ALL_OR_NONE_OPERATION_ROLLED_BACK", "PROCESSING_HALTED"]).toContain(rows[0].errors?.[0].code);

    const fixed = await execute({
      object: "Account",
      operation: "insert",
      allOrNone: true,
      records: records.map((r, i) => ({ Name: `A ${i}`, ...r })),
    });
    expect(fixed.write).toMatchObject({ status: "completed", succeeded: n, failed: 0 });
    expect(accounts().length).toBe(before + n);
  });

  it("a queued write runs on the job queue", async () => {
    const tag = `queued-${backend}`;
    const id = await storeWrite(h, {
      connectionId: h.connectionId,
      object: "Account",
      operation: "upsert",
      externalIdField: "External_Id__c",
      records: Array.from({ length: 5 }, (_, i) => ({ External_Id__c: `${tag}-${i}`, Name: `Q ${i}` })),
    });
    await enqueueWrite(h.server.platform, id);
    const done = await waitFor(async () => {
      const w = await writeRow(h, id);
      return w.status === "completed" && w;
    }, "the worker to run the queued write");
    expect(done).toMatchObject({ succeeded: 5, failed: 0 });
    expect(byExternalId(`${tag}-4`)).toHaveLength(1);
  });

  it("a write of a connection that is gone fails, its records left pending", async () => {
    const id = await storeWrite(h, {
      connectionId: h.connectionId,
      object: "Account",
      operation: "insert",
      records: [{ Name: "x" }],
    });
    await h.sql("UPDATE connections SET status = 'needs_reauth' WHERE id = $1", [h.connectionId]);
    try {
      await runWrite(h.server.platform, id);
    } finally {
      await h.sql("UPDATE connections SET status = 'active' WHERE id = $1", [h.connectionId]);
    }
    expect(await writeRow(h, id)).toMatchObject({ status: "failed", error: { code: "connection_unusable" } });
    expect(await statusCounts(h, id)).toEqual({ pending: 1 });
  });
});
