import { pipeline, Readable } from "node:stream";
import { createGzip } from "node:zlib";
import type { RequestContext } from "../http/context.ts";
import { ApiError } from "../http/errors.ts";
import { empty, type Reply } from "../http/reply.ts";
import type { Router } from "../http/router.ts";
import { invalidJob, invalidJobState } from "./bulk-errors.ts";
import { DELIMITERS, LINE_ENDINGS } from "./csv-dialect.ts";
import { jobReply, queryJobInfo } from "./job-info.ts";
import { canDelete, patchTransition } from "./job-lifecycle.ts";
import { settle } from "./job-progress.ts";
import { jobRegistry, queryJobFor, visibleJobs } from "./job-registry.ts";
import { bulkVersion, csvOptions, jsonObject, requestedState } from "./job-requests.ts";
import { QUERY_OPERATIONS, type QueryJob, type QueryOperation } from "./job-types.ts";
import { runBulkQuery, storeVersion } from "./query-runner.ts";
import { decodeLocator, encodeLocator, pageBounds, parseMaxRecords, resultPageCsv } from "./result-pages.ts";

const bulk = { kind: "bulk", auth: "api" } as const;
const BASE = "/services/data/:version/jobs/query";
const QUERY_SINCE = 47;

async function createJob(ctx: RequestContext): Promise<Reply> {
  const version = bulkVersion(ctx, QUERY_SINCE);
  const body = await jsonObject(ctx);
  const { columnDelimiter, lineEnding } = csvOptions(body);
  const operation = (body.operation ?? "query") as QueryOperation;
  if (!QUERY_OPERATIONS.includes(operation)) throw invalidJob(`Invalid operation: ${String(body.operation)}`);
  if (typeof body.query !== "string" || body.query.trim() === "") throw invalidJob("The job must have a query.");
  const result = runBulkQuery(ctx.org, ctx.userId, body.query, operation === "queryAll", version);
  const now = ctx.org.clock.now();
  const job: QueryJob = {
    kind: "query",
    id: ctx.org.ids.next("750"),
    operation,
    object: result.def.name,
    query: body.query,
    createdById: ctx.userId,
    createdDate: now,
    systemModstamp: now,
    state: "UploadComplete",
    apiVersion: version,
    columnDelimiter,
    lineEnding,
    queuedAt: now,
    numberRecordsProcessed: 0,
    totalProcessingTime: 0,
    errorMessage: null,
    validated: { result, storeVersion: storeVersion(ctx.org), at: now },
    snapshot: null,
  };
  jobRegistry(ctx.org).add(job);
  return jobReply(queryJobInfo(job, "created"));
}

/** The job whose results are asked for, once it has them; the version must be the job's own. */
function completedJob(ctx: RequestContext): QueryJob & { snapshot: NonNullable<QueryJob["snapshot"]> } {
  const version = bulkVersion(ctx, QUERY_SINCE);
  const job = queryJobFor(ctx);
  if (version !== job.apiVersion) {
    const message = `The job was created in API version ${job.apiVersion}; request its results with that version.`;
    throw new ApiError(409, "CONFLICT", message);
  }
  settle(ctx.org, job, "poll");
  if (job.state === "UploadComplete" || job.state === "InProgress") {
    const message = `Job ${job.id} is not complete: its state is ${job.state}.`;
    throw new ApiError(ctx.org.settings.bulkResultsNotReadyStatus, "JOB_NOT_COMPLETE", message);
  }
  if (job.state !== "JobComplete" || !job.snapshot) {
    throw invalidJobState(`Job ${job.id} has no results: its state is ${job.state}.`);
  }
  return job as QueryJob & { snapshot: NonNullable<QueryJob["snapshot"]> };
}

/** One page of rows, with the headers jsforce and simple-salesforce loop on. */
function results(ctx: RequestContext): Reply {
  const job = completedJob(ctx);
  const total = job.snapshot.records.length;
  const locator = ctx.query("locator");
  const start = locator === undefined || locator === "" ? 0 : decodeLocator(locator);
  if (start === undefined || start > total) throw new ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
  const maxRecords = parseMaxRecords(ctx.query("maxRecords"));
  if (maxRecords === "invalid") {
    throw new ApiError(400, "INVALIDREQUEST", `maxRecords must be a positive whole number: ${ctx.query("maxRecords")}`);
  }
  const bounds = pageBounds(total, start, maxRecords);
  const text = Readable.from(
    resultPageCsv(job.snapshot, bounds, DELIMITERS[job.columnDelimiter], LINE_ENDINGS[job.lineEnding]),
    { objectMode: false },
  );
  const headers: Record<string, string> = {
    "content-type": "text/csv",
    "Sforce-NumberOfRecords": String(bounds.end - bounds.start),
    "Sforce-Locator": bounds.next === null ? "null" : encodeLocator(bounds.next),
  };
  if (/\bgzip\b/i.test(ctx.header("accept-encoding") ?? "")) {
    headers["content-encoding"] = "gzip";
    return { status: 200, headers, stream: pipeline(text, createGzip({ level: 1 }), () => undefined) };
  }
  // Sent as it is made (chunked), as Salesforce streams a page.
  return { status: 200, headers, stream: text };
}

export function registerQueryRoutes(router: Router): void {
  router.add("POST", BASE, bulk, createJob);

  router.add("GET", BASE, bulk, (ctx) => {
    bulkVersion(ctx, QUERY_SINCE);
    const wanted = ctx.query("jobType");
    const jobs = wanted && wanted !== "V2Query" ? [] : visibleJobs(ctx, "query");
    const records = jobs.map((j) => queryJobInfo(j as QueryJob, "list"));
    return jobReply({ done: true, records, nextRecordsUrl: null });
  });

  router.add("GET", `${BASE}/:id/results`, bulk, results);

  router.add("GET", `${BASE}/:id`, bulk, (ctx) => {
    bulkVersion(ctx, QUERY_SINCE);
    const job = queryJobFor(ctx);
    settle(ctx.org, job, "poll");
    return jobReply(queryJobInfo(job, "detail"));
  });

  router.add("PATCH", `${BASE}/:id`, bulk, async (ctx) => {
    bulkVersion(ctx, QUERY_SINCE);
    const job = queryJobFor(ctx);
    const to = await requestedState(ctx);
    settle(ctx.org, job, "abort");
    const transition = patchTransition("query", job.state, to);
    if (!transition.ok) throw invalidJobState(transition.message);
    job.state = "Aborted";
    job.validated = null;
    job.systemModstamp = ctx.org.clock.now();
    return jobReply(queryJobInfo(job, "created"));
  });

  router.add("DELETE", `${BASE}/:id`, bulk, (ctx) => {
    bulkVersion(ctx, QUERY_SINCE);
    const job = queryJobFor(ctx);
    settle(ctx.org, job, "poll");
    if (!canDelete(job.state)) throw invalidJobState(`A job in the ${job.state} state can't be deleted.`);
    jobRegistry(ctx.org).remove(job.id);
    return empty(204);
  });
}
