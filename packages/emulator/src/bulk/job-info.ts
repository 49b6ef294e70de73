import { formatDateTime } from "../clock.ts";
import type { Reply } from "../http/reply.ts";
import type { BulkJob, IngestJob, QueryJob } from "./job-types.ts";

/** How much of a job an answer shows: the create/close answer, one job polled, or a list entry. */
export type InfoView = "created" | "detail" | "list";

function head(job: BulkJob) {
  return {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: formatDateTime(job.createdDate),
    systemModstamp: formatDateTime(job.systemModstamp),
    state: job.state,
  };
}

export function ingestJobInfo(job: IngestJob, view: InfoView): Record<string, unknown> {
  const info: Record<string, unknown> = { ...head(job) };
  if (job.externalIdFieldName) info.externalIdFieldName = job.externalIdFieldName;
  if (job.assignmentRuleId) info.assignmentRuleId = job.assignmentRuleId;
  info.concurrencyMode = "Parallel";
  info.contentType = "CSV";
  info.apiVersion = Number(job.apiVersion);
  if (view !== "created") info.jobType = "V2Ingest";
  // Relative on purpose: simple-salesforce appends it to the instance URL as given.
  if (view !== "list") info.contentUrl = `services/data/v${job.apiVersion}/jobs/ingest/${job.id}/batches`;
  info.lineEnding = job.lineEnding;
  info.columnDelimiter = job.columnDelimiter;
  if (view === "detail") {
    info.numberRecordsProcessed = job.numberRecordsProcessed;
    info.numberRecordsFailed = job.numberRecordsFailed;
    info.retries = 0;
    info.totalProcessingTime = job.totalProcessingTime;
    info.apiActiveProcessingTime = job.totalProcessingTime;
    info.apexProcessingTime = 0;
    if (job.state === "Failed" && job.errorMessage) info.errorMessage = job.errorMessage;
  }
  return info;
}

export function queryJobInfo(job: QueryJob, view: InfoView): Record<string, unknown> {
  const info: Record<string, unknown> = {
    ...head(job),
    concurrencyMode: "Parallel",
    contentType: "CSV",
    apiVersion: Number(job.apiVersion),
  };
  if (view !== "created") info.jobType = "V2Query";
  info.lineEnding = job.lineEnding;
  info.columnDelimiter = job.columnDelimiter;
  if (view === "detail") {
    info.numberRecordsProcessed = job.numberRecordsProcessed;
    info.retries = 0;
    info.totalProcessingTime = job.totalProcessingTime;
    info.isPkChunkingSupported = true;
  }
  return info;
}

export function jobInfo(job: BulkJob, view: InfoView): Record<string, unknown> {
  return job.kind === "ingest" ? ingestJobInfo(job, view) : queryJobInfo(job, view);
}

/**
 * A JSON answer whose apiVersion keeps its decimal (`67.0`, not `67`), as Salesforce writes it:
 * Python clients read it as a float, and JSON.stringify would drop the fraction.
 */
export function jobReply(body: unknown, status = 200): Reply {
  const text = JSON.stringify(body).replace(/"apiVersion":(\d+)(?=[,}])/g, '"apiVersion":$1.0');
  return { status, body: text, headers: { "content-type": "application/json;charset=UTF-8" } };
}
