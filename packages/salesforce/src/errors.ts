import { type ChecklistItemId, type ClassifiedFailure, lookupError, type RetryAdvice } from "./error-table.ts";

export interface SalesforceErrorDetail {
  code: string;
  message: string;
  fields?: string[];
}

/**
 * A REST error Salesforce answered, typed through the error table: whether to retry, whether the
 * customer must act, and which checklist item explains it.
 */
export class SalesforceApiError extends Error implements ClassifiedFailure {
  override readonly name = "SalesforceApiError";
  /** The error table's stable id for the cause (`rest.field_hidden`…). */
  readonly reason: string;
  readonly code: string;
  readonly status: number;
  readonly retry: RetryAdvice;
  readonly customerAction: boolean;
  readonly checklistItem?: ChecklistItemId;
  readonly remedy?: string;
  readonly fields?: string[];
  /** Salesforce refused before writing anything: sending the same create again is safe. */
  readonly nothingWritten: boolean;
  /** Every error of a multi-error answer; the first one names this error. */
  readonly details: SalesforceErrorDetail[];

  constructor(status: number, detail: SalesforceErrorDetail, others: SalesforceErrorDetail[] = []) {
    super(detail.message);
    const outcome = lookupError("rest", detail.code, status, detail.message);
    this.reason = outcome.reason;
    this.code = detail.code;
    this.status = status;
    this.retry = outcome.retry;
    this.customerAction = outcome.customerAction;
    this.checklistItem = outcome.checklistItem;
    this.remedy = outcome.remedy;
    this.fields = detail.fields;
    this.nothingWritten = outcome.nothingWritten === true;
    this.details = [detail, ...others];
  }
}

/**
 * Reads a REST error body: Salesforce's `[{message, errorCode, fields}]`, the object form some
 * endpoints use, or anything else (an HTML maintenance page, an empty body), which keeps only
 * the status: the body of a page we do not understand is not worth echoing.
 */
export function apiErrorFrom(status: number, body: string): SalesforceApiError {
  const details = errorDetails(body);
  if (details.length > 0) return new SalesforceApiError(status, details[0], details.slice(1));
  return new SalesforceApiError(status, { code: statusCode(status), message: `Salesforce answered HTTP ${status}` });
}

function errorDetails(body: string): SalesforceErrorDetail[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  const out: SalesforceErrorDetail[] = [];
  for (const item of items) {
    if (!item || typeof item !== "object") continue;
    const o = item as Record<string, unknown>;
    const code = str(o.errorCode) ?? str(o.error);
    if (!code) continue;
    const message = str(o.message) ?? str(o.error_description) ?? code;
    const fields = Array.isArray(o.fields) ? o.fields.filter((f): f is string => typeof f === "string") : undefined;
    out.push(fields && fields.length > 0 ? { code, message, fields } : { code, message });
  }
  return out;
}

/** A name for answers without an errorCode, e.g. 300 for an external id matching several records. */
function statusCode(status: number): string {
  if (status === 300) return "MULTIPLE_CHOICES";
  return `HTTP_${status}`;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}
