import { DmlError } from "../dml/dml-error.ts";
import { RecordWriter } from "../dml/record-writer.ts";
import type { RequestContext } from "../http/context.ts";
import { ApiError } from "../http/errors.ts";
import { csv, empty, type Reply } from "../http/reply.ts";
import type { Router } from "../http/router.ts";
import { featureNotEnabled, invalidEntity, invalidJob, invalidJobState } from "./bulk-errors.ts";
import { type IngestResultKind, ingestResultsCsv } from "./ingest-results.ts";
import { ingestJobInfo, jobReply } from "./job-info.ts";
import { canDelete, patchTransition } from "./job-lifecycle.ts";
import { settle } from "./job-progress.ts";
import { ingestJobFor, jobRegistry, visibleJobs } from "./job-registry.ts";
import { bulkVersion, csvOptions, jsonObject, requestedState } from "./job-requests.ts";
import { INGEST_OPERATIONS, type IngestJob, type IngestOperation } from "./job-types.ts";

const bulk = { kind: "bulk", auth: "api" } as const;
const BASE = "/services/data/:version/jobs/ingest";
const INGEST_SINCE = 41;
/**
 * Salesforce's per-upload ceiling, measured on the data base64-encoded (as Salesforce stores it):
 * 150 MB encoded is about 100 MB of raw CSV, since base64 makes 4 bytes of every 3.
 */
export const MAX_UPLOAD_BYTES = 150 * 1024 * 1024;
/** The most raw bytes whose base64 encoding stays within MAX_UPLOAD_BYTES. */
export const MAX_RAW_UPLOAD_BYTES = Math.floor(MAX_UPLOAD_BYTES / 4) * 3;

const tooLarge = () =>
  new ApiError(
    413,
    "REQUEST_ENTITY_TOO_LARGE",
    `The upload is larger than the ${MAX_UPLOAD_BYTES / 1024 / 1024} MB (base64-encoded, about ${Math.floor(MAX_RAW_UPLOAD_BYTES / 1024 / 1024)} MB of CSV) a job takes. Split the data into several jobs.`,
  );

/** Bulk API Hard Delete: the emulator grants it with Modify All Data. */
function canHardDelete(ctx: RequestContext): boolean {
  return ctx.org.userAccess(ctx.userId).system.has("ModifyAllData");
}

async function createJob(ctx: RequestContext): Promise<Reply> {
  const version = bulkVersion(ctx, INGEST_SINCE);
  const body = await jsonObject(ctx);
  const { columnDelimiter, lineEnding } = csvOptions(body);
  const operation = body.operation as IngestOperation;
  if (!INGEST_OPERATIONS.includes(operation)) throw invalidJob(`Invalid operation: ${String(body.operation)}`);
  if (typeof body.object !== "string" || body.object === "") throw invalidJob("The job must name an object.");
  const writer = new RecordWriter(ctx.org, ctx.userId, "csv");
  const def = writer.view.object(body.object);
  if (!def) throw invalidEntity(`sObject type '${body.object}' is not supported.`);
  if (operation === "hardDelete" && !canHardDelete(ctx)) {
    throw featureNotEnabled(
      "hardDelete operation requires special user profile permission, please contact your system administrator",
    );
  }
  let externalIdFieldName: string | null = null;
  if (operation === "upsert") {
    if (typeof body.externalIdFieldName !== "string" || body.externalIdFieldName === "") {
      throw invalidJob(`External ID was blank for ${def.name}. An External ID must be specified for upsert.`);
    }
    try {
      externalIdFieldName = writer.externalIdField(def, body.externalIdFieldName).name;
    } catch (e) {
      if (e instanceof DmlError) throw invalidJob(e.message);
      throw e;
    }
  }
  const now = ctx.org.clock.now();
  const job: IngestJob = {
    kind: "ingest",
    id: ctx.org.ids.next("750"),
    operation,
    object: def.name,
    createdById: ctx.userId,
    createdDate: now,
    systemModstamp: now,
    state: "Open",
    apiVersion: version,
    columnDelimiter,
    lineEnding,
    queuedAt: null,
    externalIdFieldName,
    assignmentRuleId: typeof body.assignmentRuleId === "string" ? body.assignmentRuleId : null,
    upload: null,
    numberRecordsProcessed: 0,
    numberRecordsFailed: 0,
    totalProcessingTime: 0,
    errorMessage: null,
    result: null,
  };
  jobRegistry(ctx.org).add(job);
  return jobReply(ingestJobInfo(job, "created"));
}

