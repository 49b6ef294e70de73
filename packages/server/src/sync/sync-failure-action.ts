import { backoffDelay, type ClassifiedFailure } from "@forcelink/salesforce";

/**
 * What a sync run does about a failed read. The library's error table classifies the failure
 * (its reason id and retry advice); this decides at the level of the run, which never resends a
 * request itself but starts the read again from its last confirmed record:
 *
 * - `split-window`: the query ran too long; read the window in two halves.
 * - `resume`: a failure that says nothing about the data; read again from the checkpoint after
 *   `delayMs` (the library's one backoff).
 * - `pause-quota`: the org's daily API requests are used up; pause until the quota allows.
 * - `fail`: stop the run (the checkpoint is kept); the customer or the builder must act first.
 */
export type SyncFailureAction =
  | { action: "split-window" }
  | { action: "resume"; delayMs: number }
  | { action: "pause-quota" }
  | { action: "fail" };

export interface SyncFailureInput {
  error: unknown;
  /** Failures in a row of this read, this one included (1 for the first). */
  attempt: number;
  /** Whether the window has both ends, so that it can be halved. */
  splittable: boolean;
}

export interface SyncRetryPolicy {
  /** Reads started again in a row before the run fails. */
  attempts: number;
  retryBaseMs: number;
}

/** The longest wait between two reads of one run: the run holds its lock meanwhile. */
const MAX_DELAY_MS = 30_000;

/** Reasons whose remedy is to read again from the checkpoint, though the request itself is never resent. */
const READ_AGAIN = new Set(["rest.query_cursor_expired"]);
const TOO_LONG = new Set(["rest.query_timeout", "bulk.query_timeout"]);
const QUOTA = new Set(["rest.daily_quota_exhausted"]);

export function syncFailureAction(
  input: SyncFailureInput,
  policy: SyncRetryPolicy,
  random: () => number = Math.random,
): SyncFailureAction {
  const failure = classified(input.error);
  if (!failure) return { action: "fail" };
  if (QUOTA.has(failure.reason)) return { action: "pause-quota" };
  if (TOO_LONG.has(failure.reason) && input.splittable) return { action: "split-window" };
  // A window without a lower bound cannot be halved: the read runs again after a pause instead.
  const readAgain = failure.retry === "backoff" || READ_AGAIN.has(failure.reason) || TOO_LONG.has(failure.reason);
  if (!readAgain || input.attempt > policy.attempts) return { action: "fail" };
  const delayMs = backoffDelay(input.attempt, { baseDelayMs: policy.retryBaseMs, maxDelayMs: MAX_DELAY_MS }, random);
  return { action: "resume", delayMs };
}

function classified(error: unknown): ClassifiedFailure | undefined {
  const e = error as Partial<ClassifiedFailure> | null;
  return e && typeof e.reason === "string" && typeof e.retry === "string" ? (e as ClassifiedFailure) : undefined;
}
