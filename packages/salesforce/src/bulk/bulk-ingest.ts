/**
 * Bulk API 2.0 ingest from start to end: `bulkIngest` streams records into as many jobs as the
 * upload limit needs (one per ~100 MB of CSV: Salesforce takes at most 150 MB base64-encoded a
 * job), runs each, and matches every result back to its input; `readIngestResults` does the
 * last part for a job recorded earlier. The single calls are in bulk-ingest-jobs.ts.
 */
import { lookupError } from "../error-table.ts";
import { IngestMatcher } from "../writes/ingest-matching.ts";
import { csvLine, recordCells } from "../writes/record-shapes.ts";
import type { IngestRowResult, RecordError, WriteOperation, WriteRecord } from "../writes/write-types.ts";
import { BulkJobFailed, BulkResultError } from "./bulk-errors.ts";
import {
  abortIngestJob,
  closeIngestJob,
  createIngestJob,
  DEFAULT_MAX_UPLOAD_BYTES,
  deleteIngestJob,
  failedResults,
  getIngestJob,
  type IngestJobInfo,
  type IngestJobState,
  type IngestWaitOptions,
  MAX_UPLOAD_BASE64_BYTES,
  successfulResults,
  unprocessedRecords,
  uploadJobData,
  waitForIngestJob,
} from "./bulk-ingest-jobs.ts";
import type { BulkClient } from "./bulk-query.ts";

export interface BulkIngestOptions extends IngestWaitOptions {
  object: string;
  operation: WriteOperation;
  externalIdField?: string;
  records: AsyncIterable<WriteRecord> | Iterable<WriteRecord>;
  /**
   * The CSV header. Without it each job's header is its first record's columns, and a record
   * with a column the header lacks starts the next job.
   */
  columns?: string[];
  /** Most CSV bytes in one job (default 100 MB: under Salesforce's 150 MB once base64-encoded). */
  maxUploadBytes?: number;
  /**
   * Most records in one job (no limit by default): a job's results are held until it is done,
   * so this bounds memory when records are small and many.
   */
  maxRecordsPerJob?: number;
  /** Told of each job before its upload (awaited): its id and the index of its first record. */
  onJob?: (jobId: string, info: { firstIndex: number }) => Promise<void> | void;
  /**
   * Told after the upload, before the job is closed (awaited): which records the job holds. Until
   * the job is closed Salesforce processes none of them, so recording them here is in time.
   */
  onUploaded?: (jobId: string, info: { firstIndex: number; count: number }) => Promise<void> | void;
  /** Delete each job once its results are handed out (default false: Salesforce drops it after 7 days). */
  deleteWhenDone?: boolean;
}

export interface IngestJobResults {
  jobId: string;
  /** The job as last seen: JobComplete, or Failed / Aborted with its errorMessage. */
  job: IngestJobInfo;
  /** One result per record of the job, in input order; `index` counts across jobs. */
  results: IngestRowResult[];
}

interface Pending {
  record: WriteRecord;
  index: number;
}

/** Pulls records one at a time, with one record pushed back for the next job. */
class RecordFeed {
  private readonly source: AsyncIterator<WriteRecord> | Iterator<WriteRecord>;
  private carried: Pending | undefined;
  private index = 0;
  /** What went wrong with a record while the upload pulled it. */
  failure: unknown;
  constructor(records: AsyncIterable<WriteRecord> | Iterable<WriteRecord>) {
    this.source =
      Symbol.asyncIterator in records
        ? (records as AsyncIterable<WriteRecord>)[Symbol.asyncIterator]()
        : (records as Iterable<WriteRecord>)[Symbol.iterator]();
  }
  async next(): Promise<Pending | undefined> {
    if (this.carried) {
      const out = this.carried;
      this.carried = undefined;
      return out;
    }
    const step = await this.source.next();
    if (step.done) return undefined;
    return { record: step.value, index: this.index++ };
  }
  pushBack(pending: Pending): void {
    this.carried = pending;
  }
}

