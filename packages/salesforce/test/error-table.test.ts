import { describe, expect, it } from "vitest";
import {
  apiErrorFrom,
  BulkJobFailed,
  BulkJobTimedOut,
  BulkResultError,
  type ChecklistItemId,
  CsvFormatError,
  ERROR_TABLE,
  lookupError,
  OAuthFailure,
  outcomeOfReason,
  type RetryAdvice,
  transportFailureFrom,
} from "../src/index.ts";

type Row = [
  status: number,
  code: string,
  message: string,
  retry: RetryAdvice,
  customerAction: boolean,
  checklist?: ChecklistItemId,
];

describe("REST errors (reference §2.9, §2.3, §4.4)", () => {
  const rows: Row[] = [
    [401, "INVALID_SESSION_ID", "Session expired or invalid", "refresh-then-retry", false],
    [401, "INVALID_SESSION_ID", "This session is not valid for use with the REST API", "never", false, "oauth-scopes"],
    [401, "INVALID_SESSION_ID", "Connected app is not attached to Agent", "never", false],
    [
      403,
      "API_DISABLED_FOR_ORG",
      "API is not enabled for this Organization or Partner",
      "never",
      true,
      "api-access-edition",
    ],
    [403, "API_CURRENTLY_DISABLED", "API is disabled for this User", "never", true, "api-enabled-permission"],
    [403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", "never", false, "daily-api-quota"],
    [403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.", "backoff", false],
    [403, "INSUFFICIENT_ACCESS", "insufficient access rights on object id", "never", true],
    [
      403,
      "INSUFFICIENT_ACCESS",
      "This session's security level is Standard; the connected app requires a High Assurance session.",
      "never",
      true,
      "session-security-level",
    ],
    [400, "INVALID_FIELD", "No such column 'Foo' on entity 'Account'.", "never", true, "field-level-security"],
    [400, "MALFORMED_QUERY", "unexpected token: FORM", "never", false],
    [400, "INVALID_TYPE", "sObject type 'Foo' is not supported.", "never", true, "object-access"],
    [400, "INVALID_QUERY_LOCATOR", "invalid query locator", "never", false],
    [400, "QUERY_TIMEOUT", "Your query request was running for too long.", "never", false],
    [400, "EXCEEDED_ID_LIMIT", "too many ids", "never", false],
    [400, "JSON_PARSER_ERROR", "Unexpected character", "never", false],
    [400, "MALFORMED_ID", "malformed id 001", "never", false],
    [400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [Name]", "never", false],
    [400, "INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: X.", "never", true, "field-editable"],
    [400, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Amount must be positive", "never", false],
    [400, "DUPLICATE_VALUE", "duplicate value found: Ext__c duplicates value on record with id: 001", "never", false],
    [400, "INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights", "never", true, "object-access"],
    [
      400,
      "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
      "insufficient access rights on cross-reference id",
      "never",
      true,
      "record-access",
    ],
    [400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "bad value for restricted picklist field: Purple", "never", false],
    [400, "STRING_TOO_LONG", "Name: data value too large", "never", false],
    [400, "UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record", "backoff", false],
    [404, "NOT_FOUND", "The requested resource does not exist", "never", false],
    [404, "ENTITY_IS_DELETED", "entity is deleted", "never", false],
    [405, "METHOD_NOT_ALLOWED", "HTTP Method 'PUT' not allowed. Allowed are GET,PATCH,DELETE", "never", false],
    [409, "CONFLICT", "version mismatch", "never", false],
    [412, "PRECONDITION_FAILED", "If-Match failed", "never", false],
    [428, "PRECONDITION_REQUIRED", "If-Match required", "never", false],
    [500, "UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId", "backoff", false],
    [503, "SERVER_UNAVAILABLE", "Server temporarily unavailable", "backoff", false],
    // Codes the table does not know fall back on the status.
    [400, "SOME_NEW_CODE", "?", "never", false],
    [401, "SOME_NEW_CODE", "?", "refresh-then-retry", false],
    [502, "BAD_GATEWAY", "?", "backoff", false],
    [429, "TOO_MANY", "?", "backoff", false],
  ];
  it.each(rows)("%i %s (%s)", (status, code, message, retry, customerAction, checklist) => {
    const error = apiErrorFrom(status, JSON.stringify([{ message, errorCode: code }]));
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.message).toBe(message);
    expect(error.retry).toBe(retry);
    expect(error.customerAction).toBe(customerAction);
    expect(error.checklistItem).toBe(checklist);
    if (customerAction) expect(error.remedy).toBeTruthy();
  });

  it("marks only rolled-back refusals as safe to repeat for a create", () => {
    expect(apiErrorFrom(400, JSON.stringify([{ errorCode: "UNABLE_TO_LOCK_ROW", message: "x" }])).nothingWritten).toBe(
      true,
    );
    expect(apiErrorFrom(503, JSON.stringify([{ errorCode: "SERVER_UNAVAILABLE", message: "x" }])).nothingWritten).toBe(
      false,
    );
  });

  it("keeps fields and every error of a multi-error answer", () => {
    const body = JSON.stringify([
      { message: "Required fields are missing: [Name]", errorCode: "REQUIRED_FIELD_MISSING", fields: ["Name"] },
      { message: "bad", errorCode: "STRING_TOO_LONG", fields: ["Site"] },
    ]);
    const error = apiErrorFrom(400, body);
    expect(error.fields).toEqual(["Name"]);
    expect(error.details.map((d) => d.code)).toEqual(["REQUIRED_FIELD_MISSING", "STRING_TOO_LONG"]);
  });

  it.each([
    [503, "<html><body>Down for maintenance</body></html>", "HTTP_503", "backoff"],
    [502, "", "HTTP_502", "backoff"],
    [
      300,
      JSON.stringify(["/services/data/v67.0/sobjects/Account/001A", "/services/data/v67.0/sobjects/Account/001B"]),
      "MULTIPLE_CHOICES",
      "never",
    ],
    [400, JSON.stringify({ errorCode: "INVALIDJOB", message: "object form" }), "INVALIDJOB", "never"],
  ])("reads a %i answer without Salesforce's array", (status, body, code, retry) => {
    const error = apiErrorFrom(status, body);
    expect(error.code).toBe(code);
    expect(error.retry).toBe(retry);
    expect(error.message).not.toContain("<html>");
  });
});

describe("OAuth errors (reference §1.1, §1.2, §1.5, §4.4)", () => {
  type OAuthRow = [error: string, description: string, kind: OAuthFailure["kind"], checklist?: ChecklistItemId];
  const rows: OAuthRow[] = [
    ["invalid_client_id", "client identifier invalid", "configuration"],
    ["invalid_client", "invalid client credentials", "configuration"],
    ["invalid_client", "app must be installed into org", "terminal", "app-installed-or-approve-uninstalled"],
    [
      "OAUTH_APPROVAL_ERROR_GENERIC",
      "An unexpected error has occured during authentication.",
      "terminal",
      "app-installed-or-approve-uninstalled",
    ],
    ["OAUTH_APP_ACCESS_DENIED", "user is not admin approved to access this app", "terminal", "permitted-users"],
    ["invalid_app_access", "user is not admin approved to access this app", "terminal", "permitted-users"],
    ["invalid_grant", "authentication failure", "terminal"],
    ["invalid_grant", "expired access/refresh token", "terminal", "refresh-token-policy"],
    ["invalid_grant", "invalid authorization code", "terminal"],
    ["invalid_grant", "expired authorization code", "terminal"],
    ["invalid_grant", "invalid code verifier", "terminal"],
    ["invalid_grant", "user hasn't approved this consumer", "terminal", "permitted-users"],
    ["invalid_grant", "audience is invalid", "configuration"],
    ["invalid_grant", "request not supported on this domain", "configuration", "client-credentials-user"],
    ["invalid_grant", "no client credentials user enabled", "terminal", "client-credentials-user"],
    ["invalid_grant", "IP restricted or invalid login hours", "terminal", "ip-relaxation"],
    ["invalid_grant", "no refresh token: the refresh_token scope was not granted", "terminal", "oauth-scopes"],
    ["unsupported_grant_type", "grant type not supported", "configuration"],
    ["redirect_uri_mismatch", "redirect_uri must match configuration", "configuration"],
    ["invalid_request", "missing parameter", "configuration"],
    ["invalid_scope", "the requested scope is not allowed", "configuration", "oauth-scopes"],
    ["inactive_user", "user is inactive", "terminal", "user-active"],
    ["inactive_org", "org is locked", "terminal"],
    ["rate_limit_exceeded", "too many logins", "transient"],
    ["access_denied", "end-user denied authorization", "terminal"],
    ["invalid_token", "invalid token", "configuration"],
    ["unsupported_token_type", "unsupported token type", "configuration"],
    ["network_error", "ECONNRESET", "transient"],
    ["timeout", "", "transient"],
    ["server_error", "Salesforce answered HTTP 503", "transient"],
  ];
  it.each(rows)("%s / %s → %s", (error, description, kind, checklist) => {
    const failure = new OAuthFailure(error, description, 400);
    expect(failure.kind).toBe(kind);
    expect(failure.checklistItem).toBe(checklist);
    expect(failure.retry).toBe(kind === "transient" ? "backoff" : "never");
    if (checklist) expect(failure.remedy).toBeTruthy();
  });

  it("classifies an unknown OAuth error by status", () => {
    expect(new OAuthFailure("brand_new", "", 400).kind).toBe("configuration");
    expect(new OAuthFailure("brand_new", "", 502).kind).toBe("transient");
  });

  it("has no two rows that claim the same answer", () => {
    const keys = ERROR_TABLE.map((r) => `${r.source} ${r.code} ${r.status ?? "*"} ${r.messageIncludes ?? "*"}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const row of ERROR_TABLE) if (row.source === "oauth") expect(row.oauth, row.code).toBeDefined();
  });

  it("prefers the row naming the message over the code alone", () => {
    expect(lookupError("oauth", "invalid_grant", 400, "Expired Access/Refresh Token").checklistItem).toBe(
      "refresh-token-policy",
    );
    expect(lookupError("rest", "INVALID_SESSION_ID", 401, "Session expired or invalid").retry).toBe(
      "refresh-then-retry",
    );
  });
});

describe("reason ids: one stable id per cause", () => {
  it("every row has a reason id of the form <source>.<cause>, unique across the table", () => {
    const ids = ERROR_TABLE.map((r) => r.reason);
    for (const row of ERROR_TABLE)
      expect(row.reason, row.code).toMatch(new RegExp(`^${row.source}\\.[a-z][a-z0-9_]*$`));
    const seen = new Set<string>();
    for (const id of ids) {
      expect(seen.has(id), `${id} appears twice`).toBe(false);
      seen.add(id);
    }
    expect(outcomeOfReason("rest.field_hidden")?.checklistItem).toBe("field-level-security");
  });

  type ReasonRow = [
    what: string,
    error: { reason: string; retry: RetryAdvice; customerAction: boolean },
    reason: string,
  ];
  const reasonRows: ReasonRow[] = [
    [
      "a hidden field",
      apiErrorFrom(400, '[{"errorCode":"INVALID_FIELD","message":"No such column"}]'),
      "rest.field_hidden",
    ],
    ["an unknown 4xx", apiErrorFrom(418, "teapot"), "rest.refused"],
    ["an unknown 5xx", apiErrorFrom(502, "<html>"), "rest.unavailable"],
    [
      "app not installed (authorize page)",
      new OAuthFailure("OAUTH_APPROVAL_ERROR_GENERIC", "", 0),
      "oauth.app_not_installed",
    ],
    [
      "app not installed (token endpoint)",
      new OAuthFailure("invalid_client", "app must be installed into org", 400),
      "oauth.app_not_installed",
    ],
    [
      "not admin approved",
      new OAuthFailure("invalid_app_access", "user is not admin approved", 400),
      "oauth.user_not_admin_approved",
    ],
    ["a frozen user", new OAuthFailure("invalid_grant", "user is frozen", 400), "oauth.user_inactive"],
    [
      "a wrong secret",
      new OAuthFailure("invalid_client", "invalid client credentials", 400),
      "oauth.consumer_secret_wrong",
    ],
    [
      "an unknown consumer key",
      new OAuthFailure("invalid_client_id", "client identifier invalid", 400),
      "oauth.consumer_key_unknown",
    ],
    ["a Bulk job Salesforce failed", bulkFailed("Failed", ""), "bulk.job_failed"],
    ["a Bulk job that timed out", bulkFailed("Failed", "Query timeout: narrow it"), "bulk.query_timeout"],
    [
      "a Bulk job on a hidden field",
      bulkFailed("Failed", "InvalidBatch : INVALID_FIELD: No such column"),
      "bulk.field_hidden",
    ],
    ["an aborted Bulk job", bulkFailed("Aborted", ""), "bulk.job_aborted"],
    ["a Bulk job still running", new BulkJobTimedOut("750x", "InProgress", 1000), "bulk.job_still_running"],
    ["a short results page", new BulkResultError("750x", "fewer rows"), "bulk.results_unreadable"],
    ["unreadable CSV", new CsvFormatError("stray quote", 3), "bulk.results_unreadable"],
    [
      "a refused connection",
      transportFailureFrom(Object.assign(new Error("x"), { code: "ECONNREFUSED" })),
      "transport.connect_failed",
    ],
    ["a timeout", transportFailureFrom(Object.assign(new Error("x"), { code: "ETIMEDOUT" })), "transport.timeout"],
    ["an OAuth call without an answer", new OAuthFailure("network_error", "", 0), "oauth.unreachable"],
  ];
  it.each(reasonRows)("%s → its reason, with the row's retry advice", (_what, error, reason) => {
    expect(error.reason).toBe(reason);
    const row = outcomeOfReason(reason);
    if (row) {
      expect(error.retry).toBe(row.retry);
      expect(error.customerAction).toBe(row.customerAction);
    }
  });

  it("names the likely causes of invalid_client_id in order: wrong key, new app, special characters", () => {
    const remedy = new OAuthFailure("invalid_client_id", "client identifier invalid", 400).remedy ?? "";
    const wrong = remedy.indexOf("client id is wrong");
    const fresh = remedy.indexOf("up to 10");
    const special = remedy.indexOf("special characters");
    expect(wrong).toBeGreaterThanOrEqual(0);
    expect(fresh).toBeGreaterThan(wrong);
    expect(special).toBeGreaterThan(fresh);
  });
});

function bulkFailed(state: "Failed" | "Aborted", errorMessage: string): BulkJobFailed {
  return new BulkJobFailed({ id: "750x", state, errorMessage } as ConstructorParameters<typeof BulkJobFailed>[0]);
}
