import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { WRITE_QUEUE, type WriteJob } from "../src/jobs/write-queue.ts";
import { runWrite } from "../src/writes/write-executor.ts";
import { type SyncHarness, startHarness } from "./support/harness.ts";
import { ACCOUNT_MANIFEST } from "./support/sync-records.ts";
import { suiteBackends } from "./support/test-database.ts";
import { recordRows, storeWrite, type WriteInput, writeRow } from "./support/write-rows.ts";

/**
 * What a write does about refusals and lost answers: locked rows retried for those records only
 * (down to smaller serial batches) until they are written or have been tried enough; an insert
 * whose answer was lost reported as unknown, never sent twice; the daily quota pausing a write,
 * which resumes where it stopped.
 */

const BULK_THRESHOLD = 300;

function harnessEnv(extra: Record<string, string> = {}) {
  return {
    FORCELINK_WRITE_BULK_THRESHOLD: String(BULK_THRESHOLD),
    FORCELINK_WRITE_RETRY_BASE_MS: "5",
    FORCELINK_WRITE_MAX_PASSES: "8",
    FORCELINK_WRITE_WORKERS: "0",
    ...extra,
  };
}

function helpers(get: () => SyncHarness) {
  const accounts = () => [...get().org.store.tableOrThrow("Account").live()];
  return {
    accounts,
    rowsWith: (ext: string) => accounts().filter((a) => a.External_Id__c === ext),
    async execute(input: Omit<WriteInput, "connectionId">) {
      const h = get();
      const id = await storeWrite(h, { connectionId: h.connectionId, ...input });
      await runWrite(h.server.platform, id);
      return { id, write: await writeRow(h, id), records: await recordRows(h, id) };
    },
    endpoint: (path: string) => get().org.counters.snapshot().byEndpoint[path] ?? 0,
  };
}

const upserts = (tag: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ External_Id__c: `${tag}-${i}`, Name: `Locked ${tag} ${i}` }));

describe.each(suiteBackends())("locked rows and lost answers on %s", (backend) => {
  let h: SyncHarness;
  const t = helpers(() => h);
  beforeAll(async () => {
    h = await startHarness({ backend, sync: { manifest: ACCOUNT_MANIFEST }, env: harnessEnv() });
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.org.faults.reset();
    h.org.counters.reset();
  });

  it.each([
    ["composite", 250],
    ["bulk", BULK_THRESHOLD + 20],
  ])("retries only the locked records of a %s write until each is written once", async (path, n) => {
    const tag = `lock-${path}-${backend}`;
    h.org.faults.configure({ unableToLockRowRate: 0.3, seed: 7 });
    const { write, records } = await t.execute({
      object: "Account",
      operation: "upsert",
      externalIdField: "External_Id__c",
      records: upserts(tag, n),
    });
    expect(write).toMatchObject({ status: "completed", path, succeeded: n, failed: 0, unknown: 0 });
    const once = records.filter((r) => r.attempts === 1).length;
    const again = records.filter((r) => r.attempts > 1).length;
    expect(again, "some records met a locked row").toBeGreaterThan(n * 0.15);
    expect(once, "the records not locked were sent once").toBeGreaterThan(n * 0.55);
    expect(once + again).toBe(n);
    for (let i = 0; i < n; i++) {
      const rows = t.rowsWith(`${tag}-${i}`);
      expect(rows, `one row for ${tag}-${i}`).toHaveLength(1);
      expect(rows[0].Id).toBe(records[i].sf_id);
    }
    if (path === "bulk") {
      expect(t.endpoint("POST /services/data/:version/jobs/ingest"), "one Bulk job").toBe(1);
      expect(
        t.endpoint("POST /services/data/:version/composite") +
          t.endpoint("PATCH /services/data/:version/composite/sobjects/:object/:field"),
        "the locked rows went again through collections",
      ).toBeGreaterThan(0);
    }
  });

  it("fails a record still locked after the last pass, with the lock as its error", async () => {
    const tag = `always-locked-${backend}`;
    h.org.faults.configure({ unableToLockRowRate: 1 });
    const { write, records } = await t.execute({
      object: "Account",
      operation: "upsert",
      externalIdField: "External_Id__c",
      records: upserts(tag, 3),
    });
    expect(write).toMatchObject({ status: "completed", succeeded: 0, failed: 3 });
    for (const r of records) {
      expect(r.attempts).toBe(8);
      expect(r.errors?.[0]).toMatchObject({ code: "UNABLE_TO_LOCK_ROW", retry: "backoff" });
    }
    expect(t.rowsWith(`${tag}-0`)).toEqual([]);
  });

  it("reports an insert whose answer was lost as unknown and never sends it again", async () => {
    const tag = `lost-${backend}`;
    h.org.faults.configure({ dropAfterServeRate: 1, pathContains: "/composite/sobjects" });
    const { write, records } = await t.execute({
      object: "Account",
      operation: "insert",
      records: Array.from({ length: 3 }, (_, i) => ({ Name: `Lost ${i}`, External_Id__c: `${tag}-${i}` })),
    });
    expect(write).toMatchObject({ status: "completed", succeeded: 0, failed: 0, unknown: 3 });
    expect(t.endpoint("POST /services/data/:version/composite/sobjects"), "sent once").toBe(1);
    for (const [i, r] of records.entries()) {
      expect(r.status).toBe("unknown");
      expect(r.errors?.[0].code).toBe("OUTCOME_UNKNOWN");
      expect(r.errors?.[0].message).toMatch(/may or may not have created/);
      // Salesforce did write it, once.
      expect(t.rowsWith(`${tag}-${i}`)).toHaveLength(1);
    }
  });

  it("sends an upsert whose answer was lost again: each record written once", async () => {
    const tag = `lost-upsert-${backend}`;
    h.org.faults.configure({ dropAfterServeRate: 0.5, pathContains: "/composite/sobjects", seed: 3 });
    const { write } = await t.execute({
      object: "Account",
      operation: "upsert",
      externalIdField: "External_Id__c",
      records: upserts(tag, 150),
    });
    expect(write).toMatchObject({ status: "completed", succeeded: 150, failed: 0, unknown: 0 });
    for (let i = 0; i < 150; i++) expect(t.rowsWith(`${tag}-${i}`)).toHaveLength(1);
  });
});

