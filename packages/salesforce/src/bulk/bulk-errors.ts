import {
  type ChecklistItemId,
  type ClassifiedFailure,
  type ErrorOutcome,
  lookupError,
  type RetryAdvice,
} from "../error-table.ts";
import type { IngestJobInfo } from "./bulk-ingest.ts";
import type { QueryJobInfo } from "./bulk-query.ts";

/** The error table's row for a Bulk failure, copied onto the error. */
abstract class BulkFailure extends Error implements ClassifiedFailure {
  readonly reason: string;
  readonly retry: RetryAdvice;
  readonly customerAction: boolean;
  readonly checklistItem?: ChecklistItemId;
  readonly remedy?: string;
  constructor(message: string, outcome: ErrorOutcome) {
    super(message);
    this.reason = outcome.reason;
    this.retry = outcome.retry;
    this.customerAction = outcome.customerAction;
    this.checklistItem = outcome.checklistItem;
    this.remedy = outcome.remedy;
  }
}

const INGEST_OPERATIONS = new Set(["insert", "update", "upsert", "delete", "hardDelete"]);

/**
 * A Bulk job that ended without (all its) results: Salesforce failed it, or someone aborted it.
 * Salesforce does not always say why (query jobs often carry no errorMessage).
 */
export class BulkJobFailed extends BulkFailure {
  override readonly name = "BulkJobFailed";
  readonly jobId: string;
  readonly state: "Failed" | "Aborted";
  readonly errorMessage?: string;
  readonly job: QueryJobInfo | IngestJobInfo;

  constructor(job: (QueryJobInfo | IngestJobInfo) & { state: "Failed" | "Aborted" }) {
    const why = job.errorMessage ? `: ${job.errorMessage}` : "";
    const kind = INGEST_OPERATIONS.has(job.operation) ? "ingest" : "query";
    super(`Bulk ${kind} job ${job.id} ended ${job.state}${why}`, lookupError("bulk", job.state, 0, job.errorMessage));
    this.jobId = job.id;
    this.state = job.state;
    this.errorMessage = job.errorMessage || undefined;
    this.job = job;
  }
}

/** The job was still running when the caller's time ran out; it may still be running. */
export class BulkJobTimedOut extends BulkFailure {
  override readonly name = "BulkJobTimedOut";
  readonly jobId: string;
  /** The state last seen, "UploadComplete" when no poll was made. */
  readonly state: string;
  readonly timeoutMs: number;

  constructor(jobId: string, state: string, timeoutMs: number) {
    super(`Bulk query job ${jobId} was still ${state} after ${timeoutMs} ms`, lookupError("bulk", "timed_out", 0));
    this.jobId = jobId;
    this.state = state;
    this.timeoutMs = timeoutMs;
  }
}

/** A results page that cannot be trusted: headers missing, or fewer or more rows than announced. */
export class BulkResultError extends BulkFailure {
  override readonly name = "BulkResultError";
  readonly jobId: string;
  constructor(jobId: string, message: string) {
    super(`Bulk job ${jobId}: ${message}`, lookupError("bulk", "results_unreadable", 0));
    this.jobId = jobId;
  }
}
