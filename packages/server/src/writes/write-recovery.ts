import {
  abortIngestJob,
  BulkJobFailed,
  failedResults,
  getIngestJob,
  type IngestJobInfo,
  IngestMatcher,
  type RecordError,
  rowCells,
  SalesforceApiError,
  successfulResults,
  unprocessedRecords,
  waitForIngestJob,
} from "@forcelink/salesforce";
import { sql } from "drizzle-orm";
import type { Platform } from "../platform/platform.ts";
import { columnsOf, type JobRowResult, settleJob } from "./write-bulk.ts";
import { unknownOutcomeError } from "./write-plan.ts";
import {
  recordsOfJob,
  type SendingRecord,
  sendingBulkJobs,
  sendingWithoutJob,
  settleRecords,
} from "./write-records.ts";
import { operationOf, uncountedCalls, type WriteRow, type WriteRun } from "./write-run.ts";

type Db = Pick<Platform, "db">;

/**
 * Records a runner left `sending` when it stopped (a crash, a kill -9, a lost machine), settled by
 * what can be known of them before the write goes on:
 * - in a call (no Bulk job): an update, upsert or delete goes back to pending (sending it again
 *   changes nothing); an insert becomes `unknown`, never sent again blindly;
 * - in a Bulk job: the job is read. Never closed (Open): it is aborted, nothing of it was
 *   processed, and its records go back to pending. Still running: waited for (or, with
 *   `wait: false`, left for the write's next run). Ended: its results are read back and settled.
 */
export async function reconcileSending(run: WriteRun, options: { wait: boolean }): Promise<void> {
  await settleInFlightCalls(run.platform, run.write, uncountedCalls(run));
  for (const { jobId } of await sendingBulkJobs(run.platform, run.write.id)) await readBackJob(run, jobId, options);
}

/**
 * Records left in a call that was in flight: an update, upsert or delete back to pending, an
 * insert unknown. Needs no client, so a write that cannot go on (its connection is gone) is
 * settled too.
 */
export async function settleInFlightCalls(platform: Db, write: WriteRow, apiCalls = 0): Promise<void> {
  const loose = await sendingWithoutJob(platform, write.id);
  if (loose.length === 0) return;
  const insert = operationOf(write) === "insert";
  const errors: RecordError[] = [
    unknownOutcomeError({
      reason: "write.runner_stopped",
      message: "the runner stopped while the call carrying it was in flight",
    }),
  ];
  await settleRecords(
    platform,
    write.id,
    loose.map((r) => (insert ? { idx: r.idx, status: "unknown", errors } : { idx: r.idx, status: "pending" })),
    apiCalls,
  );
}

const RUNNING_STATES = new Set(["UploadComplete", "InProgress"]);

async function readBackJob(run: WriteRun, jobId: string, options: { wait: boolean }): Promise<void> {
  let job: IngestJobInfo;
  try {
    job = await getIngestJob(run.client, jobId);
  } catch (error) {
    if (!(error instanceof SalesforceApiError && error.status === 404)) throw error;
    return settleLostJob(run, jobId);
  }
  if (job.state === "Open") {
    // Nothing of an Open job is ever processed: stop it, and its records were never sent.
    await abortIngestJob(run.client, jobId).catch(() => undefined);
    return releaseJob(run, jobId);
  }
  if (RUNNING_STATES.has(job.state)) {
    if (!options.wait) return;
    try {
      job = await waitForIngestJob(run.client, jobId, { signal: run.signal });
    } catch (error) {
      if (!(error instanceof BulkJobFailed)) throw error;
      job = error.job as unknown as IngestJobInfo;
    }
  }
  if (job.state !== "JobComplete" && (job.numberRecordsProcessed ?? 0) === 0) return releaseJob(run, jobId);
  await settleJob(run, jobId, await jobResults(run, jobId, job), (r) => r);
}

/** Reads a finished job's three result files and matches them to the records it holds. */
async function jobResults(run: WriteRun, jobId: string, job: IngestJobInfo): Promise<JobRowResult[]> {
  const records: SendingRecord[] = [];
  for (let after = -1; ; ) {
    const page = await recordsOfJob(run.platform, run.write.id, jobId, { afterIdx: after, limit: 5_000 });
    if (page.length === 0) break;
    records.push(...page);
    after = page[page.length - 1].idx;
  }
  // The header the job was uploaded with, less columns none of its records fill (their cells were
  // empty on every row, so matching never needed them).
  const columns = columnsOf(records.map((r) => r.data));
  const matcher = new IngestMatcher({
    operation: operationOf(run.write),
    ...(run.write.externalIdField ? { externalIdField: run.write.externalIdField } : {}),
    columns,
  });
  for (const r of records) matcher.add(rowCells(r.data, columns));
  for await (const row of successfulResults(run.client, jobId)) matcher.succeeded(row);
  for await (const row of failedResults(run.client, jobId)) matcher.failed(row);
  const jobErrors: RecordError[] =
    job.state === "JobComplete"
      ? []
      : [
          {
            code: job.state === "Aborted" ? "BULK_JOB_ABORTED" : "BULK_JOB_FAILED",
            message: `Bulk job ${jobId} ended ${job.state}${job.errorMessage ? `: ${job.errorMessage}` : ""}`,
            fields: [],
            reason: `bulk.${job.state.toLowerCase()}`,
            retry: "backoff",
          },
        ];
  if (job.state !== "JobComplete")
    for await (const row of unprocessedRecords(run.client, jobId)) matcher.unprocessed(row, jobErrors);
  return matcher.results().map((r, i) => ({ ...r, idx: records[i].idx, attempts: records[i].attempts }));
}

/** A job that processed nothing: its records back to pending, as never sent. */
async function releaseJob(run: WriteRun, jobId: string): Promise<void> {
  await run.platform.db.execute(sql`
    UPDATE write_records SET status = 'pending', bulk_job_id = NULL, attempts = 0
    WHERE write_id = ${run.write.id} AND status = 'sending' AND bulk_job_id = ${jobId}`);
}

/** Salesforce no longer knows the job (deleted, or past its 7 days): an insert's records are unknown. */
async function settleLostJob(run: WriteRun, jobId: string): Promise<void> {
  const records: SendingRecord[] = [];
  for (let after = -1; ; ) {
    const page = await recordsOfJob(run.platform, run.write.id, jobId, { afterIdx: after, limit: 5_000 });
    if (page.length === 0) break;
    records.push(...page);
    after = page[page.length - 1].idx;
  }
  await settleJob(
    run,
    jobId,
    records.map((r) => ({
      index: r.idx,
      idx: r.idx,
      attempts: r.attempts,
      outcome: "missing",
      id: null,
      success: false,
      created: false,
      errors: [],
    })),
    (r) => r,
  );
}
