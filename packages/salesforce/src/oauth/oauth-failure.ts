import {
  type ChecklistItemId,
  type ClassifiedFailure,
  lookupError,
  type OAuthFailureKind,
  type RetryAdvice,
} from "../error-table.ts";
import type { TransportFailure } from "../transport-failure.ts";

export type { OAuthFailureKind };

/**
 * A failed OAuth call, typed through the error table. `kind` says who acts: the customer
 * reconnects (`terminal`), nobody (`transient`: try later) or the builder fixes the app
 * (`configuration`). The message carries Salesforce's error and description only: never a
 * token, a code, a secret or the request.
 */
export class OAuthFailure extends Error implements ClassifiedFailure {
  override readonly name = "OAuthFailure";
  /** Salesforce's `error` (or one of ours: network_error, timeout, server_error, invalid_response). */
  readonly error: string;
  /** The error table's stable id for the cause (`oauth.app_not_installed`…). */
  readonly reason: string;
  readonly description: string;
  /** HTTP status of the answer; 0 when there was none. */
  readonly status: number;
  readonly kind: OAuthFailureKind;
  readonly retry: RetryAdvice;
  readonly customerAction: boolean;
  readonly checklistItem?: ChecklistItemId;
  /** What this answer points to (reference §4.4), and what to do about it, for the builder. */
  readonly remedy?: string;

  constructor(error: string, description: string, status: number, options: { cause?: unknown } = {}) {
    super(`Salesforce OAuth ${error}${description ? `: ${description}` : ""}`, options);
    const outcome = lookupError("oauth", error, status, description);
    this.error = error;
    this.reason = outcome.reason;
    this.description = description;
    this.status = status;
    this.kind = outcome.oauth ?? "configuration";
    this.retry = outcome.retry;
    this.customerAction = outcome.customerAction;
    this.checklistItem = outcome.checklistItem;
    this.remedy = outcome.remedy;
  }
}

export function oauthFailureFromTransport(failure: TransportFailure): OAuthFailure {
  const error = failure.kind === "timeout" ? "timeout" : "network_error";
  return new OAuthFailure(error, `no answer from Salesforce (${failure.code ?? failure.kind})`, 0, { cause: failure });
}

/**
 * Reads an OAuth error answer: JSON `{error, error_description}`, the form-encoded variant
 * revoke uses, or the identity service's one plain word (`Bad_OAuth_Token`).
 */
export function oauthFailureFromAnswer(status: number, contentType: string, body: string): OAuthFailure {
  const fields = errorFields(contentType, body);
  if (fields) return new OAuthFailure(fields.error, fields.description, status);
  const word = body.trim();
  if (/^[A-Za-z_]{3,40}$/.test(word)) return new OAuthFailure(word, "", status);
  if (status >= 500) return new OAuthFailure("server_error", `Salesforce answered HTTP ${status}`, status);
  return new OAuthFailure(`http_${status}`, `Salesforce answered HTTP ${status}`, status);
}

function errorFields(contentType: string, body: string): { error: string; description: string } | undefined {
  if (/^application\/x-www-form-urlencoded/i.test(contentType)) {
    const form = new URLSearchParams(body);
    const error = form.get("error");
    return error ? { error, description: form.get("error_description") ?? "" } : undefined;
  }
  try {
    const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    if (parsed && typeof parsed.error === "string")
      return {
        error: parsed.error,
        description: typeof parsed.error_description === "string" ? parsed.error_description : "",
      };
  } catch {
    // not JSON
  }
  return undefined;
}
