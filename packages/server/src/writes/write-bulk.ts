import {
  bulkIngest,
  type IngestRowResult,
  type RecordError,
  recordCells,
  type WriteOperation,
  type WriteRecord,
} from "@forcelink/salesforce";
import { sql } from "drizzle-orm";
import type { Platform } from "../platform/platform.ts";
import { unknownOutcomeError } from "./write-plan.ts";
import { type Settlement, settleRecords } from "./write-records.ts";
import { operationOf, uncountedCalls, type WriteRun, WriteStopped } from "./write-run.ts";

/**
 * The Bulk 2.0 path: the write's never-sent records streamed from the store (by index) into as
 * many ingest jobs as the upload limit needs. Each job's id is on its records (`sending`) before
 * its data goes up, so that a runner that dies leaves a job recovery can read back; after the job
 * ends its results are matched back to the records and settled. Failed rows with a retryable error
 * go back to pending, for the collections passes that follow.
 */

type Db = Pick<Platform, "db">;

/** Records read from the store at once while a job's CSV streams. */
const FEED_PAGE = 2_000;
/** Records settled in one statement. */
const SETTLE_BATCH = 1_000;

export async function bulkPass(run: WriteRun): Promise<void> {
  const { platform, write } = run;
  const columns = await bulkColumns(platform, write.id);
  if (columns.length === 0) return;
  const idxs: number[] = [];
  const ingest = bulkIngest(run.client, {
    object: write.object,
    operation: operationOf(write),
    ...(write.externalIdField ? { externalIdField: write.externalIdField } : {}),
    columns,
    records: feed(platform, write.id, idxs),
    maxUploadBytes: run.settings.maxUploadBytes,
    signal: run.signal,
    // Held before the upload: every never-sent record from the job's first on, released again
    // past the job's last once the upload says how many it took.
    onJob: (jobId, { firstIndex }) => holdFrom(platform, write.id, idxs[firstIndex], jobId),
    onUploaded: (jobId, { firstIndex, count }) => keepUploaded(platform, write.id, jobId, idxs[firstIndex + count - 1]),
  });
  for await (const job of ingest) {
    await settleJob(
      run,
      job.jobId,
      job.results.map((r) => ({ ...r, idx: idxs[r.index] })),
    );
    if (job.job.state === "Failed" && job.results.every((r) => r.outcome === "unprocessed"))
      throw new WriteStopped(new Error(`Bulk job ${job.jobId} failed: ${job.job.errorMessage ?? "no reason given"}`));
  }
}

/**
 * The CSV header of the never-sent records: every column any of them fills, sorted so that a job's
 * columns can be worked out again from its own records (recovery matches results on them).
 */
export async function bulkColumns(platform: Db, writeId: string): Promise<string[]> {
  const result = await platform.db.execute(sql`
    SELECT DISTINCT ON (shape) data FROM (
      SELECT data, (
        SELECT string_agg(k.key || CASE WHEN jsonb_typeof(k.value) = 'object'
          THEN '{' || (SELECT coalesce(string_agg(n, ',' ORDER BY n), '') FROM jsonb_object_keys(k.value) n) || '}'
          ELSE '' END, ',' ORDER BY k.key)
        FROM jsonb_each(data) k) AS shape
      FROM write_records
      WHERE write_id = ${writeId} AND status = 'pending' AND attempts = 0
    ) shapes`);
  return columnsOf((result as unknown as { rows: Array<{ data: WriteRecord }> }).rows.map((r) => r.data));
}

/** The sorted union of the columns `records` fill. */
export function columnsOf(records: Iterable<WriteRecord>): string[] {
  const columns = new Set<string>();
  for (const record of records) for (const [column] of recordCells(record)) columns.add(column);
  return [...columns].sort();
}

/** The never-sent records by index; `idxs` learns each one's store index as the job reads it. */
async function* feed(platform: Db, writeId: string, idxs: number[]): AsyncGenerator<WriteRecord> {
  let after = -1;
  for (;;) {
    const result = await platform.db.execute(sql`
      SELECT idx, data FROM write_records
      WHERE write_id = ${writeId} AND attempts = 0 AND status IN ('pending', 'sending') AND idx > ${after}
      ORDER BY idx LIMIT ${FEED_PAGE}`);
    const rows = (result as unknown as { rows: Array<{ idx: number; data: WriteRecord }> }).rows;
    if (rows.length === 0) return;
    for (const row of rows) {
      idxs.push(row.idx);
      yield row.data;
    }
    after = rows[rows.length - 1].idx;
  }
}

async function holdFrom(platform: Db, writeId: string, fromIdx: number, jobId: string): Promise<void> {
  await platform.db.execute(sql`
    UPDATE write_records SET status = 'sending', bulk_job_id = ${jobId}
    WHERE write_id = ${writeId} AND status = 'pending' AND attempts = 0 AND idx >= ${fromIdx}`);
}

async function keepUploaded(platform: Db, writeId: string, jobId: string, lastIdx: number): Promise<void> {
  await platform.db.execute(sql`
    UPDATE write_records
    SET status = CASE WHEN idx <= ${lastIdx} THEN 'sending' ELSE 'pending' END,
        bulk_job_id = CASE WHEN idx <= ${lastIdx} THEN bulk_job_id ELSE NULL END,
        attempts = CASE WHEN idx <= ${lastIdx} THEN attempts + 1 ELSE attempts END
    WHERE write_id = ${writeId} AND status = 'sending' AND bulk_job_id = ${jobId}`);
}

export type JobRowResult = IngestRowResult & { idx: number; attempts?: number };

/**
 * Settles one job's records from its results: written rows succeed, refused rows fail (or go back
 * for another pass when the refusal is worth retrying), rows no one processed go back to pending,
 * and a row no file mentions is unknown for an insert (it may have been written) and pending otherwise.
 */
export async function settleJob(run: WriteRun, jobId: string, results: readonly JobRowResult[]): Promise<void> {
  const operation = operationOf(run.write);
  const settlements = results.map((r) => settlementOf(r, operation, run.settings.maxPasses, jobId));
  for (let i = 0; i < settlements.length || i === 0; i += SETTLE_BATCH)
    await settleRecords(run.platform, run.write.id, settlements.slice(i, i + SETTLE_BATCH), uncountedCalls(run));
}

function settlementOf(r: JobRowResult, operation: WriteOperation, maxPasses: number, jobId: string): Settlement {
  const attempts = r.attempts ?? 1;
  switch (r.outcome) {
    case "succeeded":
      return { idx: r.idx, status: "succeeded", sfId: r.id, created: r.created };
    case "failed": {
      const again = r.errors.length > 0 && r.errors.every((e) => e.retry !== "never") && attempts < maxPasses;
      return { idx: r.idx, status: again ? "pending" : "failed", errors: r.errors };
    }
    case "unprocessed":
      return { idx: r.idx, status: "pending", errors: r.errors };
    case "missing": {
      if (operation !== "insert") return { idx: r.idx, status: "pending" };
      const errors: RecordError[] = [
        unknownOutcomeError({
          reason: "bulk.result_missing",
          message: `Bulk job ${jobId} reported no result for this row`,
        }),
      ];
      return { idx: r.idx, status: "unknown", errors };
    }
    default:
      throw new Error(`unexpected Bulk outcome ${String(r.outcome)}`);
  }
}
