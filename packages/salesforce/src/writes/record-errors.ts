import { lookupError } from "../error-table.ts";
import { SalesforceApiError } from "../errors.ts";
import { OAuthFailure } from "../oauth/oauth-failure.ts";
import { TransportFailure } from "../transport-failure.ts";
import type { RecordError } from "./write-types.ts";

/** A per-record error as Salesforce answers it: `statusCode` in collections, `errorCode` elsewhere. */
export interface SalesforceRecordError {
  statusCode?: string;
  errorCode?: string;
  message?: string;
  fields?: string[];
}

/**
 * A record's refusal through the one error table. A record of a collection or a Bulk job has no
 * HTTP status of its own: it is read as the 400 the same refusal of a single-record call is.
 */
export function recordErrorFrom(error: SalesforceRecordError): RecordError {
  const code = error.statusCode ?? error.errorCode ?? "UNKNOWN_EXCEPTION";
  const message = error.message ?? "";
  const outcome = lookupError("rest", code, 400, message);
  const result: RecordError = {
    code,
    message,
    fields: Array.isArray(error.fields) ? error.fields.map(String) : [],
    reason: outcome.reason,
    retry: outcome.retry,
  };
  if (outcome.checklistItem) result.checklistItem = outcome.checklistItem;
  return result;
}

const FIELD_LIST = /^[A-Za-z0-9_.,]*$/;

/**
 * The `sf__Error` cell of a Bulk failed result, `STATUS_CODE:message:Field1,Field2 --`, as a
 * RecordError. The message may itself hold colons; the part after the last colon is taken as the
 * field list only when it reads as one.
 */
export function parseSfError(cell: string | null | undefined): RecordError {
  const text = (cell ?? "").trim().replace(/\s*--$/, "");
  const colon = text.indexOf(":");
  if (colon <= 0) return recordErrorFrom({ statusCode: text || "UNKNOWN_EXCEPTION", message: text });
  const code = text.slice(0, colon);
  let message = text.slice(colon + 1);
  let fields: string[] = [];
  const last = message.lastIndexOf(":");
  if (last >= 0) {
    const tail = message.slice(last + 1).trim();
    if (FIELD_LIST.test(tail)) {
      fields = tail === "" ? [] : tail.split(",").filter(Boolean);
      message = message.slice(0, last);
    }
  }
  return recordErrorFrom({ statusCode: code, message, fields });
}

/**
 * Whether a write call that failed as a whole is known to have changed nothing, so that even an
 * insert may be sent again: Salesforce refused it before acting (the table's `nothingWritten`),
 * it never left (no connection), or no token could be had to send it. Anything else, a reset
 * after sending, a timeout, a 500, leaves the outcome unknown.
 */
export function nothingWritten(error: unknown): boolean {
  if (error instanceof SalesforceApiError) return error.nothingWritten;
  if (error instanceof TransportFailure) return error.kind === "connect";
  return error instanceof OAuthFailure;
}
