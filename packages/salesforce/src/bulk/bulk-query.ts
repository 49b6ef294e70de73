import type { Readable } from "node:stream";
import { pipeline } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { createGunzip, createInflate } from "node:zlib";
import type { ResponseHeaders, SalesforceClient, StreamedResponse } from "../api-client.ts";
import { recordId } from "../sobject-paths.ts";
import { transportFailureFrom } from "../transport-failure.ts";
import { BulkJobFailed, BulkJobTimedOut, BulkResultError } from "./bulk-errors.ts";
import { CsvFormatError, type CsvRecord, CsvRecordParser, readCsvRecords } from "./csv-records.ts";

/** What the Bulk query functions need of a client: its request pipeline and its data path. */
export type BulkClient = Pick<SalesforceClient, "request" | "dataPath">;

export type QueryJobState = "UploadComplete" | "InProgress" | "JobComplete" | "Failed" | "Aborted";

/** A Bulk API 2.0 query job as Salesforce describes it; the counters come with a poll only. */
export interface QueryJobInfo {
  id: string;
  operation: "query" | "queryAll";
  object: string;
  state: QueryJobState;
  createdById?: string;
  createdDate?: string;
  systemModstamp?: string;
  apiVersion?: number;
  contentType?: string;
  columnDelimiter?: string;
  lineEnding?: string;
  concurrencyMode?: string;
  jobType?: string;
  numberRecordsProcessed?: number;
  retries?: number;
  totalProcessingTime?: number;
  isPkChunkingSupported?: boolean;
  errorMessage?: string;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface CreateQueryJobOptions extends CallOptions {
  /** queryAll: deleted (IsDeleted = true) and archived rows too. */
  includeDeleted?: boolean;
}

export interface WaitOptions extends CallOptions {
  /** First wait before a poll (default 1 s); each next wait is 1.5 times longer, up to the cap. */
  pollIntervalMs?: number;
  /** Longest wait between polls (default 10 s). */
  maxPollIntervalMs?: number;
  /** Give up with BulkJobTimedOut after this long; the job keeps running. No limit by default. */
  timeoutMs?: number;
  /** Injected in tests; given the caller's signal. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  /** Told every polled state, e.g. to log progress. */
  onPoll?: (job: QueryJobInfo) => void;
}

export interface ResultPageOptions extends CallOptions {
  /** Rows per page; Salesforce's default is large, so set it (10,000 to 50,000) to bound memory. */
  maxRecords?: number;
  /** Start at this page instead of the first: a locator a previous page gave. */
  locator?: string | null;
  /** Ask for gzip-compressed pages (default true); compressed pages are read as they stream. */
  gzip?: boolean;
  /**
   * Hand out each page in pieces of at most this many rows, as they are parsed, instead of whole:
   * memory then holds one piece, while the API calls stay one per page. A page cut off midway is
   * then an error (its first pieces are already out), not fetched again.
   */
  chunkRecords?: number;
}

/** One page of results, parsed; its rows are bounded by maxRecords (or one piece of a page, with chunkRecords). */
export interface BulkResultPage {
  jobId: string;
  records: CsvRecord[];
  /** The locator of the next page; null on the last page. */
  locator: string | null;
  /** Rows in this page, as Salesforce announced them (Sforce-NumberOfRecords). */
  numberOfRecords: number;
  /** False for a piece that is not the last of its page (chunkRecords). */
  endOfPage?: boolean;
}

export interface BulkQueryOptions extends WaitOptions, Omit<ResultPageOptions, "locator"> {
  includeDeleted?: boolean;
  /** Delete the job once its last page is read (default true); it would stay for 7 days. */
  deleteWhenDone?: boolean;
  /** Told of the job as soon as it exists, e.g. to record its id; awaited, so the record precedes the wait. */
  onJob?: (job: QueryJobInfo) => unknown;
  /** How long the clean-up of an abandoned job may take (default 30 s). */
  cleanupTimeoutMs?: number;
}

const PAGE_ATTEMPTS = 3;
const GROWTH = 1.5;

function jobsPath(client: BulkClient): string {
  return `${client.dataPath}/jobs/query`;
}

function jobPath(client: BulkClient, jobId: string): string {
  return `${jobsPath(client)}/${recordId(jobId)}`;
}

/** Creates a query job for CSV results, comma separated, LF line endings. */
export async function createQueryJob(
  client: BulkClient,
  soql: string,
  options: CreateQueryJobOptions = {},
): Promise<QueryJobInfo> {
  const res = await client.request<QueryJobInfo>({
    method: "POST",
    path: jobsPath(client),
    json: {
      operation: options.includeDeleted ? "queryAll" : "query",
      query: soql,
      contentType: "CSV",
      columnDelimiter: "COMMA",
      lineEnding: "LF",
    },
    signal: options.signal,
  });
  return res.body;
}

export async function getQueryJob(client: BulkClient, jobId: string, options: CallOptions = {}): Promise<QueryJobInfo> {
  return (await client.request<QueryJobInfo>({ path: jobPath(client, jobId), signal: options.signal })).body;
}

/**
 * Polls until the job is JobComplete and answers its info. Waits first (a new job is never done
 * at once), then grows the wait gently to a cap, so a long job costs few calls.
 * Throws BulkJobFailed on Failed or Aborted, BulkJobTimedOut past `timeoutMs`.
 */
export async function waitForJob(client: BulkClient, jobId: string, options: WaitOptions = {}): Promise<QueryJobInfo> {
  const { signal, timeoutMs } = options;
  const sleep = options.sleep ?? ((ms: number, s?: AbortSignal) => delay(ms, undefined, { signal: s }));
  const now = options.now ?? Date.now;
  const started = now();
  let interval = Math.max(1, options.pollIntervalMs ?? 1000);
  const cap = Math.max(interval, options.maxPollIntervalMs ?? 10_000);
  let state: string = "UploadComplete";
  for (;;) {
    signal?.throwIfAborted();
    let wait = interval;
    if (timeoutMs !== undefined) {
      const left = timeoutMs - (now() - started);
      if (left <= 0) throw new BulkJobTimedOut(jobId, state, timeoutMs);
      wait = Math.min(wait, left);
    }
    await sleep(wait, signal);
    signal?.throwIfAborted();
    const job = await getQueryJob(client, jobId, { signal });
    state = job.state;
    options.onPoll?.(job);
    if (job.state === "JobComplete") return job;
    if (job.state === "Failed" || job.state === "Aborted") throw new BulkJobFailed({ ...job, state: job.state });
    interval = Math.min(cap, Math.round(interval * GROWTH));
  }
}

/**
 * The job's result pages, one request each, fetched as they are consumed and followed by
 * `Sforce-Locator` until it says "null". A page whose body breaks off is fetched again (its
 * locator names it), at most three times in all.
 */
export async function* resultPages(
  client: BulkClient,
  jobId: string,
  options: ResultPageOptions = {},
): AsyncGenerator<BulkResultPage> {
  const { maxRecords } = options;
  if (maxRecords !== undefined && !(Number.isSafeInteger(maxRecords) && maxRecords > 0))
    throw new RangeError(`maxRecords must be a positive whole number: ${maxRecords}`);
  if (options.locator === "null") return;
  let locator = options.locator ?? null;
  for (;;) {
    let next: string | null = null;
    if (options.chunkRecords) {
      for await (const piece of pagePieces(client, jobId, locator, options, options.chunkRecords)) {
        next = piece.locator;
        yield piece;
      }
    } else {
      const page = await fetchPage(client, jobId, locator, options);
      next = page.locator;
      yield page;
    }
    if (next === null) return;
    locator = next;
  }
}

/** One page, handed out in pieces of at most `size` rows as the CSV streams in. */
async function* pagePieces(
  client: BulkClient,
  jobId: string,
  locator: string | null,
  options: ResultPageOptions,
  size: number,
): AsyncGenerator<BulkResultPage> {
  const res = await requestPage(client, jobId, locator, options);
  const next = header(res.headers, "sforce-locator")?.trim();
  if (!next) {
    res.body.destroy();
    throw new BulkResultError(jobId, "a results page came without Sforce-Locator");
  }
  const announcedText = header(res.headers, "sforce-numberofrecords");
  const parser = new CsvRecordParser();
  let pending: CsvRecord[] = [];
  let seen = 0;
  const piece = (records: CsvRecord[], endOfPage: boolean, numberOfRecords: number): BulkResultPage => ({
    jobId,
    records,
    locator: next === "null" ? null : next,
    numberOfRecords,
    endOfPage,
  });
  const announced = announcedText === undefined ? -1 : Number(announcedText);
  for await (const chunk of decoded(res, jobId)) {
    parser.push(chunk as Uint8Array, pending);
    while (pending.length >= size) {
      const out = pending.length === size ? pending : pending.slice(0, size);
      pending = pending.length === size ? [] : pending.slice(size);
      seen += out.length;
      yield piece(out, false, announced);
    }
  }
  parser.end(pending);
  seen += pending.length;
  if (announced >= 0 && announced !== seen)
    throw new BulkResultError(jobId, `a results page announced ${announced} records and held ${seen}`);
  yield piece(pending, true, seen);
}

async function fetchPage(
  client: BulkClient,
  jobId: string,
  locator: string | null,
  options: ResultPageOptions,
): Promise<BulkResultPage> {
  for (let attempt = 1; ; attempt++) {
    const res = await requestPage(client, jobId, locator, options);
    let records: CsvRecord[];
    try {
      records = await readCsvRecords(decoded(res, jobId));
    } catch (error) {
      if (error instanceof CsvFormatError || error instanceof BulkResultError) throw error;
      const failure = transportFailureFrom(error);
      const transport = failure.kind === "reset" || failure.kind === "timeout";
      const cutShort = transport || CUT_SHORT.has(failure.code ?? "");
      if (cutShort && attempt < PAGE_ATTEMPTS && !options.signal?.aborted) continue;
      throw transport || failure.kind === "aborted" ? failure : error;
    }
    return pageOf(jobId, res.headers, records);
  }
}

/** One results page's request: CSV, gzip unless asked not to, the body left streaming. */
function requestPage(
  client: BulkClient,
  jobId: string,
  locator: string | null,
  options: ResultPageOptions,
): Promise<StreamedResponse> {
  const headers: Record<string, string> = { accept: "text/csv" };
  if (options.gzip !== false) headers["accept-encoding"] = "gzip";
  return client.request({
    stream: true,
    path: `${jobPath(client, jobId)}/results`,
    query: { maxRecords: options.maxRecords, locator: locator ?? undefined },
    headers,
    signal: options.signal,
  });
}

const INFLATED = { chunkSize: 64 * 1024 };

/** A body cut short that the transport does not name: a gzip stream or a pipe ending early. */
const CUT_SHORT = new Set(["Z_BUF_ERROR", "ERR_STREAM_PREMATURE_CLOSE"]);

function decoded(res: StreamedResponse, jobId: string): Readable {
  const encoding = (header(res.headers, "content-encoding") ?? "").trim().toLowerCase();
  if (encoding === "" || encoding === "identity") return res.body;
  const noop = () => {};
  // Larger pieces than zlib's 16 KiB: a page is tens of MB, read a piece at a time.
  if (encoding === "gzip" || encoding === "x-gzip") return pipeline(res.body, createGunzip(INFLATED), noop);
  if (encoding === "deflate") return pipeline(res.body, createInflate(INFLATED), noop);
  res.body.destroy();
  throw new BulkResultError(jobId, `results came with an encoding the client did not ask for: ${encoding}`);
}

function pageOf(jobId: string, headers: ResponseHeaders, records: CsvRecord[]): BulkResultPage {
  const locator = header(headers, "sforce-locator")?.trim();
  if (!locator) throw new BulkResultError(jobId, "a results page came without Sforce-Locator");
  const announced = header(headers, "sforce-numberofrecords");
  const numberOfRecords = announced === undefined ? records.length : Number(announced);
  if (numberOfRecords !== records.length) {
    const message = `a results page announced ${announced} records and held ${records.length}`;
    throw new BulkResultError(jobId, message);
  }
  return { jobId, records, locator: locator === "null" ? null : locator, numberOfRecords };
}

/** Stops a job that has not finished. Salesforce refuses it once the job is complete. */
export async function abortJob(client: BulkClient, jobId: string, options: CallOptions = {}): Promise<QueryJobInfo> {
  const res = await client.request<QueryJobInfo>({
    method: "PATCH",
    path: jobPath(client, jobId),
    json: { state: "Aborted" },
    idempotent: true,
    signal: options.signal,
  });
  return res.body;
}

/** Deletes a job and its results; Salesforce refuses while the job is InProgress. */
export async function deleteJob(client: BulkClient, jobId: string, options: CallOptions = {}): Promise<void> {
  await client.request({ method: "DELETE", path: jobPath(client, jobId), signal: options.signal });
}

/** One results page as it streams in: `read` consumes its body (decoded CSV) and says how many rows it held. */
export interface BulkResultStream {
  jobId: string;
  /** The locator of the next page; null on the last page. */
  locator: string | null;
  /** Rows Salesforce announced (Sforce-NumberOfRecords), -1 when it did not say. */
  numberOfRecords: number;
  body: AsyncIterable<Uint8Array>;
}

export type BulkStreamQueryOptions = WaitOptions &
  Pick<BulkQueryOptions, "includeDeleted" | "deleteWhenDone" | "onJob" | "cleanupTimeoutMs" | "maxRecords" | "gzip">;

/**
 * A Bulk query whose pages are handed over as byte streams, for a consumer that parses CSV its own way: `read` gets
 * each page and answers what it made of it (with the rows it counted), which is yielded. The next page is asked
 * for as soon as the current one's headers arrive, so Salesforce prepares it while this one is read; the API calls
 * stay one per page. A page whose body breaks off is an error (what was read of it is already out). The job is
 * created, waited for and deleted as by bulkQuery, and the row counts are checked as it does.
 */
export async function* bulkQueryStreams<T extends { rows: number }>(
  client: BulkClient,
  soql: string,
  options: BulkStreamQueryOptions,
  read: (page: BulkResultStream) => Promise<T>,
): AsyncGenerator<T> {
  yield* withQueryJob(
    client,
    soql,
    options,
    (jobId) => streamedPages(client, jobId, options, read),
    (r) => r.rows,
  );
}

async function* streamedPages<T extends { rows: number }>(
  client: BulkClient,
  jobId: string,
  options: ResultPageOptions,
  read: (page: BulkResultStream) => Promise<T>,
): AsyncGenerator<T> {
  let pending: Promise<StreamedResponse> | null = requestPage(client, jobId, null, options);
  try {
    while (pending) {
      const res: StreamedResponse = await pending;
      pending = null;
      try {
        const next = header(res.headers, "sforce-locator")?.trim();
        if (!next) throw new BulkResultError(jobId, "a results page came without Sforce-Locator");
        const locator = next === "null" ? null : next;
        if (locator !== null) {
          pending = requestPage(client, jobId, locator, options);
          // Awaited on the next turn; a failure before that must not count as unhandled.
          pending.catch(() => undefined);
        }
        const announcedText = header(res.headers, "sforce-numberofrecords");
        const announced = announcedText === undefined ? -1 : Number(announcedText);
        const result = await read({
          jobId,
          locator,
          numberOfRecords: announced,
          body: transportChecked(decoded(res, jobId)),
        });
        if (announced >= 0 && announced !== result.rows)
          throw new BulkResultError(jobId, `a results page announced ${announced} records and held ${result.rows}`);
        yield result;
      } finally {
        res.body.destroy();
      }
    }
  } finally {
    // Stopped early: the page asked for ahead is not read.
    pending?.then(
      (res) => res.body.destroy(),
      () => undefined,
    );
  }
}

/** A body's chunks, with a connection reset or timeout midway thrown as the transport failure it is. */
async function* transportChecked(body: Readable): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk as Uint8Array;
  } catch (error) {
    const failure = transportFailureFrom(error);
    throw failure.kind === "reset" || failure.kind === "timeout" ? failure : error;
  }
}

