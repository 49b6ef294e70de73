/**
 * Bulk API 2.0 ingest: create a job, upload its CSV once, close it, poll it with backoff, then
 * read its successful, failed and unprocessed rows through the CSV reader. `bulkIngest` does it
 * all for a stream of records, one job per ~100 MB of CSV (Salesforce takes at most 150 MB
 * base64-encoded a job), and matches every result back to its input.
 */
import { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { lookupError } from "../error-table.ts";
import { backoffDelay } from "../retry.ts";
import { apiName, recordId } from "../sobject-paths.ts";
import { IngestMatcher } from "../writes/ingest-matching.ts";
import { csvLine, recordCells } from "../writes/record-shapes.ts";
import type { IngestRowResult, RecordError, WriteOperation, WriteRecord } from "../writes/write-types.ts";
import { BulkJobFailed, BulkJobTimedOut, BulkResultError } from "./bulk-errors.ts";
import type { BulkClient, CallOptions } from "./bulk-query.ts";
import { type CsvRecord, csvRecords } from "./csv-records.ts";

export type IngestJobState = "Open" | "UploadComplete" | "InProgress" | "JobComplete" | "Failed" | "Aborted";

/** A Bulk API 2.0 ingest job as Salesforce describes it; the counters come with a poll only. */
export interface IngestJobInfo {
  id: string;
  operation: WriteOperation | "hardDelete";
  object: string;
  state: IngestJobState;
  externalIdFieldName?: string | null;
  createdById?: string;
  createdDate?: string;
  systemModstamp?: string;
  concurrencyMode?: string;
  contentType?: string;
  apiVersion?: number;
  contentUrl?: string;
  lineEnding?: string;
  columnDelimiter?: string;
  jobType?: string;
  numberRecordsProcessed?: number;
  numberRecordsFailed?: number;
  retries?: number;
  totalProcessingTime?: number;
  apiActiveProcessingTime?: number;
  apexProcessingTime?: number;
  errorMessage?: string;
}

export interface CreateIngestJobOptions extends CallOptions {
  object: string;
  operation: WriteOperation;
  /** Required for upsert. */
  externalIdField?: string;
  /** Only LF: the CSV this library writes ends its lines so. */
  lineEnding?: "LF";
}

export interface IngestWaitOptions extends CallOptions {
  /** The backoff's base (default 1 s): each wait is at least half the current ceiling. */
  pollBaseMs?: number;
  /** Longest wait between polls (default 10 s). */
  pollMaxMs?: number;
  /** Give up with BulkJobTimedOut after this long; the job keeps running. No limit by default. */
  timeoutMs?: number;
  /** Told every polled state, e.g. to log progress. */
  onPoll?: (job: IngestJobInfo) => void;
  /** Injected in tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

/** Salesforce's per-job upload ceiling, base64-encoded: about 100 MB of CSV. */
export const MAX_UPLOAD_BASE64_BYTES = 150 * 1024 * 1024;
/** bulkIngest's default CSV bytes per job, safely under the ceiling once encoded (4 bytes per 3). */
export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

function jobsPath(client: BulkClient): string {
  return `${client.dataPath}/jobs/ingest`;
}

function jobPath(client: BulkClient, jobId: string): string {
  return `${jobsPath(client)}/${recordId(jobId)}`;
}

/** Creates an ingest job for CSV, comma separated, LF line endings. */
export async function createIngestJob(client: BulkClient, options: CreateIngestJobOptions): Promise<IngestJobInfo> {
  apiName(options.object, "object name");
  if (options.operation === "upsert") {
    if (!options.externalIdField) throw new TypeError("a Bulk upsert needs externalIdField");
    apiName(options.externalIdField, "field name");
  }
  const res = await client.request<IngestJobInfo>({
    method: "POST",
    path: jobsPath(client),
    json: {
      object: options.object,
      operation: options.operation,
      ...(options.operation === "upsert" ? { externalIdFieldName: options.externalIdField } : {}),
      contentType: "CSV",
      columnDelimiter: "COMMA",
      lineEnding: options.lineEnding ?? "LF",
    },
    // A second job would only be an empty one left Open, but the first one's id would be lost.
    idempotent: false,
    signal: options.signal,
  });
  return res.body;
}

/**
 * Uploads the job's CSV, streamed. Salesforce takes one upload per job, so it is never resent:
 * after a failure the job holds nothing or an unknown part, and should be aborted (nothing of an
 * Open job is ever processed).
 */
export async function uploadJobData(
  client: BulkClient,
  jobId: string,
  csv: Readable | AsyncIterable<string | Buffer>,
  options: CallOptions = {},
): Promise<void> {
  const body = csv instanceof Readable ? csv : Readable.from(asBuffers(csv));
  await client.request({
    method: "PUT",
    path: `${jobPath(client, jobId)}/batches`,
    headers: { "content-type": "text/csv" },
    body,
    idempotent: false,
    signal: options.signal,
  });
}

async function* asBuffers(source: AsyncIterable<string | Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of source) yield typeof chunk === "string" ? Buffer.from(chunk) : chunk;
}

async function setState(
  client: BulkClient,
  jobId: string,
  state: "UploadComplete" | "Aborted",
  options: CallOptions,
): Promise<IngestJobInfo> {
  const res = await client.request<IngestJobInfo>({
    method: "PATCH",
    path: jobPath(client, jobId),
    json: { state },
    idempotent: true,
    signal: options.signal,
  });
  return res.body;
}

/** Tells Salesforce the upload is complete: the job is queued for processing. */
export function closeIngestJob(client: BulkClient, jobId: string, options: CallOptions = {}): Promise<IngestJobInfo> {
  return setState(client, jobId, "UploadComplete", options);
}

/** Stops a job: rows not processed yet never will be. */
export function abortIngestJob(client: BulkClient, jobId: string, options: CallOptions = {}): Promise<IngestJobInfo> {
  return setState(client, jobId, "Aborted", options);
}

/** Deletes a finished job and its results; Salesforce refuses while it is Open or running. */
export async function deleteIngestJob(client: BulkClient, jobId: string, options: CallOptions = {}): Promise<void> {
  await client.request({ method: "DELETE", path: jobPath(client, jobId), signal: options.signal });
}

export async function getIngestJob(
  client: BulkClient,
  jobId: string,
  options: CallOptions = {},
): Promise<IngestJobInfo> {
  return (await client.request<IngestJobInfo>({ path: jobPath(client, jobId), signal: options.signal })).body;
}

/**
 * Polls until the job is JobComplete and answers its info. Each wait comes from the one backoff
 * (`backoffDelay`), with half of the current ceiling as a floor so a long job costs few calls.
 * Throws BulkJobFailed on Failed or Aborted, BulkJobTimedOut past `timeoutMs`.
 */
export async function waitForIngestJob(
  client: BulkClient,
  jobId: string,
  options: IngestWaitOptions = {},
): Promise<IngestJobInfo> {
  const { signal, timeoutMs } = options;
  const sleep = options.sleep ?? ((ms: number, s?: AbortSignal) => delay(ms, undefined, { signal: s }));
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const base = Math.max(2, options.pollBaseMs ?? 1000);
  const max = Math.max(base, options.pollMaxMs ?? 10_000);
  const half = { baseDelayMs: base / 2, maxDelayMs: max / 2 };
  const started = now();
  let state: string = "UploadComplete";
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    // Equal jitter on the one backoff: half the ceiling for sure, the other half drawn.
    const ceiling = Math.min(max, base * 2 ** Math.min(attempt - 1, 30));
    let wait = Math.round(ceiling / 2 + backoffDelay(attempt, half, random));
    if (timeoutMs !== undefined) {
      const left = timeoutMs - (now() - started);
      if (left <= 0) throw new BulkJobTimedOut(jobId, state, timeoutMs);
      wait = Math.min(wait, left);
    }
    await sleep(wait, signal);
    signal?.throwIfAborted();
    const job = await getIngestJob(client, jobId, { signal });
    state = job.state;
    options.onPoll?.(job);
    if (job.state === "JobComplete") return job;
    if (job.state === "Failed" || job.state === "Aborted") throw new BulkJobFailed({ ...job, state: job.state });
  }
}

