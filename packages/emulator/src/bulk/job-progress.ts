import type { Org } from "../org/org.ts";
import { processIngestJob } from "./ingest-processor.ts";
import { settleStep } from "./job-lifecycle.ts";
import type { BulkJob } from "./job-types.ts";
import { completeQueryJob } from "./query-runner.ts";

/**
 * Brings a queued job up to date with the org clock when someone looks at it (a poll, a results
 * request, an abort or a delete), so no timers run in the background.
 */
export function settle(org: Org, job: BulkJob, reason: "poll" | "abort"): void {
  const now = org.clock.now();
  const step = settleStep(job.state, job.queuedAt, now, org.settings.bulkJobProcessingMs, reason);
  if (step === "inProgress" && job.state !== "InProgress") {
    job.state = "InProgress";
    job.systemModstamp = now;
  } else if (step === "process") {
    if (job.kind === "ingest") processIngestJob(org, job);
    else completeQueryJob(org, job);
  }
}