/**
 * A Bulk query from start to end: creates the job, waits for it, yields its pages, then deletes
 * it. A consumer that stops early, an error or an abort leaves no job running: it is aborted if
 * it may still run, then deleted, as a best effort that never hides the original error.
 * Checks that the pages held as many rows as the job processed.
 */
export async function* bulkQuery(
  client: BulkClient,
  soql: string,
  options: BulkQueryOptions = {},
): AsyncGenerator<BulkResultPage> {
  yield* withQueryJob(
    client,
    soql,
    options,
    (jobId) => resultPages(client, jobId, { ...options, locator: null }),
    (page) => page.records.length,
  );
}

/** The job's life around its pages: create, wait, the pages, the processed-count check, abort and delete. */
async function* withQueryJob<T>(
  client: BulkClient,
  soql: string,
  options: BulkStreamQueryOptions & CallOptions,
  pages: (jobId: string) => AsyncGenerator<T>,
  rowsOf: (page: T) => number,
): AsyncGenerator<T> {
  const { signal } = options;
  const job = await createQueryJob(client, soql, { includeDeleted: options.includeDeleted, signal });
  let running = true;
  let finished = false;
  try {
    await options.onJob?.(job);
    let done: QueryJobInfo;
    try {
      done = await waitForJob(client, job.id, options);
    } catch (error) {
      if (error instanceof BulkJobFailed) running = false;
      throw error;
    }
    running = false;
    let delivered = 0;
    for await (const page of pages(job.id)) {
      delivered += rowsOf(page);
      yield page;
    }
    const processed = done.numberRecordsProcessed;
    if (typeof processed === "number" && processed !== delivered)
      throw new BulkResultError(job.id, `the job processed ${processed} records and its pages held ${delivered}`);
    finished = true;
  } finally {
    if (!finished || options.deleteWhenDone !== false) {
      const cleanup = AbortSignal.timeout(options.cleanupTimeoutMs ?? 30_000);
      if (running) await quietly(abortJob(client, job.id, { signal: cleanup }));
      await quietly(deleteJob(client, job.id, { signal: cleanup }));
    }
  }
}

async function quietly(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch {
    // Best effort: the job expires on its own after 7 days.
  }
}

function header(headers: ResponseHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
