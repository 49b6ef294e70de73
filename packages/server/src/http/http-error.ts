import { type ClassifiedFailure, OAuthFailure, TransportFailure } from "@forcelink/salesforce";
import { type CheckPointer, Problem, type ProblemKind } from "../remedies/problem.ts";

/**
 * An API error in the one shape every route answers: `{"error": {code, message, remedy?, check?,
 * details?}}`. `check` names the checklist item that explains a Salesforce failure, with its
 * remedy for the customer's admin.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly remedy?: string;
  readonly details?: unknown;
  readonly check?: CheckPointer;
  /** Sent as Retry-After when known. */
  readonly retryAfterSeconds?: number;
  constructor(
    status: number,
    code: string,
    message: string,
    options: { remedy?: string; details?: unknown; check?: CheckPointer; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.remedy = options.remedy;
    this.details = options.details;
    this.check = options.check;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  body() {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.remedy ? { remedy: this.remedy } : {}),
        ...(this.check ? { check: this.check } : {}),
        ...(this.details !== undefined ? { details: this.details } : {}),
      },
    };
  }
}

export const notFound = (what: string, id: string) =>
  new HttpError(404, "not_found", `No ${what} with id '${id}' in this project.`, {
    remedy: `List them with GET /v1/${what.replace(/ /g, "-")}s and use one of those ids.`,
  });

/** Finds the checklist item behind a Salesforce failure; given by the composition (the checklist owns it). */
export type CheckExplainer = (failure: ClassifiedFailure & Error) => CheckPointer | undefined;

const STATUS_OF: Record<ProblemKind, number> = {
  "bad-input": 400,
  "not-found": 404,
  conflict: 409,
  unprocessable: 422,
  "customer-action": 409,
  retryable: 503,
  unreachable: 502,
};

const RECONNECT_REMEDY =
  "Create a connect session with this connectionId (POST /v1/connect-sessions) and send the link to the customer.";
const RETRY_REMEDY = "Retry later; Forcelink backs off and retries on its own.";

/**
 * The one mapping from an error to an HTTP answer, decided by the error's kind: a transport
 * failure (502, or 504 on a timeout), the customer must act (409 with the check and its remedy),
 * retryable (503, with Retry-After where known), the builder's request or app is wrong (4xx), or
 * our bug (500, whose message says nothing of the internals; the caller logs the error).
 */
export function httpErrorFrom(error: unknown, explain: CheckExplainer = () => undefined): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof Problem)
    return new HttpError(STATUS_OF[error.kind], error.code, error.message, {
      remedy: error.remedy,
      check: error.check,
      details: error.details,
      retryAfterSeconds: error.retryAfterSeconds,
    });
  if (isClassified(error)) return salesforceHttpError(error, explain);
  return new HttpError(500, "internal_error", "Something went wrong on our side; the error is logged.");
}

function isClassified(error: unknown): error is ClassifiedFailure & Error {
  return (
    error instanceof Error &&
    typeof (error as Partial<ClassifiedFailure>).reason === "string" &&
    typeof (error as Partial<ClassifiedFailure>).retry === "string" &&
    typeof (error as Partial<ClassifiedFailure>).customerAction === "boolean"
  );
}

function salesforceHttpError(error: ClassifiedFailure & Error, explain: CheckExplainer): HttpError {
  const details = { reason: error.reason };
  const noAnswer = error instanceof TransportFailure || error.reason === "oauth.unreachable";
  const timedOut = error.reason === "transport.timeout" || error.reason === "oauth.timeout";
  if (noAnswer || timedOut)
    return new HttpError(
      timedOut ? 504 : 502,
      timedOut ? "salesforce_timeout" : "salesforce_unreachable",
      timedOut ? "Salesforce did not answer in time." : "Salesforce could not be reached.",
      {
        remedy: error.remedy ?? RETRY_REMEDY,
        details,
      },
    );
  if (error instanceof OAuthFailure) {
    if (error.kind === "terminal")
      return new HttpError(
        409,
        "connection_needs_reauth",
        `The customer must connect again: ${error.description || error.error}.`,
        {
          remedy: RECONNECT_REMEDY,
          check: explain(error),
          details: { ...details, checklistItem: error.checklistItem ?? null },
        },
      );
    if (error.kind === "transient")
      return new HttpError(
        503,
        "salesforce_unavailable",
        `Salesforce's sign-in service could not answer right now (${error.error}).`,
        { remedy: RETRY_REMEDY, details },
      );
    return new HttpError(
      400,
      `salesforce_${error.error}`,
      `Salesforce refused the app: ${error.description || error.error}`,
      {
        remedy: error.remedy ?? "Check the provider app's consumer key and secret against the app in Salesforce.",
        details,
      },
    );
  }
  if (error.customerAction)
    return new HttpError(409, "customer_action_needed", `Salesforce refused: ${error.message}`, {
      remedy: error.remedy,
      check: explain(error),
      details,
    });
  if (error.retry !== "never")
    return new HttpError(503, "salesforce_unavailable", `Salesforce cannot serve this right now: ${error.message}`, {
      remedy: error.remedy ?? RETRY_REMEDY,
      details,
    });
  return new HttpError(502, "salesforce_refused", `Salesforce refused what Forcelink sent: ${error.message}`, {
    remedy:
      error.remedy ??
      "Salesforce's message says what it refused; if nothing in your request or manifest explains it, report it as a Forcelink bug.",
    details,
  });
}