async function upload(ctx: RequestContext): Promise<Reply> {
  bulkVersion(ctx, INGEST_SINCE);
  const job = ingestJobFor(ctx);
  if (job.upload !== null) {
    throw invalidJobState(
      `Found multiple contents for job: <${job.id}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.`,
    );
  }
  if (job.state !== "Open") throw invalidJobState(`Job ${job.id} is not Open: its state is ${job.state}.`);
  // Refuse a declared oversize body before reading it, so the client gets the 413 rather than a
  // reset connection; bodies without a length are cut off by the reader.
  if (Number(ctx.header("content-length") ?? 0) > MAX_RAW_UPLOAD_BYTES) throw tooLarge();
  try {
    job.upload = await ctx.text(MAX_RAW_UPLOAD_BYTES);
  } catch (e) {
    if (e instanceof ApiError && e.status === 413) throw tooLarge();
    throw e;
  }
  job.systemModstamp = ctx.org.clock.now();
  return empty(201);
}

async function changeState(ctx: RequestContext): Promise<Reply> {
  bulkVersion(ctx, INGEST_SINCE);
  const job = ingestJobFor(ctx);
  const to = await requestedState(ctx);
  if (to === "Aborted") settle(ctx.org, job, "abort");
  const transition = patchTransition("ingest", job.state, to);
  if (!transition.ok) throw invalidJobState(transition.message);
  const now = ctx.org.clock.now();
  job.state = to === "UploadComplete" ? "UploadComplete" : "Aborted";
  if (to === "UploadComplete") job.queuedAt = now;
  job.systemModstamp = now;
  return jobReply(ingestJobInfo(job, "created"));
}

function results(kind: IngestResultKind) {
  return (ctx: RequestContext): Reply => {
    bulkVersion(ctx, INGEST_SINCE);
    const job = ingestJobFor(ctx);
    settle(ctx.org, job, "poll");
    return csv(ingestResultsCsv(job, kind));
  };
}

export function registerIngestRoutes(router: Router): void {
  router.add("POST", BASE, bulk, createJob);

  router.add("GET", BASE, bulk, (ctx) => {
    bulkVersion(ctx, INGEST_SINCE);
    const wanted = ctx.query("jobType");
    const jobs = wanted && wanted !== "V2Ingest" ? [] : visibleJobs(ctx, "ingest");
    const records = jobs.map((j) => ingestJobInfo(j as IngestJob, "list"));
    return jobReply({ done: true, records, nextRecordsUrl: null });
  });

  router.add("PUT", `${BASE}/:id/batches`, bulk, upload);

  router.add("GET", `${BASE}/:id/successfulResults`, bulk, results("successful"));
  router.add("GET", `${BASE}/:id/failedResults`, bulk, results("failed"));
  // The router matches static segments case-insensitively: jsforce asks for `unprocessedrecords`.
  router.add("GET", `${BASE}/:id/unprocessedRecords`, bulk, results("unprocessed"));

  router.add("GET", `${BASE}/:id`, bulk, (ctx) => {
    bulkVersion(ctx, INGEST_SINCE);
    const job = ingestJobFor(ctx);
    settle(ctx.org, job, "poll");
    return jobReply(ingestJobInfo(job, "detail"));
  });

  router.add("PATCH", `${BASE}/:id`, bulk, changeState);

  router.add("DELETE", `${BASE}/:id`, bulk, (ctx) => {
    bulkVersion(ctx, INGEST_SINCE);
    const job = ingestJobFor(ctx);
    settle(ctx.org, job, "poll");
    if (!canDelete(job.state)) throw invalidJobState(`A job in the ${job.state} state can't be deleted.`);
    jobRegistry(ctx.org).remove(job.id);
    return empty(204);
  });
}
