import { ApiError } from "../http/errors.ts";
import type { Org } from "../org/org.ts";
import { executeSoql, type SoqlResult } from "../soql/index.ts";
import { parseSoql } from "../soql/parse.ts";
import type { QueryJob } from "./job-types.ts";
import { bulkQueryVerdict, columnField, TYPEOF_UNSUPPORTED } from "./query-rules.ts";

/** A number that changes whenever any record of the org changes (table versions only grow). */
export function storeVersion(org: Org): number {
  let sum = 0;
  for (const t of org.store.allTables()) sum += t.version;
  return sum;
}

/** Date literals resolve against the clock; all time zones agree on quarter-hour boundaries. */
const SAME_CLOCK_SLOT_MS = 15 * 60 * 1000;

/** Runs a Bulk query as the job's user, refusing what Bulk 2.0 cannot serve. Throws ApiError. */
export function runBulkQuery(
  org: Org,
  userId: string,
  soql: string,
  includeDeleted: boolean,
  version: string,
): SoqlResult {
  const parsed = parseSoql(soql);
  if ((parsed.fields ?? []).some((f) => f.type === "FieldTypeof"))
    throw new ApiError(400, "API_ERROR", TYPEOF_UNSUPPORTED);
  const result = executeSoql(org, userId, soql, { includeDeleted, api: "data", version });
  const verdict = bulkQueryVerdict(result, (path) => columnField(org, result.def, path));
  if (!verdict.ok) throw new ApiError(400, verdict.errorCode, verdict.message);
  return result;
}

/**
 * Completes a query job: the rows are captured now, as the job's user. The run made to validate
 * the job at creation is reused when no record has changed since, which spares a second scan of
 * a large table.
 */
export function completeQueryJob(org: Org, job: QueryJob): void {
  const started = performance.now();
  const now = org.clock.now();
  const validated = job.validated;
  job.validated = null;
  let result: SoqlResult;
  if (
    validated &&
    validated.storeVersion === storeVersion(org) &&
    Math.floor(validated.at / SAME_CLOCK_SLOT_MS) === Math.floor(now / SAME_CLOCK_SLOT_MS)
  ) {
    result = validated.result;
  } else {
    try {
      result = runBulkQuery(org, job.createdById, job.query, job.operation === "queryAll", job.apiVersion);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      job.state = "Failed";
      job.errorMessage = `${e.errorCode} : ${e.message}`;
      job.systemModstamp = now;
      return;
    }
  }
  job.snapshot = result;
  job.numberRecordsProcessed = result.records.length;
  job.state = "JobComplete";
  job.systemModstamp = now;
  job.totalProcessingTime = Math.round(performance.now() - started);
}
