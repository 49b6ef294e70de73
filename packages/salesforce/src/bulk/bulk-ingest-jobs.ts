/**
 * Bulk API 2.0 ingest, call by call: create a job, upload its CSV once, close it, poll it with
 * the one backoff, then read its successful, failed and unprocessed rows through the CSV reader.
 * `bulkIngest` (bulk-ingest.ts) runs them all for a stream of records.
 */
import { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { backoffDelay } from "../retry.ts";
import { apiName, recordId } from "../sobject-paths.ts";
import type { WriteOperation } from "../writes/write-types.ts";
import { BulkJobFailed, BulkJobTimedOut } from "./bulk-errors.ts";
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
    // Sending it again after a lost answer leaves at most an empty job Open, which Salesforce
    // never processes and drops after 7 days: no record can be written twice through it.
    idempotent: true,
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
 * Polls until the job is JobComplete and answers its info. The first look is at once (a small job
 * is often done by the time it is closed: one call instead of a second's wait); each wait after
 * it comes from the one backoff
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
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    if (attempt > 0) await sleep(pollWait(attempt), signal);
    signal?.throwIfAborted();
    const job = await getIngestJob(client, jobId, { signal });
    state = job.state;
    options.onPoll?.(job);
    if (job.state === "JobComplete") return job;
    if (job.state === "Failed" || job.state === "Aborted") throw new BulkJobFailed({ ...job, state: job.state });
    if (job.state === "Open") throw new IngestJobNotClosed(jobId);
  }

  function pollWait(attempt: number): number {
    // Equal jitter on the one backoff: half the ceiling for sure, the other half drawn.
    const ceiling = Math.min(max, base * 2 ** Math.min(attempt - 1, 30));
    let wait = Math.round(ceiling / 2 + backoffDelay(attempt, half, random));
    if (timeoutMs !== undefined) {
      const left = timeoutMs - (now() - started);
      if (left <= 0) throw new BulkJobTimedOut(jobId, state, timeoutMs);
      wait = Math.min(wait, left);
    }
    return wait;
  }
}

/** Waiting on a job nobody closed: Salesforce processes nothing of it until it is closed. */
export class IngestJobNotClosed extends Error {
  override readonly name = "IngestJobNotClosed";
  readonly jobId: string;
  constructor(jobId: string) {
    super(`Bulk ingest job ${jobId} is still Open: close it (closeIngestJob) or abort it; nothing of it is processed`);
    this.jobId = jobId;
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
