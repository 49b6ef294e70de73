/**
 * The checklist item that explains a failure, with the steps for the customer's admin. The API's
 * errors carry every field; a Salesforce refusal through the proxy only `id` and `remedy` (from its
 * Forcelink-Check and Forcelink-Remedy headers).
 */
export interface CheckPointer {
  id: string;
  title?: string;
  remedy: string[];
  /** Whether the pre-install checklist verifies it: run it again to confirm a fix. */
  checklist?: boolean;
  reason?: string;
}

/**
 * A refusal from the Forcelink API, as its one error shape says it:
 * `{"error": {code, message, remedy?, check?, details?}}`; or, through the proxy, Salesforce's own
 * answer (code `salesforce_error`, its body in `details`, the check from the Forcelink-Check header).
 */
export class ForcelinkError extends Error {
  readonly status: number;
  /** Stable and machine-readable: not_found, invalid_request, connection_needs_reauth… */
  readonly code: string;
  /** What to do about it. */
  readonly remedy: string | undefined;
  readonly check: CheckPointer | undefined;
  readonly details: unknown;
  /** Seconds to wait before trying again, when the API said (Retry-After). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    status: number,
    body: { code: string; message: string; remedy?: string; check?: CheckPointer; details?: unknown },
    retryAfterSeconds?: number,
  ) {
    super(body.message);
    this.name = "ForcelinkError";
    this.status = status;
    this.code = body.code;
    this.remedy = body.remedy;
    this.check = body.check;
    this.details = body.details;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The answer was not the API's: no connection, or a body that is not its error shape. */
export class ForcelinkTransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ForcelinkTransportError";
  }
}

export type WebhookFailure = "malformed_header" | "timestamp_outside_tolerance" | "no_matching_signature" | "bad_body";

/** A webhook delivery that must not be trusted; `reason` says why. */
export class WebhookVerificationError extends Error {
  readonly reason: WebhookFailure;
  constructor(reason: WebhookFailure, message: string) {
    super(message);
    this.name = "WebhookVerificationError";
    this.reason = reason;
  }
}

/** The error an answer carries: the API's error shape when it is one, a generic one otherwise. */
export function errorFrom(status: number, text: string, retryAfter: string | null): ForcelinkError {
  const retry = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const e = parsed?.error;
    if (e && typeof e.code === "string" && typeof e.message === "string")
      return new ForcelinkError(status, e as ConstructorParameters<typeof ForcelinkError>[1], retry);
  } catch {
    // Not JSON: described below.
  }
  return new ForcelinkError(
    status,
    { code: `http_${status}`, message: `The server answered ${status}: ${text.slice(0, 200)}`, details: text },
    retry,
  );
}
