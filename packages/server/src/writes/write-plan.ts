import type { RecordError, RecordResult, WriteOperation, WriteRecord } from "@forcelink/salesforce";

/**
 * Pure planning of a write: which API carries it (sObject Collections, /composite, Bulk 2.0), how
 * records are batched on the first pass and on the passes that retry locked records, and what a
 * failed call or a refused record means for the records it carried. Nothing here does I/O.
 */

export type WritePath = "collections" | "composite" | "bulk";

/** Records in one sObject Collections call (Salesforce's limit). */
export const COLLECTION_MAX = 200;
/** Collection subrequests in one /composite call (Salesforce allows 5 collections or queries among its 25). */
export const COMPOSITE_COLLECTIONS = 5;
/** The most records one /composite call carries: also the ceiling of an all-or-none write (one transaction). */
export const ALL_OR_NONE_MAX = COLLECTION_MAX * COMPOSITE_COLLECTIONS;
/** Salesforce's own guidance: from about 2,000 records Bulk 2.0 costs fewer calls than collections. */
export const DEFAULT_BULK_THRESHOLD = 2_000;
/** Records per call on the passes that retry locked records: smaller each pass, down to one. */
export const RETRY_CHUNKS = [200, 50, 10, 1] as const;

export interface WritePlanInput {
  operation: WriteOperation;
  total: number;
  allOrNone: boolean;
  /** Writes of at most this many records execute in the request (FORCELINK_WRITE_SYNC_MAX). */
  syncMax: number;
  /** From this many records a write goes through Bulk 2.0 (FORCELINK_WRITE_BULK_THRESHOLD). */
  bulkThreshold: number;
}

export type WritePlan =
  | {
      ok: true;
      path: WritePath;
      /** Records in one call: 200 (collections), 1,000 (composite), or every record in one job (bulk). */
      recordsPerCall: number;
      /**
       * Calls the first pass makes: ceil(N/200) or ceil(N/1000); for Bulk the job's create, upload,
       * close and the three result reads (polls come on top).
       */
      calls: number;
      /** Whether the request waits for the result (at most syncMax records). */
      inRequest: boolean;
    }
  | { ok: false; code: "all_or_none_too_large"; message: string };

/** Bulk's calls besides its polls: create, upload, close, successful, failed and unprocessed results. */
const BULK_FIXED_CALLS = 6;

export function planWrite(input: WritePlanInput): WritePlan {
  const { total, allOrNone } = input;
  const inRequest = total <= input.syncMax;
  if (allOrNone && total > ALL_OR_NONE_MAX)
    return {
      ok: false,
      code: "all_or_none_too_large",
      message: `allOrNone is honoured for at most ${ALL_OR_NONE_MAX} records (one /composite call of ${COMPOSITE_COLLECTIONS} collections of ${COLLECTION_MAX}, one transaction in Salesforce); this write has ${total}. Send it without allOrNone, or split it into all-or-none writes of at most ${ALL_OR_NONE_MAX} records.`,
    };
  if (!allOrNone && total >= Math.max(1, input.bulkThreshold))
    return { ok: true, path: "bulk", recordsPerCall: total, calls: BULK_FIXED_CALLS, inRequest };
  if (total <= COLLECTION_MAX)
    return { ok: true, path: "collections", recordsPerCall: COLLECTION_MAX, calls: total > 0 ? 1 : 0, inRequest };
  return {
    ok: true,
    path: "composite",
    recordsPerCall: ALL_OR_NONE_MAX,
    calls: Math.ceil(total / ALL_OR_NONE_MAX),
    inRequest,
  };
}

/**
 * Records per call on a retry pass, from how many times the records were sent already: 200 on the
 * first retry, then 50, 10 and 1, each pass serial, so that fewer rows wait on one locked parent.
 */
export function retryChunkSize(attempts: number): number {
  const step = Math.max(0, attempts - 1);
  return RETRY_CHUNKS[Math.min(step, RETRY_CHUNKS.length - 1)];
}

/** A Salesforce record id, 15 or 18 characters. */
const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/**
 * The parent a record hangs from, by which records are grouped on retry passes: the first lookup
 * it sets (`AccountId: "001…"`, or a reference by external id `Account: {"Ext_Id__c": "A-1"}`), in
 * field-name order so two records with the same parents agree. Null when it sets none.
 */
export function parentKey(record: WriteRecord): string | null {
  const fields = Object.keys(record)
    .filter((f) => f !== "attributes")
    .sort();
  for (const field of fields) {
    const value = record[field];
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const ref = Object.entries(value as Record<string, unknown>).filter(([k]) => k !== "attributes");
      if (ref.length > 0) return `${field.toLowerCase()}:${JSON.stringify(ref)}`;
    } else if (
      typeof value === "string" &&
      /id$/i.test(field) &&
      field.toLowerCase() !== "id" &&
      SALESFORCE_ID.test(value)
    )
      return `${field.toLowerCase()}:${value.slice(0, 15)}`;
  }
  return null;
}

