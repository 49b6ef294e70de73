import type { CheckPointer } from "../remedies/explain-failure.ts";

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
  constructor(
    status: number,
    code: string,
    message: string,
    options: { remedy?: string; details?: unknown; check?: CheckPointer } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.remedy = options.remedy;
    this.details = options.details;
    this.check = options.check;
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
