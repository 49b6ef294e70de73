import { Readable } from "node:stream";
import {
  closeIngestJob,
  createIngestJob,
  getIngestJob,
  recordsToCsv,
  uploadJobData,
  type WriteOperation,
} from "@forcelink/salesforce";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { findConnection } from "../src/connections/connection-store.ts";
import { WRITE_QUEUE, type WriteJob } from "../src/jobs/write-queue.ts";
import { tryLock } from "../src/sync/sync-lock.ts";
import { columnsOf } from "../src/writes/write-bulk.ts";
import { runWrite } from "../src/writes/write-executor.ts";
import { recoverInterruptedWrites } from "../src/writes/write-jobs.ts";
import { type SyncHarness, startHarness } from "./support/harness.ts";
import { ACCOUNT_MANIFEST } from "./support/sync-records.ts";
import { suiteBackends } from "./support/test-database.ts";
import { recordRows, storeWrite, writeRow } from "./support/write-rows.ts";

/**
 * A write whose runner died leaves records `sending`: recovery settles them by what can be known
 * (sending an update, upsert or delete again changes nothing; an insert may have been written and
 * becomes unknown; a recorded Bulk job is read back, or aborted if it was never closed) and queues
 * the write to go on. The state a crash leaves is set up in the store directly.
 */