/**
 * Bulk API 2.0 from start to end for a stream of records: as many jobs as the size limit needs,
 * each created, told to `onJob`, uploaded (streamed, never held whole), told to `onUploaded`,
 * closed, polled, and its results read and matched back to the inputs. Yields one entry per job
 * once its results are known; a job's results are read while the next job uploads and handed out
 * once that one is closed (so the caller's work on them overlaps its run), in job order, two jobs'
 * results held at most; a job is first polled once the one before it has its results read. A failed or aborted job still yields: its processed rows succeeded
 * or failed, the others are `unprocessed`, carrying the job's error. An upload that fails aborts
 * its job (nothing of it was processed) and throws, after handing out the job before it; so does a record that cannot be written as
 * CSV (the RecordShapeError is thrown, not the broken upload it caused).
 */
export async function* bulkIngest(client: BulkClient, options: BulkIngestOptions): AsyncGenerator<IngestJobResults> {
  const maxBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  if (
    options.maxRecordsPerJob !== undefined &&
    !(Number.isSafeInteger(options.maxRecordsPerJob) && options.maxRecordsPerJob > 0)
  )
    throw new RangeError(`maxRecordsPerJob must be a positive whole number: ${options.maxRecordsPerJob}`);
  if (!(maxBytes > 0 && Math.ceil(maxBytes / 3) * 4 <= MAX_UPLOAD_BASE64_BYTES))
    throw new RangeError(`maxUploadBytes must be positive and at most ${(MAX_UPLOAD_BASE64_BYTES / 4) * 3}`);
  const feed = new RecordFeed(options.records);
  // The job closed last, its results on the way (polled, read, matched) while the next job
  // uploads; handed out once the next one is closed, so the caller's work on them (storing them)
  // overlaps that job's run. Two jobs' results are held at most.
  let previous: { jobId: string; results: Promise<IngestJobResults> } | undefined;
  const take = async () => {
    const done = previous!;
    previous = undefined;
    return { jobId: done.jobId, results: await done.results };
  };
  try {
    for (;;) {
      const first = await feed.next();
      if (!first) break;
      const closed = await runJob(client, options, feed, first, maxBytes);
      // Polled once the job before it has its results read: the results of a job already done
      // never wait behind the processing of the next one (which a serial server, the emulator,
      // does while answering the poll), and its caller can store them while the next one runs.
      const before = previous?.results.then(
        () => undefined,
        () => undefined,
      );
      const results = before
        ? before.then(() => jobResults(client, closed.jobId, closed.matcher, options))
        : jobResults(client, closed.jobId, closed.matcher, options);
      // Awaited when handed out; a failure meanwhile is not left unhandled.
      results.catch(() => undefined);
      if (previous) {
        const done = await take();
        previous = { jobId: closed.jobId, results };
        yield done.results;
        if (options.deleteWhenDone) await quietly(deleteIngestJob(client, done.jobId, { signal: options.signal }));
      } else previous = { jobId: closed.jobId, results };
    }
  } catch (error) {
    // A later job failed: the one before it still ends as it would have, then the failure is thrown.
    if (previous) {
      const done = await take().catch(() => undefined);
      if (done) yield done.results;
    }
    throw error;
  }
  if (previous) {
    const done = await take();
    yield done.results;
    if (options.deleteWhenDone) await quietly(deleteIngestJob(client, done.jobId, { signal: options.signal }));
  }
}