describe("the daily API quota", () => {
  let h: SyncHarness;
  const t = helpers(() => h);
  beforeAll(async () => {
    h = await startHarness({
      sync: { manifest: ACCOUNT_MANIFEST },
      env: harnessEnv({ FORCELINK_WRITE_BULK_THRESHOLD: "1000000", FORCELINK_WRITE_QUOTA_SHARE: "0.9" }),
    });
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(() => {
    h.org.apiUsage.limit = 100_000;
    h.org.apiUsage.setUsed(0);
  });

  it("pauses a write at the quota share, says so, and resumes where it stopped", async () => {
    const hook = await h.api("/v1/webhooks", {
      method: "POST",
      body: { url: "http://127.0.0.1:9/hook", events: ["write.paused", "write.completed"] },
    });
    expect(hook.status).toBe(201);
    const tag = "quota";
    // 90% of 1,000 is 900: from 899 used, the first composite call's answer reaches it.
    const n = 3000;
    h.org.apiUsage.limit = 1000;
    h.org.apiUsage.setUsed(899);
    const startedAt = Date.now();
    const paused = await t.execute({
      object: "Account",
      operation: "upsert",
      externalIdField: "External_Id__c",
      records: upserts(tag, n),
    });
    expect(paused.write.status).toBe("paused");
    expect(paused.write.succeeded, "some calls went out before the pause").toBeGreaterThan(0);
    expect(paused.write.succeeded, "the pause came before the end").toBeLessThan(n);
    expect(paused.write.error).toMatchObject({ code: "quota_paused" });
    expect(paused.write.error?.message).toContain("of its 1000 daily API requests");
    expect(Date.parse(paused.write.error!.resumeAt!)).toBeGreaterThan(startedAt + 800_000);
    expect(paused.records.filter((r) => r.status === "sending")).toEqual([]);

    const jobs = await h.server.platform.boss.findJobs<WriteJob>(WRITE_QUEUE, { queued: true });
    const resume = jobs.filter((j) => j.data.writeId === paused.id);
    expect(resume, "the paused write queued its own resume").toHaveLength(1);
    expect(resume[0].startAfter.getTime()).toBeGreaterThan(startedAt + 800_000);

    const done = paused.write.succeeded;
    h.org.apiUsage.limit = 100_000;
    h.org.counters.reset();
    await runWrite(h.server.platform, paused.id);
    const resumed = await writeRow(h, paused.id);
    expect(resumed).toMatchObject({ status: "completed", succeeded: n, failed: 0, unknown: 0 });
    expect(t.endpoint("POST /services/data/:version/composite"), "the resumed run sent only what was left").toBe(
      Math.ceil((n - done) / 1000),
    );
    for (let i = 0; i < n; i += 97) expect(t.rowsWith(`${tag}-${i}`)).toHaveLength(1);

    const events = await h.sql<{ event_type: string; payload: { data: Record<string, unknown> } }>(
      "SELECT event_type, payload FROM webhook_deliveries ORDER BY created_at",
    );
    expect(events.map((e) => e.event_type)).toEqual(["write.paused", "write.completed"]);
    expect(events[1].payload.data).toMatchObject({
      writeId: paused.id,
      connectionId: h.connectionId,
      object: "Account",
      operation: "upsert",
      counts: { total: n, succeeded: n, failed: 0, unknown: 0, pending: 0 },
    });
  });

  it("pauses, rather than fails, when Salesforce answers REQUEST_LIMIT_EXCEEDED", async () => {
    h.org.apiUsage.limit = 1000;
    h.org.apiUsage.setUsed(1010);
    const paused = await t.execute({
      object: "Account",
      operation: "insert",
      records: Array.from({ length: 5 }, (_, i) => ({ Name: `Over ${i}`, External_Id__c: `over-${i}` })),
    });
    expect(paused.write).toMatchObject({ status: "paused", succeeded: 0, unknown: 0, error: { code: "quota_paused" } });
    expect(paused.write.error?.message).toContain("of its 1000 daily API requests");
    // Refused before anything was written: the records wait as if never sent.
    expect(paused.records.map((r) => [r.status, r.attempts])).toEqual(paused.records.map(() => ["pending", 0]));
    h.org.apiUsage.setUsed(0);
    await runWrite(h.server.platform, paused.id);
    expect(await writeRow(h, paused.id)).toMatchObject({ status: "completed", succeeded: 5 });
    for (let i = 0; i < 5; i++) expect(t.rowsWith(`over-${i}`)).toHaveLength(1);
  });
});
