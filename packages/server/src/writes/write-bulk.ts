import {
  bulkIngest,
  type IngestJobResults,
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
 * many ingest jobs as the upload limit needs. A record carries its job's id (`sending`) before its
 * data goes up: the store is read a page at a time, and each page is held for the job being
 * uploaded before any of its records is written into the job's CSV, so a runner that dies leaves
 * a job recovery can read back. Once the upload says how many records the job took, the few read
 * past them go back to pending. After the job ends its results are matched back to the records
 * and settled in batches. Failed rows with a retryable error go back to pending, for the
 * collections passes that follow. Each record is updated twice in all: held, then settled.
 */

type Db = Pick<Platform, "db">;

/** Records read (and held) from the store at once while a job's CSV streams. */
const FEED_PAGE = 5_000;
/**
 * Records in one Bulk job at most: a job's results are matched and settled once it is done, and a
 * runner holds two jobs' results at most, so this bounds its memory. Up to 100,000 records a job
 * takes 50,000 (100,000 records in two jobs, about ten calls); a larger write takes jobs of
 * 25,000, so that a million-record write stays under 300 MB of memory.
 */
function recordsPerJob(total: number): number {
  return total > 100_000 ? 25_000 : 50_000;
}
/** Records settled in one statement. */
const SETTLE_BATCH = 5_000;
/** Settle statements in flight at once. */
const SETTLES_IN_FLIGHT = 2;

export async function bulkPass(run: WriteRun): Promise<void> {
  const { platform, write } = run;
  const columns = storedColumns(write) ?? (await bulkColumns(platform, write.id));
  if (columns.length === 0) return;
  const feed = new StoreFeed(platform, write.id, await lastIdx(platform, write));
  const ingest = bulkIngest(run.client, {
    object: write.object,
    operation: operationOf(write),
    ...(write.externalIdField ? { externalIdField: write.externalIdField } : {}),
    columns,
    records: feed.records(),
    maxUploadBytes: run.settings.maxUploadBytes,
    maxRecordsPerJob: recordsPerJob(write.total),
    signal: run.signal,
    onJob: (jobId, { firstIndex }) => feed.startJob(jobId, firstIndex),
    onUploaded: (jobId, { firstIndex, count }) => feed.endUpload(jobId, firstIndex + count),
  });
  try {
    await settleJobs(run, ingest, feed);
  } finally {
    await feed.quiet();
  }
}

/**
 * The highest index of the write's records: the intake numbers them from 0 in input order, so it
 * is known from the total; a retry keeps the indexes of the write it retries, read from the store.
 */
async function lastIdx(platform: Db, write: WriteRun["write"]): Promise<number> {
  if (!write.retryOf) return write.total - 1;
  const [{ last }] = rowsOf<{ last: number | null }>(
    await platform.db.execute(sql`SELECT max(idx) AS last FROM write_records WHERE write_id = ${write.id}`),
  );
  return last ?? -1;
}

/** Each job's results settled as bulkIngest hands them out. */
async function settleJobs(run: WriteRun, ingest: AsyncGenerator<IngestJobResults>, feed: StoreFeed): Promise<void> {
  for await (const job of ingest) {
    await settleJob(run, job.jobId, job.results, (r) => ({ idx: feed.idxOf(r.index) }));
    feed.forget(job.results.length > 0 ? job.results[job.results.length - 1].index + 1 : 0);
    if (job.job.state === "Failed" && job.results.every((r) => r.outcome === "unprocessed"))
      throw new WriteStopped(new Error(`Bulk job ${job.jobId} failed: ${job.job.errorMessage ?? "no reason given"}`));
  }
}

/** A page of never-sent records read from the store, and the job it was held for (null: none). */
interface Page {
  to: number;
  heldFor: string | null;
  rows: Array<{ idx: number; data: WriteRecord }>;
}

/**
 * The never-sent records by index, as bulkIngest pulls them, and their holding: while a job is
 * being uploaded, each page read is held for it (`sending`, its id, attempts + 1) before any of its
 * records is handed out; a job's start holds what was read ahead of it, and the end of its upload
 * gives back what was read past it. Knows each record's store index by bulkIngest's running index.
 */
class StoreFeed {
  private readonly platform: Db;
  private readonly writeId: string;
  /** The highest index of the write's records (a retry's keep those of the write it retries). */
  private readonly lastIdx: number;
  /** The job being uploaded; null between uploads. */
  private uploading: string | null = null;
  /** The last store index read. */
  private readUpTo = -1;
  /** The page being read ahead, if any. */
  private reading: Promise<Page> | null = null;
  /** Store indexes by bulkIngest's index, from `base` on. */
  private idxs: number[] = [];
  private base = 0;

  constructor(platform: Db, writeId: string, lastIdx: number) {
    this.platform = platform;
    this.writeId = writeId;
    this.lastIdx = lastIdx;
  }

  /**
   * Reads by windows of indexes (up to the write's highest): a bounded range
   * keeps each read an index range scan however large the write and however stale the table's
   * statistics, where `idx > n ORDER BY idx LIMIT m` may sort every pending record each page.
   */
  async *records(): AsyncGenerator<WriteRecord> {
    let next: Promise<Page> | null = this.lastIdx >= 0 ? this.readAhead(0) : null;
    for (let from = 0; next; from += FEED_PAGE) {
      const page = await next;
      // The next page is read (and held) while this one is handed out and uploaded.
      next = from + FEED_PAGE <= this.lastIdx ? this.readAhead(from + FEED_PAGE) : null;
      // Read before the job that uploads now was made, or held for one whose upload ended since
      // (and given back by endUpload): held for this one before any record is handed out.
      if (this.uploading && page.heldFor !== this.uploading) await this.hold(this.uploading, from, page.to);
      this.readUpTo = page.to;
      for (const row of page.rows) {
        this.idxs.push(row.idx);
        yield row.data;
      }
    }
  }

  /** Waits for a page being read ahead, so that no hold lands after the pass is over. */
  async quiet(): Promise<void> {
    await this.reading?.catch(() => undefined);
  }

  /** A job is made: the records read for it before (its first, at least) are held for it. */
  async startJob(jobId: string, firstIndex: number): Promise<void> {
    this.uploading = jobId;
    await this.hold(jobId, this.idxOf(firstIndex), this.readUpTo);
  }

  /** The job's upload took the records before `endIndex`: those read past them go back to pending. */
  async endUpload(jobId: string, endIndex: number): Promise<void> {
    this.uploading = null;
    // A page being read ahead may be held for this job: it is given back too.
    await this.quiet();
    const lastIdx = this.idxOf(endIndex - 1);
    await this.platform.db.execute(sql`
      UPDATE write_records SET status = 'pending', bulk_job_id = NULL, attempts = 0
      WHERE write_id = ${this.writeId} AND status = 'sending' AND bulk_job_id = ${jobId} AND idx > ${lastIdx}`);
  }

  idxOf(index: number): number {
    return this.idxs[index - this.base];
  }

  /** Indexes before `index` are settled: no longer kept. */
  forget(index: number): void {
    if (index <= this.base) return;
    this.idxs = this.idxs.slice(index - this.base);
    this.base = index;
  }

  /**
   * The never-sent records of the page from `from`, by index: while a job uploads, read and held
   * for it in one statement.
   */
  private readAhead(from: number): Promise<Page> {
    const to = from + FEED_PAGE - 1;
    const heldFor = this.uploading;
    const read = async (): Promise<Page> => {
      const result = heldFor
        ? await this.platform.db.execute(sql`
            UPDATE write_records SET status = 'sending', bulk_job_id = ${heldFor}, attempts = attempts + 1
            WHERE write_id = ${this.writeId} AND status = 'pending' AND attempts = 0 AND idx BETWEEN ${from} AND ${to}
            RETURNING idx, data`)
        : await this.platform.db.execute(sql`
            SELECT idx, data FROM write_records
            WHERE write_id = ${this.writeId} AND status = 'pending' AND attempts = 0 AND idx BETWEEN ${from} AND ${to}`);
      const rows = rowsOf<{ idx: number; data: WriteRecord }>(result).sort((a, b) => a.idx - b.idx);
      return { to, heldFor, rows };
    };
    const reading = read();
    // Awaited when the page is taken; a failure meanwhile is not left unhandled.
    reading.catch(() => undefined);
    this.reading = reading;
    return reading;
  }

  private async hold(jobId: string, fromIdx: number, toIdx: number): Promise<void> {
    await this.platform.db.execute(sql`
      UPDATE write_records SET status = 'sending', bulk_job_id = ${jobId}, attempts = attempts + 1
      WHERE write_id = ${this.writeId} AND status = 'pending' AND attempts = 0
        AND idx >= ${fromIdx} AND idx <= ${toIdx}`);
  }
}

/**
 * The columns the intake found in every record of the write (a header for any part of them: a
 * record leaves the columns it lacks empty, which Bulk API reads as "not set").
 */
function storedColumns(write: WriteRun["write"]): string[] | undefined {
  const columns = (write.options as { columns?: unknown } | null)?.columns;
  return Array.isArray(columns) && columns.every((c) => typeof c === "string") ? columns : undefined;
}

/**
 * The CSV header of the never-sent records: every column any of them fills, sorted so that a job's
 * columns can be worked out again from its own records (recovery matches results on them). Records
 * without a parent reference give their keys; those with one give one record of each shape (their
 * keys, a reference's keys and type), whose columns are worked out as the upload writes them.
 */
export async function bulkColumns(platform: Db, writeId: string): Promise<string[]> {
  const neverSent = sql`write_id = ${writeId} AND status = 'pending' AND attempts = 0`;
  const withReference = sql`data @? '$.* ? (@.type() == "object")'`;
  const plain = await platform.db.execute(sql`
    SELECT DISTINCT jsonb_object_keys(data) AS key FROM write_records WHERE ${neverSent} AND NOT ${withReference}`);
  const shaped = await platform.db.execute(sql`
    SELECT DISTINCT ON (shape) data FROM (
      SELECT data, (
        SELECT string_agg(k.key || CASE WHEN jsonb_typeof(k.value) = 'object'
          THEN '{' || coalesce(k.value -> 'attributes' ->> 'type', '') || ':'
            || (SELECT coalesce(string_agg(n, ',' ORDER BY n), '') FROM jsonb_object_keys(k.value) n) || '}'
          ELSE '' END, ',' ORDER BY k.key)
        FROM jsonb_each(data) k) AS shape
      FROM write_records
      WHERE ${neverSent} AND ${withReference}
    ) shapes`);
  const keys = (plain as unknown as { rows: Array<{ key: string }> }).rows.map((r) => r.key);
  const records = (shaped as unknown as { rows: Array<{ data: WriteRecord }> }).rows.map((r) => r.data);
  return columnsOf([Object.fromEntries(keys.map((k) => [k, null])), ...records]);
}

/** The sorted union of the columns `records` fill. */
export function columnsOf(records: Iterable<WriteRecord>): string[] {
  const columns = new Set<string>();
  for (const record of records) for (const [column] of recordCells(record)) columns.add(column);
  return [...columns].sort();
}

export type JobRowResult = IngestRowResult & { idx: number; attempts?: number };

/** Where a result's record is in the store, and how many times it was sent (1 unless told). */
type Placement = { idx: number; attempts?: number };

/**
 * Settles one job's records from its results, a batch at a time: written rows succeed, refused
 * rows fail (or go back for another pass when the refusal is worth retrying), rows no one processed
 * go back to pending, and a row no file mentions is unknown for an insert (it may have been
 * written) and pending otherwise.
 */
export async function settleJob<R extends IngestRowResult>(
  run: WriteRun,
  jobId: string,
  results: readonly R[],
  placeOf: (r: R) => Placement,
): Promise<void> {
  const operation = operationOf(run.write);
  // Two batches settle at once (on two connections, disjoint index ranges): the database updates
  // them on two cores; only their additions to the write's counts take turns.
  const settling: Promise<unknown>[] = [];
  try {
    for (let i = 0; i < results.length || i === 0; i += SETTLE_BATCH) {
      const settlements = results
        .slice(i, i + SETTLE_BATCH)
        .map((r) => settlementOf(r, placeOf(r), operation, run.settings.maxPasses, jobId));
      if (settling.length >= SETTLES_IN_FLIGHT) await settling.shift();
      const settled = settleRecords(run.platform, run.write.id, settlements, uncountedCalls(run));
      // Seen by a later batch or the end; a failure is not left unhandled meanwhile.
      settled.catch(() => undefined);
      settling.push(settled);
    }
  } finally {
    await Promise.allSettled(settling);
  }
  await Promise.all(settling);
}

function settlementOf(
  r: IngestRowResult,
  place: Placement,
  operation: WriteOperation,
  maxPasses: number,
  jobId: string,
): Settlement {
  const attempts = place.attempts ?? 1;
  const idx = place.idx;
  switch (r.outcome) {
    case "succeeded":
      return { idx, status: "succeeded", sfId: r.id, created: r.created };
    case "failed": {
      const again = r.errors.length > 0 && r.errors.every((e) => e.retry !== "never") && attempts < maxPasses;
      return { idx, status: again ? "pending" : "failed", errors: r.errors };
    }
    case "unprocessed":
      return { idx, status: "pending", errors: r.errors };
    case "missing": {
      if (operation !== "insert") return { idx, status: "pending" };
      const errors: RecordError[] = [
        unknownOutcomeError({
          reason: "bulk.result_missing",
          message: `Bulk job ${jobId} reported no result for this row`,
        }),
      ];
      return { idx, status: "unknown", errors };
    }
    default:
      throw new Error(`unexpected Bulk outcome ${String(r.outcome)}`);
  }
}

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