/** One job made, told to `onJob`, uploaded (streamed), told to `onUploaded` and closed. */
async function runJob(
  client: BulkClient,
  options: BulkIngestOptions,
  feed: RecordFeed,
  first: Pending,
  maxBytes: number,
): Promise<{ jobId: string; matcher: IngestMatcher }> {
  {
    const columns = options.columns ?? recordCells(first.record).map(([c]) => c);
    const matcher = new IngestMatcher({
      operation: options.operation,
      externalIdField: options.externalIdField,
      columns,
      firstIndex: first.index,
    });
    const header = Buffer.from(csvLine(columns));
    const firstCells = cellsUnder(first.record, columns);
    if (!firstCells) throw new TypeError(`record ${first.index} has a column the given columns lack`);
    const firstLine = Buffer.from(csvLine(firstCells));
    if (header.length + firstLine.length > maxBytes)
      throw new RangeError(`record ${first.index} alone is larger than maxUploadBytes (${maxBytes})`);
    const job = await createIngestJob(client, { ...options, signal: options.signal });
    await options.onJob?.(job.id, { firstIndex: first.index });
    matcher.add(firstCells);
    const limits = { maxBytes, maxRecords: options.maxRecordsPerJob ?? Number.POSITIVE_INFINITY };
    const body = jobBody(feed, columns, matcher, [header, firstLine], limits, options.columns !== undefined);
    try {
      await uploadJobData(client, job.id, body, { signal: options.signal });
      if (feed.failure !== undefined) throw feed.failure;
      await options.onUploaded?.(job.id, { firstIndex: first.index, count: matcher.size });
    } catch (error) {
      await quietly(abortIngestJob(client, job.id, { signal: AbortSignal.timeout(30_000) }));
      throw feed.failure ?? error;
    }
    await closeJob(client, job.id, options.signal);
    return { jobId: job.id, matcher };
  }
}

/**
 * Closes an uploaded job. When the close fails, the job's own state tells whether it took: a job
 * still Open is aborted (nothing of it is processed) and the failure thrown; a closed one goes on.
 */
async function closeJob(client: BulkClient, jobId: string, signal: AbortSignal | undefined): Promise<void> {
  try {
    await closeIngestJob(client, jobId, { signal });
  } catch (error) {
    const seen = await getIngestJob(client, jobId, { signal }).catch(() => undefined);
    if (seen && seen.state !== "Open") return;
    await quietly(abortIngestJob(client, jobId, { signal: AbortSignal.timeout(30_000) }));
    throw error;
  }
}

/** A record's cells under the header, or undefined when it has a column the header lacks. */
function cellsUnder(record: WriteRecord, columns: readonly string[]): string[] | undefined {
  const cells = new Map(recordCells(record));
  for (const column of cells.keys()) if (!columns.includes(column)) return undefined;
  return columns.map((c) => cells.get(c) ?? "");
}

/** The CSV of one job, pulled from the feed as the upload streams, until the size limit. */
async function* jobBody(
  feed: RecordFeed,
  columns: readonly string[],
  matcher: IngestMatcher,
  start: Buffer[],
  limits: { maxBytes: number; maxRecords: number },
  fixedColumns: boolean,
): AsyncGenerator<Buffer> {
  const { maxBytes, maxRecords } = limits;
  let bytes = 0;
  for (const chunk of start) bytes += chunk.length;
  yield Buffer.concat(start);
  let batch: Buffer[] = [];
  let batchBytes = 0;
  for (;;) {
    let line: Buffer;
    try {
      if (matcher.size >= maxRecords) break;
      const next = await feed.next();
      if (!next) break;
      const cells = cellsUnder(next.record, columns);
      if (!cells) {
        if (fixedColumns) throw new TypeError(`record ${next.index} has a column the given columns lack`);
        feed.pushBack(next);
        break;
      }
      line = Buffer.from(csvLine(cells));
      if (bytes + line.length > maxBytes) {
        feed.pushBack(next);
        break;
      }
      matcher.add(cells);
    } catch (error) {
      // Kept to be thrown as it is: the upload only sees its body break off.
      feed.failure = error;
      throw error;
    }
    bytes += line.length;
    batch.push(line);
    batchBytes += line.length;
    if (batchBytes >= 64 * 1024) {
      yield Buffer.concat(batch);
      batch = [];
      batchBytes = 0;
    }
  }
  if (batch.length > 0) yield Buffer.concat(batch);
}

