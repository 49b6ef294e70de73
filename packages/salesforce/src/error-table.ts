/**
 * The one table from what Salesforce answers to what Forcelink does about it. REST rows key on
 * `(errorCode, HTTP status)`; OAuth rows on `(error, error_description)` from the token,
 * authorize, revoke and identity endpoints. Both kinds of typed error are built from here, so a
 * decision about an error is made in exactly one place.
 */

export type RetryAdvice = "never" | "backoff" | "refresh-then-retry";

/** Stable ids of the pre-install checklist items an error points to. */
export type ChecklistItemId =
  | "api-access-edition"
  | "api-enabled-permission"
  | "object-access"
  | "field-level-security"
  | "record-access"
  | "daily-api-quota"
  | "refresh-token-policy"
  | "app-installed-or-approve-uninstalled"
  | "permitted-users"
  | "ip-relaxation"
  | "oauth-scopes"
  | "client-credentials-user"
  | "user-active"
  | "user-license"
  | "field-editable"
  | "subscription-permissions"
  | "cdc-allocation"
  | "session-security-level";

/** Who has to act when an OAuth call fails. */
export type OAuthFailureKind =
  /** The grant is dead: the customer must connect again. */
  | "terminal"
  /** Try again later; nothing is wrong with the connection. */
  | "transient"
  /** The builder's app or Forcelink's request is wrong: fixing the app fixes every connection. */
  | "configuration";

export interface ErrorOutcome {
  retry: RetryAdvice;
  /** Whether the customer (their org, their admin, their user) has to do something. */
  customerAction: boolean;
  checklistItem?: ChecklistItemId;
  remedy?: string;
  /** Salesforce refused before changing anything, so even a create may be sent again. */
  nothingWritten?: boolean;
  /** OAuth rows: who must act. */
  oauth?: OAuthFailureKind;
}

export interface ErrorRule extends ErrorOutcome {
  source: "rest" | "oauth";
  code: string;
  status?: number;
  /** Narrows the row to answers whose message contains this text (case-insensitive). */
  messageIncludes?: string;
}

const RECONNECT = "Ask the customer to connect their Salesforce org again.";

