/** A Salesforce REST error: answered as a JSON array `[{"message","errorCode","fields"?}]`. */
export class ApiError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly fields?: string[];
  constructor(status: number, errorCode: string, message: string, fields?: string[]) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
    this.fields = fields;
  }

  body(): Array<{ message: string; errorCode: string; fields?: string[] }> {
    return [{ message: this.message, errorCode: this.errorCode, ...(this.fields ? { fields: this.fields } : {}) }];
  }
}

/** An OAuth endpoint error: `{"error","error_description"}`, as JSON or (for revoke) form-encoded. */
export class OAuthError extends Error {
  readonly status: number;
  readonly error: string;
  readonly format: "json" | "form";
  constructor(status: number, error: string, description: string, format: "json" | "form" = "json") {
    super(description);
    this.status = status;
    this.error = error;
    this.format = format;
  }
}

export const sessionInvalid = () => new ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid");
export const notFound = () => new ApiError(404, "NOT_FOUND", "The requested resource does not exist");
export const malformedJson = (detail: string) => new ApiError(400, "JSON_PARSER_ERROR", detail);