/**
 * The order of a retry pass: children of one parent next to each other (so they go in one call, or
 * in calls one after the other, instead of racing for the parent's lock), then by index.
 */
export function retryOrder<T extends { idx: number; data: WriteRecord }>(records: readonly T[]): T[] {
  const keyed = records.map((r) => ({ r, key: parentKey(r.data) ?? "" }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.r.idx - b.r.idx));
  return keyed.map((k) => k.r);
}

/** What becomes of one record sent in a call Salesforce answered. */
export type RecordSettlement =
  | { status: "succeeded"; id: string | null; created: boolean }
  | { status: "failed"; errors: RecordError[] }
  /** A retryable refusal (a lock): sent again on a later pass. */
  | { status: "pending"; errors: RecordError[] };

/**
 * Salesforce's answers for the records an all-or-none call rolled back because another one failed:
 * in the failing collection, and in the composite subrequests it halted.
 */
export const ROLLED_BACK = new Set(["ALL_OR_NONE_OPERATION_ROLLED_BACK", "PROCESSING_HALTED"]);

/**
 * Settles the records of one answered call. A refusal worth retrying (a locked row) sends the
 * record back for another pass until it has been sent `maxPasses` times; then it fails with its
 * last error. With allOrNone a retryable refusal rolls the whole call back: when every failure in it
 * is retryable or rolled back, all its records go back together, since they must stay one transaction.
 */
export function settleResults(
  results: readonly RecordResult[],
  attempts: readonly number[],
  options: { allOrNone: boolean; maxPasses: number },
): RecordSettlement[] {
  const retryable = (r: RecordResult) => r.errors.length > 0 && r.errors.every((e) => e.retry !== "never");
  const failures = results.filter((r) => !r.success);
  const wholeCallAgain =
    options.allOrNone &&
    failures.some(retryable) &&
    failures.every((r) => retryable(r) || r.errors.every((e) => ROLLED_BACK.has(e.code)));
  return results.map((r, i) => {
    const exhausted = attempts[i] >= options.maxPasses;
    if (wholeCallAgain && !exhausted) return { status: "pending", errors: r.errors };
    if (r.success) return { status: "succeeded", id: r.id, created: r.created };
    if (retryable(r) && !exhausted) return { status: "pending", errors: r.errors };
    return { status: "failed", errors: r.errors };
  });
}

/**
 * What a call that failed as a whole (no per-record answer) means for its records:
 * - `pause`: the org's daily quota is spent; the records wait for the write to resume;
 * - `again`: nothing was written, or sending again changes nothing (update, upsert, delete): the
 *   records go back to pending for a later pass, with backoff;
 * - `unknown`: an insert that may have been executed (a lost answer, a reset after sending, a 500):
 *   never sent again blindly;
 * - `stop`: Salesforce refused the request itself (permissions, a bad object or field, an expired
 *   grant): every call would be refused the same way, so the write stops; nothing was written.
 */
export type CallFailureOutcome = "pause" | "again" | "unknown" | "stop";

/** The parts of a typed error of @forcelink/salesforce the decision reads. */
export interface CallFailure {
  reason: string;
  retry: "never" | "backoff" | "refresh-then-retry";
  /** HTTP status when Salesforce answered; absent when no answer came. */
  status?: number;
  /** Salesforce refused before changing anything (the error table says so), or the request never left. */
  nothingWritten: boolean;
  /** The caller cut the request (shutdown). */
  aborted?: boolean;
}

const QUOTA_REASONS = new Set(["rest.daily_quota_exhausted"]);

export function callFailureOutcome(operation: WriteOperation, failure: CallFailure): CallFailureOutcome {
  if (QUOTA_REASONS.has(failure.reason)) return "pause";
  const answeredRefusal = failure.status !== undefined && failure.status > 0 && failure.status < 500;
  if (answeredRefusal && failure.retry !== "backoff") return "stop";
  if (failure.status === undefined && failure.retry !== "backoff" && !failure.aborted) return "stop";
  if (operation !== "insert" || failure.nothingWritten) return "again";
  return "unknown";
}

/** The error an insert whose outcome cannot be known carries, in the shape of a record's errors. */
export function unknownOutcomeError(cause: { reason: string; message: string }): RecordError {
  return {
    code: "OUTCOME_UNKNOWN",
    message: `The insert was sent but its answer was lost (${cause.message}): Salesforce may or may not have created this record. Look for it in the org (by a field you set) before sending it again; Forcelink never resends an insert blindly.`,
    fields: [],
    reason: cause.reason,
    retry: "never",
  };
}