describe.each(suiteBackends())("recovery of interrupted writes on %s", (backend) => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startHarness({
      backend,
      sync: { manifest: ACCOUNT_MANIFEST },
      env: { FORCELINK_WRITE_BULK_THRESHOLD: "1000", FORCELINK_WRITE_RETRY_BASE_MS: "5", FORCELINK_WRITE_WORKERS: "0" },
    });
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.org.counters.reset();
  });

  const accounts = () => [...h.org.store.tableOrThrow("Account").live()];
  const rowsWith = (ext: string) => accounts().filter((a) => a.External_Id__c === ext);
  const endpoint = (path: string) => h.org.counters.snapshot().byEndpoint[path] ?? 0;
  const records = (tag: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({ External_Id__c: `${tag}-${i}`, Name: `Rec ${tag} ${i}` }));

  /** A write its runner left `running`, the first `sending` records in flight (in `bulkJobId` when given). */
  async function interrupted(
    operation: WriteOperation,
    data: Array<Record<string, unknown>>,
    sending: number,
    bulkJobId: string | null = null,
    attempts = 1,
  ) {
    const id = await storeWrite(h, {
      connectionId: h.connectionId,
      object: "Account",
      operation,
      ...(operation === "upsert" ? { externalIdField: "External_Id__c" } : {}),
      records: data,
    });
    await h.sql("UPDATE writes SET status = 'running', path = $2 WHERE id = $1", [
      id,
      bulkJobId ? "bulk" : "collections",
    ]);
    await h.sql(
      "UPDATE write_records SET status = 'sending', attempts = $3, bulk_job_id = $4 WHERE write_id = $1 AND idx < $2",
      [id, sending, attempts, bulkJobId],
    );
    return id;
  }

  async function queuedFor(writeId: string) {
    const jobs = await h.server.platform.boss.findJobs<WriteJob>(WRITE_QUEUE, { queued: true });
    return jobs.filter((j) => j.data.writeId === writeId);
  }

  async function client() {
    const conn = await findConnection(h.server.platform, h.projectId, h.connectionId);
    return h.server.platform.tokens.clientFor(conn!);
  }

  it("sends an upsert's in-flight records again, and queues the write", async () => {
    const tag = `rec-upsert-${backend}`;
    const id = await interrupted("upsert", records(tag, 3), 2);
    expect(await recoverInterruptedWrites(h.server.platform)).toBeGreaterThanOrEqual(1);
    expect((await recordRows(h, id)).map((r) => r.status)).toEqual(["pending", "pending", "pending"]);
    expect(await queuedFor(id)).toHaveLength(1);
    await runWrite(h.server.platform, id);
    expect(await writeRow(h, id)).toMatchObject({ status: "completed", succeeded: 3, unknown: 0 });
    for (let i = 0; i < 3; i++) expect(rowsWith(`${tag}-${i}`)).toHaveLength(1);
  });

  it("reports an insert's in-flight records as unknown and never sends them again", async () => {
    const tag = `rec-insert-${backend}`;
    const id = await interrupted("insert", records(tag, 3), 2);
    await recoverInterruptedWrites(h.server.platform);
    const after = await recordRows(h, id);
    expect(after.map((r) => r.status)).toEqual(["unknown", "unknown", "pending"]);
    expect(after[0].errors?.[0]).toMatchObject({ code: "OUTCOME_UNKNOWN" });
    await runWrite(h.server.platform, id);
    expect(await writeRow(h, id)).toMatchObject({ status: "completed", succeeded: 1, unknown: 2, failed: 0 });
    expect(rowsWith(`${tag}-0`), "the unknown record was not sent again").toEqual([]);
    expect(rowsWith(`${tag}-2`)).toHaveLength(1);
  });

  it.each(["insert", "upsert"] as const)(
    "reads back the recorded Bulk job of an interrupted %s and sends nothing twice",
    async (operation) => {
      const tag = `rec-bulk-${operation}-${backend}`;
      const data = records(tag, 6);
      const sf = await client();
      const job = await createIngestJob(sf, {
        object: "Account",
        operation,
        ...(operation === "upsert" ? { externalIdField: "External_Id__c" } : {}),
      });
      // The runner uploaded and closed the first four records' job, then died.
      await uploadJobData(sf, job.id, Readable.from([recordsToCsv(data.slice(0, 4), columnsOf(data.slice(0, 4)))]));
      await closeIngestJob(sf, job.id);
      const id = await interrupted(operation, data, 4, job.id);
      h.org.counters.reset();

      await recoverInterruptedWrites(h.server.platform);
      const after = await recordRows(h, id);
      expect(after.map((r) => r.status)).toEqual([
        "succeeded",
        "succeeded",
        "succeeded",
        "succeeded",
        "pending",
        "pending",
      ]);
      for (let i = 0; i < 4; i++) {
        expect(after[i].bulk_job_id).toBeNull();
        expect(after[i].sf_id).toBe(rowsWith(`${tag}-${i}`)[0]?.Id);
        expect(after[i].created).toBe(true);
      }
      expect(await queuedFor(id)).toHaveLength(1);

      await runWrite(h.server.platform, id);
      expect(await writeRow(h, id)).toMatchObject({ status: "completed", succeeded: 6, failed: 0, unknown: 0 });
      for (let i = 0; i < 6; i++) expect(rowsWith(`${tag}-${i}`), `${tag}-${i} written once`).toHaveLength(1);
      expect(endpoint("POST /services/data/:version/jobs/ingest"), "no second Bulk job").toBe(0);
    },
  );

  it("aborts a Bulk job that was never closed and sends its records again", async () => {
    const tag = `rec-open-${backend}`;
    const data = records(tag, 4);
    const sf = await client();
    const job = await createIngestJob(sf, { object: "Account", operation: "insert" });
    // Held for the job before its upload (attempts not counted yet): the runner died there.
    const id = await interrupted("insert", data, 4, job.id, 0);
    await recoverInterruptedWrites(h.server.platform);
    expect((await getIngestJob(sf, job.id)).state).toBe("Aborted");
    const after = await recordRows(h, id);
    expect(after.map((r) => [r.status, r.attempts, r.bulk_job_id])).toEqual(data.map(() => ["pending", 0, null]));
    await runWrite(h.server.platform, id);
    expect(await writeRow(h, id)).toMatchObject({ status: "completed", succeeded: 4, unknown: 0 });
    for (let i = 0; i < 4; i++) expect(rowsWith(`${tag}-${i}`)).toHaveLength(1);
  });

  it("leaves a write another runner holds alone", async () => {
    const id = await interrupted("upsert", records(`rec-held-${backend}`, 2), 2);
    const held = await tryLock(h.server.platform.database, `write:${id}`);
    try {
      await recoverInterruptedWrites(h.server.platform);
      expect((await recordRows(h, id)).map((r) => r.status)).toEqual(["sending", "sending"]);
    } finally {
      await held?.release();
    }
    await recoverInterruptedWrites(h.server.platform);
    expect((await recordRows(h, id)).map((r) => r.status)).toEqual(["pending", "pending"]);
  });
});
