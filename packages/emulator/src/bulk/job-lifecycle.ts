import type { JobState } from "./job-types.ts";

/**
 * What looking at a queued job does to it. Jobs run on the org clock rather than on timers: a job
 * queued for `processingMs` or longer is processed when someone next looks; before that it shows
 * InProgress. With no processing time a poll processes it at once, but an abort still wins,
 * because nobody has seen it finish.
 */
export type SettleStep = "none" | "inProgress" | "process";

export function settleStep(
  state: JobState,
  queuedAt: number | null,
  now: number,
  processingMs: number,
  reason: "poll" | "abort",
): SettleStep {
  if ((state !== "UploadComplete" && state !== "InProgress") || queuedAt === null) return "none";
  if (processingMs <= 0) return reason === "poll" ? "process" : "none";
  if (now - queuedAt >= processingMs) return "process";
  return reason === "poll" ? "inProgress" : "none";
}

export type Transition = { ok: true } | { ok: false; message: string };

/** The state changes a client may ask for with PATCH. */
export function patchTransition(kind: "ingest" | "query", from: JobState, to: string): Transition {
  const allowed: Record<string, JobState[]> =
    kind === "ingest"
      ? { UploadComplete: ["Open"], Aborted: ["Open", "UploadComplete", "InProgress"] }
      : { Aborted: ["UploadComplete", "InProgress"] };
  const sources = allowed[to];
  if (!sources) {
    return {
      ok: false,
      message: `Invalid state: ${to}. A ${kind} job can only be set to ${Object.keys(allowed).join(" or ")}.`,
    };
  }
  if (!sources.includes(from)) return { ok: false, message: `Can't change the job state from ${from} to ${to}.` };
  return { ok: true };
}

/** Salesforce deletes only jobs that are no longer taking data and not being processed. */
export function canDelete(state: JobState): boolean {
  return state === "UploadComplete" || state === "JobComplete" || state === "Aborted" || state === "Failed";
}
