import { z } from "zod";
import { WRITE_OPERATIONS } from "./write-input.ts";
import type { WriteRecordRow, WriteRow } from "./write-store.ts";

/**
 * What the API (and the webhooks) show of a write and of each record's result. The zod schemas
 * are the OpenAPI document's description of them.
 */

export const WRITE_STATUSES = ["queued", "running", "paused", "completed", "failed"] as const;
export const RECORD_STATUSES = ["pending", "sending", "succeeded", "failed", "unknown"] as const;

export const countsView = z.object({
  total: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  unknown: z.number().int().describe("Records whose outcome could not be known (an insert whose answer was lost)"),
  pending: z.number().int().describe("Records not settled yet: total − succeeded − failed − unknown"),
});

const checkView = z.object({
  id: z.string(),
  title: z.string(),
  remedy: z.array(z.string()),
  checklist: z.boolean(),
});

const problemView = z
  .object({
    code: z.string(),
    message: z.string(),
    reason: z.string().optional().describe("The stable id of a Salesforce failure's cause (rest.…, oauth.…)"),
    remedy: z.string().optional(),
    check: checkView.optional().describe("The checklist item that explains it, with the admin's steps"),
  })
  .describe("Why the write stopped (or paused)");

export const writeView = z.object({
  id: z.string(),
  connectionId: z.string(),
  object: z.string(),
  operation: z.enum(WRITE_OPERATIONS),
  externalIdField: z.string().nullable(),
  allOrNone: z.boolean(),
  status: z.enum(WRITE_STATUSES),
  path: z.enum(["collections", "composite", "bulk"]).nullable().describe("The API the write went through"),
  counts: countsView,
  apiCalls: z.number().int(),
  retryOf: z.string().nullable().describe("The write whose failed records this one re-runs"),
  error: problemView.nullable(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  expiresAt: z.date().nullable().describe("When the write and its results are deleted"),
});

export const recordErrorView = z.object({
  code: z.string().describe("Salesforce's status code, such as REQUIRED_FIELD_MISSING"),
  message: z.string(),
  fields: z.array(z.string()),
  retryable: z.boolean().describe("Whether the error may pass on its own (a lock, a limit): see retryableOnly"),
  check: z.string().optional().describe("The checklist item that explains the error (field-editable, object-access…)"),
});

export const resultView = z.object({
  index: z.number().int().describe("The record's position in the input, from 0 (kept by a retry)"),
  status: z.enum(RECORD_STATUSES),
  success: z.boolean(),
  id: z.string().nullable().describe("The record's Salesforce Id"),
  created: z.boolean(),
  errors: z.array(recordErrorView),
});

export type WriteView = z.infer<typeof writeView>;
export type ResultView = z.infer<typeof resultView>;

export function countsOf(write: WriteRow): z.infer<typeof countsView> {
  const { total, succeeded, failed, unknown } = write;
  return { total, succeeded, failed, unknown, pending: Math.max(0, total - succeeded - failed - unknown) };
}

/** The view of a write; `retentionMs` dates the expiry of a write finished without one. */
export function writeViewOf(write: WriteRow, retentionMs: number): WriteView {
  return {
    id: write.id,
    connectionId: write.connectionId,
    object: write.object,
    operation: write.operation as WriteView["operation"],
    externalIdField: write.externalIdField,
    allOrNone: write.allOrNone,
    // A write still receiving is never shown; should one be, it is as good as queued.
    status: (write.status === "receiving" ? "queued" : write.status) as WriteView["status"],
    path: write.path as WriteView["path"],
    counts: countsOf(write),
    apiCalls: write.apiCalls,
    retryOf: write.retryOf,
    error: problemOf(write.error),
    createdAt: write.createdAt,
    startedAt: write.startedAt,
    finishedAt: write.finishedAt,
    expiresAt: write.expiresAt ?? (write.finishedAt ? new Date(write.finishedAt.getTime() + retentionMs) : null),
  };
}

function problemOf(error: unknown): WriteView["error"] {
  if (!error || typeof error !== "object") return null;
  const e = error as Record<string, unknown>;
  const check = checkView.safeParse(e.check);
  return {
    code: typeof e.code === "string" ? e.code : "write_failed",
    message: typeof e.message === "string" ? e.message : "The write stopped on an error.",
    ...(typeof e.reason === "string" ? { reason: e.reason } : {}),
    ...(typeof e.remedy === "string" ? { remedy: e.remedy } : {}),
    ...(check.success ? { check: check.data } : {}),
  };
}

/** A stored per-record error (the library's RecordError) as the API shows it. */
function recordErrorOf(stored: unknown): z.infer<typeof recordErrorView> {
  const e = (stored && typeof stored === "object" ? stored : {}) as Record<string, unknown>;
  const check = e.checklistItem ?? e.check;
  return {
    code: typeof e.code === "string" ? e.code : "UNKNOWN",
    message: typeof e.message === "string" ? e.message : "",
    fields: Array.isArray(e.fields) ? e.fields.filter((f): f is string => typeof f === "string") : [],
    retryable: typeof e.retry === "string" ? e.retry !== "never" : e.retryable === true,
    ...(typeof check === "string" ? { check } : {}),
  };
}

export function resultViewOf(record: WriteRecordRow): ResultView {
  return {
    index: record.idx,
    status: record.status as ResultView["status"],
    success: record.status === "succeeded",
    id: record.sfId,
    created: record.created ?? false,
    errors: (record.errors ?? []).map(recordErrorOf),
  };
}
