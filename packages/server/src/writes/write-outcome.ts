import { type ClassifiedFailure, OAuthFailure, SalesforceApiError } from "@forcelink/salesforce";
import { enqueueWrite } from "../jobs/write-queue.ts";
import type { ActivityEntry, Platform } from "../platform/platform.ts";
import { explainError } from "../remedies/explain-failure.ts";
import { emitEvent } from "../webhooks/emit.ts";
import { addApiCalls } from "./write-records.ts";
import { classified, type QuotaPause, uncountedCalls, type WriteRow, type WriteRun } from "./write-run.ts";
import { updateWrite } from "./write-store.ts";
import { countsOf } from "./write-views.ts";

/**
 * How a write ends a run: completed (every record has a result), failed (stopped on an error it
 * could not retry; records not sent stay pending), or paused for the daily quota (queued again for
 * when the quota may allow). Each is stored on the write and announced by a webhook.
 */

export async function finishWrite(run: WriteRun): Promise<void> {
  const row = await end(run.platform, run.write.id, "completed", null, run);
  if (row) await announce(run.platform, row, "write.completed");
}

export async function pauseWrite(run: WriteRun, reason: QuotaPause): Promise<void> {
  const { platform, settings } = run;
  const resumeAt = new Date(platform.clock.nowMs() + settings.pauseRecheckMs);
  const message = `Paused to spare the org's daily API quota: ${reason.message} (writes stop at ${Math.round(settings.quotaShare * 100)}%). It resumes on its own once the quota allows; records not sent yet stay pending.`;
  await addCalls(run);
  const row = await updateWrite(platform, run.write.id, {
    status: "paused",
    error: { code: "quota_paused", message, resumeAt: resumeAt.toISOString() },
  });
  await enqueueWrite(platform, run.write.id, resumeAt);
  if (row) await announce(platform, row, "write.paused");
}

export async function failWrite(platform: Platform, write: WriteRow, cause: unknown, run?: WriteRun): Promise<void> {
  const error = describeWriteError(cause);
  platform.logger.warn({ writeId: write.id, error }, "write failed");
  const row = await end(platform, write.id, "failed", error, run);
  if (row) await announce(platform, row, "write.failed");
}

async function end(
  platform: Platform,
  writeId: string,
  status: "completed" | "failed",
  error: Record<string, unknown> | null,
  run: WriteRun | undefined,
): Promise<WriteRow | undefined> {
  if (run) await addCalls(run);
  return updateWrite(platform, writeId, { status, error });
}

/** Calls no settlement counted yet (a job's polls, a refused call), onto the write's apiCalls. */
async function addCalls(run: WriteRun): Promise<void> {
  await addApiCalls(run.platform, run.write.id, uncountedCalls(run));
}

async function announce(
  platform: Platform,
  write: WriteRow,
  type: "write.completed" | "write.failed" | "write.paused",
): Promise<void> {
  // Requests of this process waiting for the write's end answer now (GET …/writes/{writeId}?wait=).
  platform.writeEnds.notify(write.id);
  await emitEvent(platform, write.projectId, type, {
    writeId: write.id,
    connectionId: write.connectionId,
    object: write.object,
    operation: write.operation,
    status: write.status,
    path: write.path,
    counts: countsOf(write),
    apiCalls: write.apiCalls,
    ...(write.error ? { error: write.error } : {}),
  }).catch((err: unknown) => platform.logger.error({ err, writeId: write.id }, "could not queue the write webhook"));
  await platform.activity.record(writeActivity(write));
}

/** The activity row of a write that ended or paused: its counts, its path, and why it stopped. */
function writeActivity(write: WriteRow): ActivityEntry {
  const counts = countsOf(write);
  const what = `${write.operation} of ${write.total} ${write.object} record${write.total === 1 ? "" : "s"}`;
  const error = (write.error ?? null) as { message?: unknown } | null;
  return {
    projectId: write.projectId,
    connectionId: write.connectionId,
    kind: "write",
    level:
      write.status === "completed"
        ? write.failed > 0
          ? "warn"
          : "info"
        : write.status === "paused"
          ? "warn"
          : "error",
    message:
      write.status === "completed"
        ? `Write (${what}) completed: ${write.succeeded} succeeded, ${write.failed} failed`
        : `Write (${what}) ${write.status}: ${String(error?.message ?? "no reason given")}`,
    details: {
      writeId: write.id,
      object: write.object,
      operation: write.operation,
      status: write.status,
      path: write.path,
      counts,
      apiCalls: write.apiCalls,
      error: write.error ?? null,
    },
  };
}

/** The write's error: Salesforce's code and message, the error table's reason, and the check that explains it. */
export function describeWriteError(cause: unknown): Record<string, unknown> {
  if (cause && typeof cause === "object" && !(cause instanceof Error) && "code" in cause)
    return cause as Record<string, unknown>;
  const failure = classified(cause);
  if (failure) {
    const check = explainError(failure as ClassifiedFailure & Error);
    const own = (failure as unknown as { code?: unknown }).code;
    const code = failure instanceof OAuthFailure ? failure.error : typeof own === "string" ? own : failure.reason;
    return {
      code,
      reason: failure.reason,
      message: failure instanceof OAuthFailure ? failure.description || failure.error : failure.message,
      ...(failure instanceof SalesforceApiError ? { status: failure.status } : {}),
      ...(check ? { check } : {}),
    };
  }
  return { code: "write_error", message: cause instanceof Error ? cause.message : String(cause) };
}