export const ERROR_TABLE: readonly ErrorRule[] = [
  // ---- REST: authentication and access (reference §2.9, §4.4)
  {
    source: "rest",
    code: "INVALID_SESSION_ID",
    status: 401,
    messageIncludes: "not valid for use with the REST API",
    retry: "never",
    customerAction: false,
    checklistItem: "oauth-scopes",
    remedy:
      "The token lacks the 'api' scope: add it to the app's OAuth scopes and to the scopes Forcelink requests, then reconnect.",
  },
  {
    source: "rest",
    code: "INVALID_SESSION_ID",
    status: 401,
    messageIncludes: "not attached to Agent",
    retry: "never",
    customerAction: false,
    remedy: "The connected app is not attached to the agent this endpoint serves.",
  },
  { source: "rest", code: "INVALID_SESSION_ID", status: 401, retry: "refresh-then-retry", customerAction: false },
  {
    source: "rest",
    code: "INVALID_AUTH_HEADER",
    status: 401,
    retry: "never",
    customerAction: false,
    remedy: "The Authorization header was malformed; this is a bug in the caller.",
  },
  {
    source: "rest",
    code: "API_DISABLED_FOR_ORG",
    status: 403,
    retry: "never",
    customerAction: true,
    checklistItem: "api-access-edition",
    remedy:
      "This Salesforce edition has no API access. The org needs Enterprise, Unlimited, Performance or Developer Edition, or the API add-on.",
  },
  {
    source: "rest",
    code: "API_CURRENTLY_DISABLED",
    status: 403,
    retry: "never",
    customerAction: true,
    checklistItem: "api-enabled-permission",
    remedy:
      "The connected user lacks the API Enabled permission. Setup → Permission Sets → (a set assigned to the user) → System Permissions → API Enabled.",
  },
  {
    source: "rest",
    code: "REQUEST_LIMIT_EXCEEDED",
    status: 403,
    messageIncludes: "ConcurrentPerOrgLongTxn",
    retry: "backoff",
    customerAction: false,
    nothingWritten: true,
    remedy: "Too many long-running requests are open in the org at once; wait and try again.",
  },
  {
    source: "rest",
    code: "REQUEST_LIMIT_EXCEEDED",
    status: 403,
    retry: "never",
    customerAction: false,
    checklistItem: "daily-api-quota",
    remedy:
      "The org's daily API request allocation is used up. Pause and resume once the rolling 24-hour window frees requests, or raise the allocation.",
  },
  {
    source: "rest",
    code: "INSUFFICIENT_ACCESS",
    status: 403,
    retry: "never",
    customerAction: true,
    remedy: "The connected user lacks a permission this call needs (for /limits: View Setup and Configuration).",
  },
  {
    source: "rest",
    code: "INSUFFICIENT_ACCESS",
    status: 403,
    messageIncludes: "high assurance",
    retry: "never",
    customerAction: true,
    checklistItem: "session-security-level",
    remedy:
      "The app or the user's profile requires a High Assurance session, which an integration's session never is: set the app's Session Level Policy (or the profile's Session Security Level Required at Login) to None.",
  },
  {
    source: "rest",
    code: "INVALID_OPERATION_WITH_EXPIRED_PASSWORD",
    retry: "never",
    customerAction: true,
    remedy: "The connected user's password has expired: they must sign in to Salesforce and set a new one.",
  },
  // ---- REST: query (reference §2.3)
  {
    source: "rest",
    code: "INVALID_FIELD",
    status: 400,
    retry: "never",
    customerAction: true,
    checklistItem: "field-level-security",
    remedy:
      "Salesforce hides fields the user cannot read. Grant field-level security: Setup → Object Manager → (object) → Fields → (field) → Set Field-Level Security.",
  },
  { source: "rest", code: "MALFORMED_QUERY", status: 400, retry: "never", customerAction: false },
  {
    source: "rest",
    code: "INVALID_TYPE",
    status: 400,
    retry: "never",
    customerAction: true,
    checklistItem: "object-access",
    remedy:
      "Salesforce hides objects the user cannot read. Grant Read on the object: Setup → Permission Sets → (a set assigned to the user) → Object Settings.",
  },
  {
    source: "rest",
    code: "INVALID_QUERY_LOCATOR",
    status: 400,
    retry: "never",
    customerAction: false,
    remedy:
      "The query cursor expired (about 15 minutes idle) or too many are open; run the query again from the last checkpoint.",
  },
  {
    source: "rest",
    code: "QUERY_TIMEOUT",
    status: 400,
    retry: "never",
    customerAction: false,
    remedy:
      "The query ran longer than Salesforce allows; narrow it (a smaller time window, selective filters) and run it again.",
  },
  {
    source: "rest",
    code: "EXCEEDED_ID_LIMIT",
    status: 400,
    retry: "never",
    customerAction: false,
    remedy: "Ask for a shorter time range.",
  },
  { source: "rest", code: "JSON_PARSER_ERROR", status: 400, retry: "never", customerAction: false },
  { source: "rest", code: "MALFORMED_ID", status: 400, retry: "never", customerAction: false },
  // ---- REST: DML (reference §2.9)
  { source: "rest", code: "REQUIRED_FIELD_MISSING", status: 400, retry: "never", customerAction: false },
  {
    source: "rest",
    code: "INVALID_FIELD_FOR_INSERT_UPDATE",
    status: 400,
    retry: "never",
    customerAction: true,
    checklistItem: "field-editable",
    remedy: "The user cannot edit this field: grant Edit in field-level security, or stop writing a read-only field.",
  },
  { source: "rest", code: "FIELD_CUSTOM_VALIDATION_EXCEPTION", status: 400, retry: "never", customerAction: false },
  { source: "rest", code: "DUPLICATE_VALUE", status: 400, retry: "never", customerAction: false },
  {
    source: "rest",
    code: "INSUFFICIENT_ACCESS_OR_READONLY",
    status: 400,
    retry: "never",
    customerAction: true,
    // Salesforce answers this both for a missing Create, Edit or Delete on the object and for
    // sharing; the object permissions are the part the checklist can verify.
    checklistItem: "object-access",
    remedy:
      "The user may not change records of this object: grant Create, Edit or Delete on it (Setup → Permission Sets → Object Settings), and check that sharing (org-wide defaults, roles, sharing rules) gives the user this record.",
  },
  {
    source: "rest",
    code: "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
    status: 400,
    retry: "never",
    customerAction: true,
    checklistItem: "record-access",
    remedy: "The user cannot see a record this one refers to (owner, parent or lookup).",
  },
  {
    source: "rest",
    code: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    status: 400,
    retry: "never",
    customerAction: false,
  },
  { source: "rest", code: "STRING_TOO_LONG", status: 400, retry: "never", customerAction: false },
  {
    source: "rest",
    code: "UNABLE_TO_LOCK_ROW",
    retry: "backoff",
    customerAction: false,
    nothingWritten: true,
    remedy: "Another transaction held a lock on the record; the change was rolled back and can be sent again.",
  },
  {
    source: "rest",
    code: "STORAGE_LIMIT_EXCEEDED",
    retry: "never",
    customerAction: true,
    remedy: "The org's data storage is full: Setup → Storage Usage.",
  },
  { source: "rest", code: "NOT_FOUND", status: 404, retry: "never", customerAction: false },
  { source: "rest", code: "ENTITY_IS_DELETED", status: 404, retry: "never", customerAction: false },
  { source: "rest", code: "METHOD_NOT_ALLOWED", status: 405, retry: "never", customerAction: false },
  { source: "rest", code: "CONFLICT", status: 409, retry: "never", customerAction: false },
  { source: "rest", code: "PRECONDITION_FAILED", status: 412, retry: "never", customerAction: false },
  { source: "rest", code: "PRECONDITION_REQUIRED", status: 428, retry: "never", customerAction: false },
  { source: "rest", code: "UNKNOWN_EXCEPTION", status: 500, retry: "backoff", customerAction: false },
  { source: "rest", code: "SERVER_UNAVAILABLE", status: 503, retry: "backoff", customerAction: false },

  // ---- OAuth: authorize page and callback (reference §1.1, §4.4)
  {
    source: "oauth",
    code: "OAUTH_APPROVAL_ERROR_GENERIC",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    checklistItem: "app-installed-or-approve-uninstalled",
    remedy:
      "The app is not installed in the org and the user lacks Approve Uninstalled Connected Apps. An admin installs the app, or assigns that permission to the user.",
  },
  {
    source: "oauth",
    code: "invalid_client",
    messageIncludes: "app must be installed into org",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    checklistItem: "app-installed-or-approve-uninstalled",
    remedy:
      "The app is not installed in the org and the user lacks Approve Uninstalled Connected Apps. An admin installs the app, or assigns that permission to the user.",
  },
  {
    source: "oauth",
    code: "OAUTH_APP_ACCESS_DENIED",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    checklistItem: "permitted-users",
    remedy:
      "The app admits only admin-approved users: an admin adds the user's profile or a permission set of theirs to the app's policies.",
  },
  {
    source: "oauth",
    code: "access_denied",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    remedy: "The user clicked Deny. They can connect again and choose Allow.",
  },
  { source: "oauth", code: "unsupported_response_type", oauth: "configuration", retry: "never", customerAction: false },
  {
    source: "oauth",
    code: "login_required",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    remedy: RECONNECT,
  },
  {
    source: "oauth",
    code: "consent_required",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    remedy: RECONNECT,
  },
  // ---- OAuth: token endpoint (reference §1.2, §4.4)
  {
    source: "oauth",
    code: "invalid_client_id",
    oauth: "configuration",
    retry: "never",
    customerAction: false,
    remedy:
      "Salesforce does not know this consumer key: check the app's client id, and that the app exists in (or is available to) this org.",
  },
  {
    source: "oauth",
    code: "invalid_client",
    oauth: "configuration",
    retry: "never",
    customerAction: false,
    remedy: "The consumer secret is wrong: copy it again from the app in Salesforce.",
  },
  {
    source: "oauth",
    code: "invalid_grant",
    messageIncludes: "expired access/refresh token",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    checklistItem: "refresh-token-policy",
    remedy: `The refresh token was revoked or expired: the app's refresh-token policy (expire immediately, after idle time or a lifetime), an admin revoked access, more than five connections of this user to the app, or the 'refresh_token' scope is missing. ${RECONNECT}`,
  },
  {
    source: "oauth",
    code: "invalid_grant",
    messageIncludes: "user hasn't approved this consumer",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    checklistItem: "permitted-users",
    remedy:
      "The user never approved the app: pre-authorize their profile or permission set on the app, or have them connect once through the browser.",
  },
  {
    source: "oauth",
    code: "invalid_grant",
    messageIncludes: "IP restricted",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    checklistItem: "ip-relaxation",
    remedy:
      "Salesforce refused the login from this IP address or at this hour: relax IP restrictions in the app's policies, or adjust the profile's login IP ranges and hours.",
  },
  {
    source: "oauth",
    code: "invalid_grant",
    messageIncludes: "audience is invalid",
    oauth: "configuration",
    retry: "never",
    customerAction: false,
    remedy:
      "The JWT's audience must be the login host of the org's environment (login.salesforce.com or test.salesforce.com).",
  },
  {
    source: "oauth",
    code: "invalid_grant",
    messageIncludes: "request not supported on this domain",
    oauth: "configuration",
    retry: "never",
    customerAction: false,
    checklistItem: "client-credentials-user",
    remedy: "The client-credentials flow works only on the org's My Domain, not on login or test.salesforce.com.",
  },
  {
    source: "oauth",
    code: "invalid_grant",
    messageIncludes: "no client credentials user enabled",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    checklistItem: "client-credentials-user",
    remedy:
      "The app has no Run As user for the client-credentials flow: set one in the app's policies (an API Only user).",
  },
  {
    source: "oauth",
    code: "invalid_grant",
    messageIncludes: "refresh_token scope was not granted",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    checklistItem: "oauth-scopes",
    remedy: `The connection has no refresh token: the app's scopes (or the scopes requested) lack 'refresh_token'/'offline_access'. Add the scope, then ${RECONNECT.toLowerCase()}`,
  },
  {
    source: "oauth",
    code: "invalid_grant",
    messageIncludes: "invalid code verifier",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    remedy: "The PKCE verifier did not match this sign-in: start the connection again.",
  },
  {
    source: "oauth",
    code: "invalid_grant",
    messageIncludes: "authorization code",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    remedy: "The sign-in code was used already or expired (codes last about 15 minutes): start the connection again.",
  },
  {
    source: "oauth",
    code: "invalid_grant",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    remedy: RECONNECT,
  },
  {
    source: "oauth",
    code: "invalid_app_access",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    checklistItem: "permitted-users",
    remedy:
      "The app admits only admin-approved users: an admin adds the user's profile or a permission set of theirs to the app's policies.",
  },
  {
    source: "oauth",
    code: "unsupported_grant_type",
    oauth: "configuration",
    retry: "never",
    customerAction: false,
    remedy:
      "This OAuth flow is not enabled for the app (e.g. client credentials or JWT bearer): enable it in the app's settings.",
  },
  {
    source: "oauth",
    code: "redirect_uri_mismatch",
    oauth: "configuration",
    retry: "never",
    customerAction: false,
    remedy:
      "The callback URL must be registered exactly in the app's OAuth settings, and be the same at authorize and token exchange.",
  },
  { source: "oauth", code: "invalid_request", oauth: "configuration", retry: "never", customerAction: false },
  {
    source: "oauth",
    code: "invalid_scope",
    oauth: "configuration",
    retry: "never",
    customerAction: false,
    checklistItem: "oauth-scopes",
    remedy: "The app does not allow a requested scope: add it to the app's selected OAuth scopes.",
  },
  {
    source: "oauth",
    code: "inactive_user",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    checklistItem: "user-active",
    remedy: "The connected user is inactive or frozen: reactivate them, or connect as another user.",
  },
  {
    source: "oauth",
    code: "inactive_org",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    remedy: "The org is locked, suspended or expired.",
  },
  { source: "oauth", code: "rate_limit_exceeded", oauth: "transient", retry: "backoff", customerAction: false },
  // ---- OAuth: revoke (reference §1.5)
  { source: "oauth", code: "invalid_token", oauth: "configuration", retry: "never", customerAction: false },
  { source: "oauth", code: "unsupported_token_type", oauth: "configuration", retry: "never", customerAction: false },
  // ---- Identity URL and userinfo: 403 with one word of plain text (reference §1.6)
  { source: "oauth", code: "Bad_OAuth_Token", oauth: "transient", retry: "refresh-then-retry", customerAction: false },
  { source: "oauth", code: "Missing_OAuth_Token", oauth: "configuration", retry: "never", customerAction: false },
  { source: "oauth", code: "Bad_Id", oauth: "configuration", retry: "never", customerAction: false },
  // Our own names for failures that never reached Salesforce's answer.
  { source: "oauth", code: "network_error", oauth: "transient", retry: "backoff", customerAction: false },
  { source: "oauth", code: "timeout", oauth: "transient", retry: "backoff", customerAction: false },
  { source: "oauth", code: "server_error", oauth: "transient", retry: "backoff", customerAction: false },
  { source: "oauth", code: "temporarily_unavailable", oauth: "transient", retry: "backoff", customerAction: false },
  /** A 200 without the fields every token answer has: a proxy or a page in the way. */
  { source: "oauth", code: "invalid_response", oauth: "transient", retry: "backoff", customerAction: false },
  /** The callback's state is not the one this sign-in started with: a stale tab or forged request. */
  {
    source: "oauth",
    code: "state_mismatch",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    remedy: "Start the connection again from the same browser.",
  },
];

