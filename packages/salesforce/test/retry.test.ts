import { describe, expect, it } from "vitest";
import { type AttemptFailure, backoffDelay, decideRetry, parseRetryAfter, type RetryPolicy } from "../src/index.ts";

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 30_000 };
const half = () => 0.5;
const NOW = Date.parse("2026-05-01T12:00:00Z");

const transport = (t: "connect" | "reset" | "timeout" | "aborted" | "other"): AttemptFailure => ({
  kind: "transport",
  transport: t,
});
const response = (status: number, code?: string, message?: string, retryAfter?: string): AttemptFailure => ({
  kind: "response",
  status,
  code,
  message,
  retryAfter,
});

describe("decideRetry", () => {
  const cases: Array<
    [label: string, failure: AttemptFailure, idempotent: boolean, attempt: number, retry: boolean, delayMs?: number]
  > = [
    // No answer at all
    ["connect refused, GET", transport("connect"), true, 1, true, 50],
    ["connect refused, POST: never sent, so safe", transport("connect"), false, 1, true, 50],
    ["reset, GET", transport("reset"), true, 1, true, 50],
    ["reset, POST: may have been executed", transport("reset"), false, 1, false],
    ["timeout, GET", transport("timeout"), true, 2, true, 100],
    ["timeout, POST", transport("timeout"), false, 1, false],
    ["aborted by the caller", transport("aborted"), true, 1, false],
    // Salesforce answered
    ["503 SERVER_UNAVAILABLE, GET", response(503, "SERVER_UNAVAILABLE"), true, 1, true, 50],
    ["503 SERVER_UNAVAILABLE, POST", response(503, "SERVER_UNAVAILABLE"), false, 1, false],
    ["500 UNKNOWN_EXCEPTION, DELETE", response(500, "UNKNOWN_EXCEPTION"), true, 3, true, 200],
    ["502 without a code", response(502), true, 1, true, 50],
    ["UNABLE_TO_LOCK_ROW, PATCH", response(400, "UNABLE_TO_LOCK_ROW"), true, 1, true, 50],
    ["UNABLE_TO_LOCK_ROW, POST: rolled back, so safe", response(400, "UNABLE_TO_LOCK_ROW"), false, 1, true, 50],
    [
      "concurrent long-running limit, POST",
      response(403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded."),
      false,
      1,
      true,
      50,
    ],
    ["daily quota exhausted", response(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."), true, 1, false],
    [
      "401 needs a token, not a delay",
      response(401, "INVALID_SESSION_ID", "Session expired or invalid"),
      true,
      1,
      false,
    ],
    ["400 MALFORMED_QUERY", response(400, "MALFORMED_QUERY"), true, 1, false],
    ["404 NOT_FOUND", response(404, "NOT_FOUND"), true, 1, false],
    ["INVALID_FIELD", response(400, "INVALID_FIELD"), true, 1, false],
    // Backoff grows, capped
    ["attempt 3 of 4", transport("connect"), true, 3, true, 200],
    ["out of attempts", transport("connect"), true, 4, false],
    // Retry-After
    ["429 with Retry-After seconds", response(429, undefined, undefined, "7"), true, 1, true, 7_000],
    [
      "503 with Retry-After date",
      response(503, "SERVER_UNAVAILABLE", undefined, "Fri, 01 May 2026 12:00:05 GMT"),
      true,
      1,
      true,
      5_000,
    ],
    [
      "Retry-After past",
      response(503, "SERVER_UNAVAILABLE", undefined, "Fri, 01 May 2026 11:00:00 GMT"),
      true,
      1,
      true,
      0,
    ],
    ["Retry-After too long to wait", response(503, "SERVER_UNAVAILABLE", undefined, "3600"), true, 1, false],
    [
      "unreadable Retry-After falls back on backoff",
      response(503, "SERVER_UNAVAILABLE", undefined, "soon"),
      true,
      1,
      true,
      50,
    ],
  ];
  it.each(cases)("%s", (_label, failure, idempotent, attempt, retry, delayMs) => {
    const decision = decideRetry({ attempt, failure, idempotent, policy, random: half, now: NOW });
    expect(decision.retry).toBe(retry);
    expect(decision.reason).toBeTruthy();
    if (retry) expect(decision.delayMs).toBe(delayMs);
    else expect(decision.delayMs).toBe(0);
  });
});

describe("backoffDelay: full jitter", () => {
  it.each([
    [1, 0, 0],
    [1, 0.999, 99],
    [2, 0.5, 100],
    [4, 0.5, 400],
    [5, 0.5, 500],
    [10, 0.999, 999],
  ])("attempt %i with random %f → %i ms", (attempt, r, expected) => {
    expect(backoffDelay(attempt, policy, () => r)).toBe(expected);
  });
});

describe("parseRetryAfter", () => {
  it.each([
    [undefined, undefined],
    [null, undefined],
    ["", undefined],
    ["0", 0],
    ["12", 12_000],
    ["Fri, 01 May 2026 12:01:00 GMT", 60_000],
    ["not a date", undefined],
  ])("%j → %j", (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});