type ResultFile = "successfulResults" | "failedResults" | "unprocessedrecords";

async function* resultRows(
  client: BulkClient,
  jobId: string,
  file: ResultFile,
  options: CallOptions,
): AsyncGenerator<CsvRecord> {
  const res = await client.request({
    stream: true,
    path: `${jobPath(client, jobId)}/${file}`,
    headers: { accept: "text/csv" },
    signal: options.signal,
  });
  yield* csvRecords(res.body);
}

/** The rows Salesforce wrote: `sf__Id`, `sf__Created`, then the columns as uploaded. */
export function successfulResults(client: BulkClient, jobId: string, options: CallOptions = {}) {
  return resultRows(client, jobId, "successfulResults", options);
}

/** The rows Salesforce refused: `sf__Id`, `sf__Error`, then the columns as uploaded. */
export function failedResults(client: BulkClient, jobId: string, options: CallOptions = {}) {
  return resultRows(client, jobId, "failedResults", options);
}

/** The rows no one processed (the job was aborted or failed first), as uploaded. */
export function unprocessedRecords(client: BulkClient, jobId: string, options: CallOptions = {}) {
  return resultRows(client, jobId, "unprocessedrecords", options);
}

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
  /** Told of each job before its upload (awaited): its id and the index of its first record. */
  onJob?: (jobId: string, info: { firstIndex: number }) => Promise<void> | void;
  /** Told after the upload, before the job is closed (awaited): which records the job holds. */
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
 * once its results are known. A failed or aborted job still yields: its processed rows succeeded
 * or failed, the others are `unprocessed`, carrying the job's error. An upload that fails aborts
 * its job (nothing of it was processed) and throws.
 */
