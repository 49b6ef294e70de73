/**
 * What capabilities throw when a request cannot be served: the kind of problem, never an HTTP
 * status. The HTTP layer's `httpErrorFrom` decides the status from the kind, so a capability
 * never imports the HTTP layer and one mapping decides every answer.
 */
export type ProblemKind =
  /** The request, or the builder's configuration it names, is wrong: fixing it fixes the call. */
  | "bad-input"
  | "not-found"
  /** The request conflicts with the current state of what it names. */
  | "conflict"
  /** The request is well formed but a rule refuses it (too large for all-or-none, outside a manifest). */
  | "unprocessable"
  /** The customer (their org, their admin, their user) must act first; `check` says where. */
  | "customer-action"
  /** Nothing is wrong with the request: it can be sent again later. */
  | "retryable"
  /** Salesforce gave no answer at all. */
  | "unreachable";

/**
 * A pointer from a failure to the checklist item that explains it, with the steps for the
 * customer's admin. Built by the checklist; carried by problems and HTTP errors alike.
 */
export interface CheckPointer {
  /** The checklist item: a check id, or an item outside the checklist such as `record-access`. */
  id: string;
  title: string;
  /** Steps for the customer's admin, as the checklist would give them. */
  remedy: string[];
  /** Whether `id` is a check the pre-install checklist verifies (run it to confirm the fix). */
  checklist: boolean;
  /** What the failure means, said once above the steps. */
  reason?: string;
}

export interface ProblemOptions {
  remedy?: string;
  check?: CheckPointer;
  details?: unknown;
  /** For `retryable`: when trying again makes sense, if known. */
  retryAfterSeconds?: number;
}

export class Problem extends Error {
  readonly kind: ProblemKind;
  readonly code: string;
  readonly remedy?: string;
  readonly check?: CheckPointer;
  readonly details?: unknown;
  readonly retryAfterSeconds?: number;
  constructor(kind: ProblemKind, code: string, message: string, options: ProblemOptions = {}) {
    super(message);
    this.kind = kind;
    this.code = code;
    this.remedy = options.remedy;
    this.check = options.check;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
