import { type ClassifiedFailure, lookupError, type RetryAdvice } from "./error-table.ts";

/**
 * A request that got no HTTP answer. The kind matters for retries: only a failure to connect
 * proves Salesforce never saw the request; a reset or a timeout may hide a request it executed.
 */
export type TransportFailureKind = "connect" | "reset" | "timeout" | "aborted" | "other";

export class TransportFailure extends Error implements ClassifiedFailure {
  override readonly name = "TransportFailure";
  readonly kind: TransportFailureKind;
  readonly reason: string;
  readonly retry: RetryAdvice;
  readonly customerAction = false;
  readonly remedy?: string;
  /** The system or undici error code (ECONNREFUSED, UND_ERR_SOCKET…). */
  readonly code?: string;

  constructor(kind: TransportFailureKind, code: string | undefined, cause: unknown) {
    super(`no answer from Salesforce (${code ?? kind})`, { cause });
    this.kind = kind;
    this.code = code;
    const outcome = lookupError("transport", kind, 0);
    this.reason = outcome.reason;
    this.retry = outcome.retry;
    this.remedy = outcome.remedy;
  }
}

const CONNECT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
]);
const RESET = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);
const TIMEOUT = new Set(["ETIMEDOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);
const ABORTED = new Set(["UND_ERR_ABORTED", "ABORT_ERR"]);

/** Names what went wrong with an error thrown by undici or the socket under it. */
export function transportFailureFrom(error: unknown): TransportFailure {
  if (error instanceof TransportFailure) return error;
  const code = errorCode(error);
  const kind: TransportFailureKind =
    code === undefined
      ? (error as Error)?.name === "AbortError"
        ? "aborted"
        : "other"
      : CONNECT.has(code)
        ? "connect"
        : RESET.has(code)
          ? "reset"
          : TIMEOUT.has(code)
            ? "timeout"
            : ABORTED.has(code)
              ? "aborted"
              : "other";
  return new TransportFailure(kind, code, error);
}

/** undici wraps socket errors: the code may sit on the error or on its cause. */
function errorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 3 && e && typeof e === "object"; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
