import { lookupError, outcomeForStatus } from "./error-table.ts";
import type { TransportFailureKind } from "./transport-failure.ts";

/** How one attempt failed: no answer at all, or an answer Salesforce gave. */
export type AttemptFailure =
  | { kind: "transport"; transport: TransportFailureKind }
  | { kind: "response"; status: number; code?: string; message?: string; retryAfter?: string | null };

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for in the request: the caller reschedules. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

export interface RetryInput {
  /** The attempt that just failed, counting from 1. */
  attempt: number;
  failure: AttemptFailure;
  /** Whether sending the request twice has the same effect as once (GET, PUT, DELETE, upsert…). */
  idempotent: boolean;
  policy?: RetryPolicy;
  /** Uniform in [0, 1); injected so tests pin the jitter. */
  random: () => number;
  /** Epoch ms, for a Retry-After given as an HTTP date. */
  now?: number;
}

export interface RetryDecision {
  retry: boolean;
  delayMs: number;
  reason: string;
}

const stop = (reason: string): RetryDecision => ({ retry: false, delayMs: 0, reason });

/**
 * Whether to send a failed request again, and after how long. Pure: the same input gives the
 * same answer. A request that may have changed data is repeated only when the failure proves
 * Salesforce never acted on it (it could not be delivered, or Salesforce rolled it back).
 */
export function decideRetry(input: RetryInput): RetryDecision {
  const policy = input.policy ?? DEFAULT_RETRY_POLICY;
  if (input.attempt >= policy.maxAttempts) return stop("attempts exhausted");
  const { failure } = input;
  const jittered = () => backoffDelay(input.attempt, policy, input.random);

  if (failure.kind === "transport") {
    switch (failure.transport) {
      case "connect":
        return { retry: true, delayMs: jittered(), reason: "could not connect: the request was never sent" };
      case "reset":
      case "timeout":
      case "other":
        return input.idempotent
          ? { retry: true, delayMs: jittered(), reason: `${failure.transport} on an idempotent request` }
          : stop(`${failure.transport} after sending: Salesforce may have executed the request`);
      case "aborted":
        return stop("aborted by the caller");
    }
  }

  const outcome =
    failure.code !== undefined
      ? lookupError("rest", failure.code, failure.status, failure.message)
      : outcomeForStatus("rest", failure.status);
  if (outcome.retry === "refresh-then-retry") return stop("needs a new access token, not a delay");
  if (outcome.retry === "never") return stop(`${failure.code ?? failure.status} is not retryable`);
  if (!input.idempotent && outcome.nothingWritten !== true)
    return stop(`${failure.code ?? failure.status} on a request that may have changed data`);

  const retryAfterMs = parseRetryAfter(failure.retryAfter, input.now ?? Date.now());
  if (retryAfterMs !== undefined) {
    if (retryAfterMs > policy.maxRetryAfterMs)
      return stop(`Retry-After of ${retryAfterMs} ms is too long to wait in the request`);
    return { retry: true, delayMs: retryAfterMs, reason: "Retry-After" };
  }
  return { retry: true, delayMs: jittered(), reason: `${failure.code ?? failure.status} is retryable` };
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base·2^(attempt-1))). */
export function backoffDelay(
  attempt: number,
  policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">,
  random: () => number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Retry-After in delta-seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