export interface ReadIngestResultsOptions extends IngestWaitOptions {
  operation: WriteOperation;
  externalIdField?: string;
  /** The job's records in the order they were uploaded (the order of their results). */
  records: AsyncIterable<WriteRecord> | Iterable<WriteRecord>;
  /** The index of the first of them, as bulkIngest numbered it (default 0). */
  firstIndex?: number;
}

/**
 * The results of a job recorded earlier (say, by a process that died while it ran), matched back
 * to its records. A job still Open was never closed: nothing of it was processed, so it is
 * aborted and every record comes back `unprocessed`, safe to send again. A job still running is
 * waited for.
 */
export async function readIngestResults(
  client: BulkClient,
  jobId: string,
  options: ReadIngestResultsOptions,
): Promise<IngestJobResults> {
  const matcher = new IngestMatcher({
    operation: options.operation,
    externalIdField: options.externalIdField,
    firstIndex: options.firstIndex,
  });
  const records = options.records;
  if (Symbol.asyncIterator in records)
    for await (const r of records as AsyncIterable<WriteRecord>) matcher.addRecord(r);
  else for (const r of records as Iterable<WriteRecord>) matcher.addRecord(r);
  const job = await getIngestJob(client, jobId, { signal: options.signal });
  if (job.state === "Open") {
    const aborted = await abortIngestJob(client, jobId, { signal: options.signal });
    const results = matcher.results().map((r) => ({ ...r, outcome: "unprocessed" as const }));
    return { jobId, job: aborted, results };
  }
  return jobResults(client, jobId, matcher, options, job);
}

/** Waits for a closed job, then reads the result files it needs and matches them. */
async function jobResults(
  client: BulkClient,
  jobId: string,
  matcher: IngestMatcher,
  options: IngestWaitOptions,
  seen?: IngestJobInfo,
): Promise<IngestJobResults> {
  let job: IngestJobInfo;
  let jobErrors: RecordError[] = [];
  try {
    job = seen && isFinished(seen.state) ? finished(seen) : await waitForIngestJob(client, jobId, options);
  } catch (error) {
    if (!(error instanceof BulkJobFailed)) throw error;
    job = error.job as IngestJobInfo;
    jobErrors = [jobFailure(job, error)];
  }
  const call = { signal: options.signal };
  const processed = job.numberRecordsProcessed;
  const failed = job.numberRecordsFailed;
  const complete = job.state === "JobComplete" && typeof processed === "number" && typeof failed === "number";
  // A complete job's counters say which files can hold rows; each file read is one API call.
  if (!complete || processed - failed > 0)
    for await (const row of successfulResults(client, jobId, call)) matcher.succeeded(row);
  if (!complete || failed > 0) for await (const row of failedResults(client, jobId, call)) matcher.failed(row);
  if (!complete || processed < matcher.size)
    for await (const row of unprocessedRecords(client, jobId, call)) matcher.unprocessed(row, jobErrors);
  const results = matcher.results();
  if (matcher.unmatched > 0)
    throw new BulkResultError(jobId, `${matcher.unmatched} result rows match none of the records uploaded`);
  return { jobId, job, results };
}

function isFinished(state: IngestJobState): boolean {
  return state === "JobComplete" || state === "Failed" || state === "Aborted";
}

/** A finished job as waitForIngestJob would have ended on it. */
function finished(job: IngestJobInfo): IngestJobInfo {
  if (job.state === "Failed" || job.state === "Aborted") throw new BulkJobFailed({ ...job, state: job.state });
  return job;
}

function jobFailure(job: IngestJobInfo, error: BulkJobFailed): RecordError {
  const outcome = lookupError("bulk", job.state, 0, job.errorMessage);
  const failure: RecordError = {
    code: job.state === "Aborted" ? "BULK_JOB_ABORTED" : "BULK_JOB_FAILED",
    message: error.message,
    fields: [],
    reason: outcome.reason,
    retry: outcome.retry,
  };
  if (outcome.checklistItem) failure.checklistItem = outcome.checklistItem;
  return failure;
}

async function quietly(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch {
    // Best effort: an Open job is never processed, and Salesforce drops it after 7 days.
  }
}
