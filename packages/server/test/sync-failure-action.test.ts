import {
  apiErrorFrom,
  BulkJobFailed,
  BulkJobTimedOut,
  BulkResultError,
  CsvFormatError,
  OAuthFailure,
  transportFailureFrom,
} from "@forcelink/salesforce";
import { describe, expect, it } from "vitest";
import { type SyncFailureAction, syncFailureAction } from "../src/sync/sync-failure-action.ts";

const policy = { attempts: 3, retryBaseMs: 1000 };
/** The jitter pinned at its top: the delay is the backoff's ceiling less one. */
const random = () => 0.999;

const rest = (status: number, code: string, message = code) =>
  apiErrorFrom(status, JSON.stringify([{ errorCode: code, message }]));
const bulk = (state: "Failed" | "Aborted", errorMessage = "") =>
  new BulkJobFailed({ id: "750x", state, errorMessage } as ConstructorParameters<typeof BulkJobFailed>[0]);
const socket = (code: string) => transportFailureFrom(Object.assign(new Error(code), { code }));

type Row = [what: string, error: unknown, splittable: boolean, expected: SyncFailureAction["action"]];

const rows: Row[] = [
  // Failures that say nothing about the data: read again from the checkpoint.
  ["503 SERVER_UNAVAILABLE", rest(503, "SERVER_UNAVAILABLE"), true, "resume"],
  ["500 UNKNOWN_EXCEPTION", rest(500, "UNKNOWN_EXCEPTION"), true, "resume"],
  ["an unknown 502", apiErrorFrom(502, "<html>"), true, "resume"],
  ["UNABLE_TO_LOCK_ROW", rest(400, "UNABLE_TO_LOCK_ROW"), true, "resume"],
  [
    "an expired query cursor (the table never resends; the run reads again)",
    rest(400, "INVALID_QUERY_LOCATOR"),
    true,
    "resume",
  ],
  ["a refused connection", socket("ECONNREFUSED"), true, "resume"],
  ["a reset connection", socket("ECONNRESET"), true, "resume"],
  ["a timeout", socket("ETIMEDOUT"), true, "resume"],
  ["an OAuth call Salesforce could not answer", new OAuthFailure("server_error", "", 503), true, "resume"],
  ["a Bulk job Salesforce failed without a reason", bulk("Failed"), true, "resume"],
  ["an aborted Bulk job", bulk("Aborted"), true, "resume"],
  ["a Bulk job still running", new BulkJobTimedOut("750x", "InProgress", 1000), true, "resume"],
  ["a Bulk results page that miscounts", new BulkResultError("750x", "fewer rows"), true, "resume"],
  ["unreadable Bulk CSV", new CsvFormatError("stray quote", 2), true, "resume"],
  // Too long: halve the window, or read again when it has no lower bound.
  ["QUERY_TIMEOUT", rest(400, "QUERY_TIMEOUT"), true, "split-window"],
  ["QUERY_TIMEOUT on a window without a lower bound", rest(400, "QUERY_TIMEOUT"), false, "resume"],
  ["a Bulk job failed on a timeout", bulk("Failed", "Query timeout"), true, "split-window"],
  // The daily quota.
  [
    "REQUEST_LIMIT_EXCEEDED (daily)",
    rest(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
    true,
    "pause-quota",
  ],
  // The table says never: someone has to act first.
  ["a hidden field", rest(400, "INVALID_FIELD", "No such column 'X' on entity 'Account'"), true, "fail"],
  ["a hidden object", rest(400, "INVALID_TYPE"), true, "fail"],
  ["API disabled for the user", rest(403, "API_CURRENTLY_DISABLED"), true, "fail"],
  ["MALFORMED_QUERY (our bug)", rest(400, "MALFORMED_QUERY"), true, "fail"],
  ["a session still refused after the client's own refresh", rest(401, "INVALID_SESSION_ID"), true, "fail"],
  ["a Bulk job failed on a hidden field", bulk("Failed", "INVALID_FIELD: No such column"), true, "fail"],
  ["a revoked grant", new OAuthFailure("invalid_grant", "expired access/refresh token", 400), true, "fail"],
  ["a wrong consumer secret", new OAuthFailure("invalid_client", "invalid client credentials", 400), true, "fail"],
  ["the caller's abort", socket("ABORT_ERR"), true, "fail"],
  ["an error the library did not classify (our bug)", new TypeError("x is undefined"), true, "fail"],
];

describe("syncFailureAction: what a sync run does about a failed read", () => {
  it.each(rows)("%s → %s", (_what, error, splittable, expected) => {
    expect(syncFailureAction({ error, attempt: 1, splittable }, policy, random).action).toBe(expected);
  });

  it("reads again at most `attempts` times in a row, then fails", () => {
    const error = rest(503, "SERVER_UNAVAILABLE");
    const actions = [1, 2, 3, 4].map((attempt) =>
      syncFailureAction({ error, attempt, splittable: true }, policy, random),
    );
    expect(actions.map((a) => a.action)).toEqual(["resume", "resume", "resume", "fail"]);
  });

  it("waits by the library's one backoff: full jitter under base·2^(n-1), at most 30 s", () => {
    const error = socket("ECONNRESET");
    const delays = [1, 2, 3].map((attempt) => {
      const a = syncFailureAction({ error, attempt, splittable: true }, { attempts: 10, retryBaseMs: 1000 }, random);
      return a.action === "resume" ? a.delayMs : -1;
    });
    expect(delays).toEqual([999, 1998, 3996]);
    const late = syncFailureAction(
      { error, attempt: 9, splittable: true },
      { attempts: 10, retryBaseMs: 1000 },
      random,
    );
    expect(late).toEqual({ action: "resume", delayMs: 29_970 });
    expect(syncFailureAction({ error, attempt: 1, splittable: true }, policy, () => 0)).toEqual({
      action: "resume",
      delayMs: 0,
    });
  });
});