/** What to do with a status Salesforce answered with an errorCode the table does not know. */
export function outcomeForStatus(source: "rest" | "oauth", status: number): ErrorOutcome {
  if (status === 401 && source === "rest") return { retry: "refresh-then-retry", customerAction: false };
  if (status >= 500 || status === 429 || status === 0)
    return { retry: "backoff", customerAction: false, oauth: "transient" };
  return { retry: "never", customerAction: false, oauth: "configuration" };
}

/**
 * The most specific row for an answer: a row naming the message text beats one naming the
 * status, which beats one naming the code alone. Unknown codes fall back on the status.
 */
export function lookupError(source: "rest" | "oauth", code: string, status: number, message = ""): ErrorOutcome {
  const text = message.toLowerCase();
  let best: ErrorRule | undefined;
  let bestScore = -1;
  for (const rule of ERROR_TABLE) {
    if (rule.source !== source || rule.code !== code) continue;
    if (rule.status !== undefined && rule.status !== status && source === "rest") continue;
    if (rule.messageIncludes !== undefined && !text.includes(rule.messageIncludes.toLowerCase())) continue;
    const score = (rule.messageIncludes ? 2 : 0) + (rule.status !== undefined ? 1 : 0);
    if (score > bestScore) {
      best = rule;
      bestScore = score;
    }
  }
  if (!best) return outcomeForStatus(source, status);
  const { source: _s, code: _c, status: _st, messageIncludes: _m, ...outcome } = best;
  return outcome;
}