export async function* bulkIngest(client: BulkClient, options: BulkIngestOptions): AsyncGenerator<IngestJobResults> {
  const maxBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  if (!(maxBytes > 0 && Math.ceil(maxBytes / 3) * 4 <= MAX_UPLOAD_BASE64_BYTES))
    throw new RangeError(`maxUploadBytes must be positive and at most ${(MAX_UPLOAD_BASE64_BYTES / 4) * 3}`);
  const feed = new RecordFeed(options.records);
  for (;;) {
    const first = await feed.next();
    if (!first) return;
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
    const body = jobBody(feed, columns, matcher, [header, firstLine], maxBytes, options.columns !== undefined);
    try {
      await uploadJobData(client, job.id, body, { signal: options.signal });
      await options.onUploaded?.(job.id, { firstIndex: first.index, count: matcher.size });
    } catch (error) {
      await quietly(abortIngestJob(client, job.id, { signal: AbortSignal.timeout(30_000) }));
      throw error;
    }
    await closeIngestJob(client, job.id, { signal: options.signal });
    yield await jobResults(client, job.id, matcher, options);
    if (options.deleteWhenDone) await quietly(deleteIngestJob(client, job.id, { signal: options.signal }));
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
  maxBytes: number,
  fixedColumns: boolean,
): AsyncGenerator<Buffer> {
  let bytes = 0;
  for (const chunk of start) bytes += chunk.length;
  yield Buffer.concat(start);
  let batch: Buffer[] = [];
  let batchBytes = 0;
  for (;;) {
    const next = await feed.next();
    if (!next) break;
    const cells = cellsUnder(next.record, columns);
    if (!cells) {
      if (fixedColumns) throw new TypeError(`record ${next.index} has a column the given columns lack`);
      feed.pushBack(next);
      break;
    }
    const line = Buffer.from(csvLine(cells));
    if (bytes + line.length > maxBytes) {
      feed.pushBack(next);
      break;
    }
    bytes += line.length;
    matcher.add(cells);
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

/** Waits for a closed job, then reads the result files it needs and matches them. */
async function jobResults(
  client: BulkClient,
  jobId: string,
  matcher: IngestMatcher,
  options: BulkIngestOptions,
): Promise<IngestJobResults> {
  let job: IngestJobInfo;
  let jobErrors: RecordError[] = [];
  try {
    job = await waitForIngestJob(client, jobId, options);
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
