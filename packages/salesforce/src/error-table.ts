/**
 * The one table from what Salesforce answers to what Forcelink does about it. REST rows key on
 * `(errorCode, HTTP status)`; OAuth rows on `(error, error_description)` from the token,
 * authorize, revoke and identity endpoints; Bulk rows on how a query job ended; transport rows on
 * how a request got no answer. Every typed error (SalesforceApiError, OAuthFailure, the Bulk
 * errors, TransportFailure) is classified here and carries the row's `reason` id, so a decision
 * about an error, and the only reading of Salesforce's message text, is made in one place.
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

/**
 * Where a failure came from: a REST answer (`errorCode`), an OAuth answer (`error` and its
 * description), a Bulk query job that ended without results, a request that got no answer, or a
 * Pub/Sub API call (gRPC) that ended with a status (`error-code` trailer, else the status name).
 */
export type ErrorSource = "rest" | "oauth" | "bulk" | "transport" | "pubsub";

export interface ErrorOutcome {
  /**
   * Stable id of the cause, `<source>.<cause>` in snake case (`rest.field_hidden`,
   * `oauth.app_not_installed`). Ids never change meaning; the server keys its customer-facing
   * explanations on them, so nothing after this table reads Salesforce's message text again.
   */
  reason: string;
  retry: RetryAdvice;
  /** Whether the customer (their org, their admin, their user) has to do something. */
  customerAction: boolean;
  checklistItem?: ChecklistItemId;
  /** What to do about it, for the builder (reference §4.4). */
  remedy?: string;
  /** Salesforce refused before changing anything, so even a create may be sent again. */
  nothingWritten?: boolean;
  /** OAuth rows: who must act. */
  oauth?: OAuthFailureKind;
}

/** One more answer a row stands for: the same cause, met at another endpoint or in other words. */
export interface ErrorMatch {
  code: string;
  status?: number;
  /** Narrows the match to answers whose message contains this text (case-insensitive). */
  messageIncludes?: string;
}

/** What every typed error of this library carries: its row of the table. */
export interface ClassifiedFailure {
  readonly reason: string;
  readonly retry: RetryAdvice;
  readonly customerAction: boolean;
  readonly checklistItem?: ChecklistItemId;
  readonly remedy?: string;
}

export interface ErrorRule extends ErrorOutcome, ErrorMatch {
  source: ErrorSource;
  alsoMatches?: readonly ErrorMatch[];
}

const RECONNECT = "Ask the customer to connect their Salesforce org again.";

export const ERROR_TABLE: readonly ErrorRule[] = [
  // ---- REST: authentication and access (reference §2.9, §4.4)
  {
    reason: "rest.api_scope_missing",
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
    reason: "rest.app_not_attached_to_agent",
    source: "rest",
    code: "INVALID_SESSION_ID",
    status: 401,
    messageIncludes: "not attached to Agent",
    retry: "never",
    customerAction: false,
    remedy: "The connected app is not attached to the agent this endpoint serves.",
  },
  {
    reason: "rest.session_expired",
    source: "rest",
    code: "INVALID_SESSION_ID",
    status: 401,
    retry: "refresh-then-retry",
    customerAction: false,
  },
  {
    reason: "rest.auth_header_malformed",
    source: "rest",
    code: "INVALID_AUTH_HEADER",
    status: 401,
    retry: "never",
    customerAction: false,
    remedy: "The Authorization header was malformed; this is a bug in the caller.",
  },
  {
    reason: "rest.edition_without_api",
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
    reason: "rest.api_permission_missing",
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
    reason: "rest.too_many_long_requests",
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
    reason: "rest.daily_quota_exhausted",
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
    reason: "rest.permission_missing",
    source: "rest",
    code: "INSUFFICIENT_ACCESS",
    status: 403,
    retry: "never",
    customerAction: true,
    remedy: "The connected user lacks a permission this call needs (for /limits: View Setup and Configuration).",
  },
  {
    reason: "rest.high_assurance_required",
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
    reason: "rest.password_expired",
    source: "rest",
    code: "INVALID_OPERATION_WITH_EXPIRED_PASSWORD",
    retry: "never",
    customerAction: true,
    remedy: "The connected user's password has expired: they must sign in to Salesforce and set a new one.",
  },
  // ---- REST: query (reference §2.3)
  {
    reason: "rest.field_hidden",
    source: "rest",
    code: "INVALID_FIELD",
    status: 400,
    retry: "never",
    customerAction: true,
    checklistItem: "field-level-security",
    remedy:
      "Salesforce hides fields the user cannot read. Grant field-level security: Setup → Object Manager → (object) → Fields → (field) → Set Field-Level Security.",
  },
  {
    reason: "rest.query_malformed",
    source: "rest",
    code: "MALFORMED_QUERY",
    status: 400,
    retry: "never",
    customerAction: false,
  },
  {
    reason: "rest.object_hidden",
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
    reason: "rest.query_cursor_expired",
    source: "rest",
    code: "INVALID_QUERY_LOCATOR",
    status: 400,
    retry: "never",
    customerAction: false,
    remedy:
      "The query cursor expired (about 15 minutes idle) or too many are open; run the query again from the last checkpoint.",
  },
  {
    reason: "rest.query_timeout",
    source: "rest",
    code: "QUERY_TIMEOUT",
    status: 400,
    retry: "never",
    customerAction: false,
    remedy:
      "The query ran longer than Salesforce allows; narrow it (a smaller time window, selective filters) and run it again.",
  },
  {
    reason: "rest.id_limit_exceeded",
    source: "rest",
    code: "EXCEEDED_ID_LIMIT",
    status: 400,
    retry: "never",
    customerAction: false,
    remedy: "Ask for a shorter time range.",
  },
  {
    reason: "rest.json_malformed",
    source: "rest",
    code: "JSON_PARSER_ERROR",
    status: 400,
    retry: "never",
    customerAction: false,
  },
  {
    reason: "rest.id_malformed",
    source: "rest",
    code: "MALFORMED_ID",
    status: 400,
    retry: "never",
    customerAction: false,
  },
  // ---- REST: DML (reference §2.9)
  {
    reason: "rest.required_field_missing",
    source: "rest",
    code: "REQUIRED_FIELD_MISSING",
    status: 400,
    retry: "never",
    customerAction: false,
  },
  {
    reason: "rest.field_read_only",
    source: "rest",
    code: "INVALID_FIELD_FOR_INSERT_UPDATE",
    status: 400,
    retry: "never",
    customerAction: true,
    checklistItem: "field-editable",
    remedy: "The user cannot edit this field: grant Edit in field-level security, or stop writing a read-only field.",
  },
  {
    reason: "rest.validation_rule_failed",
    source: "rest",
    code: "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    status: 400,
    retry: "never",
    customerAction: false,
  },
  {
    reason: "rest.duplicate_value",
    source: "rest",
    code: "DUPLICATE_VALUE",
    status: 400,
    retry: "never",
    customerAction: false,
  },
  {
    reason: "rest.record_change_refused",
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
    reason: "rest.related_record_hidden",
    source: "rest",
    code: "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
    status: 400,
    retry: "never",
    customerAction: true,
    checklistItem: "record-access",
    remedy: "The user cannot see a record this one refers to (owner, parent or lookup).",
  },
  {
    reason: "rest.picklist_value_invalid",
    source: "rest",
    code: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    status: 400,
    retry: "never",
    customerAction: false,
  },
  {
    reason: "rest.value_too_long",
    source: "rest",
    code: "STRING_TOO_LONG",
    status: 400,
    retry: "never",
    customerAction: false,
  },
  {
    reason: "rest.parent_not_found",
    source: "rest",
    code: "INVALID_FIELD",
    status: 400,
    messageIncludes: "Foreign key external ID",
    retry: "never",
    customerAction: false,
    remedy:
      "No parent record (or more than one) has that external id: create the parent first, or correct the reference, then send the record again.",
  },
  {
    reason: "rest.cross_reference_invalid",
    source: "rest",
    code: "INVALID_CROSS_REFERENCE_KEY",
    status: 400,
    retry: "never",
    customerAction: false,
    remedy: "A lookup names a record that does not exist or is of another type; correct the id.",
  },
  {
    reason: "rest.argument_missing",
    source: "rest",
    code: "MISSING_ARGUMENT",
    status: 400,
    retry: "never",
    customerAction: false,
    remedy: "The record lacks what the operation needs: an Id for update and delete, the external id for upsert.",
  },
  {
    reason: "rest.external_id_ambiguous",
    source: "rest",
    code: "DUPLICATE_EXTERNAL_ID",
    status: 400,
    retry: "never",
    customerAction: false,
    remedy: "More than one record has this external id value: make the values unique in the org, then upsert again.",
  },
  {
    reason: "rest.rolled_back_with_others",
    source: "rest",
    code: "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    alsoMatches: [{ code: "PROCESSING_HALTED" }],
    retry: "never",
    customerAction: false,
    nothingWritten: true,
    remedy:
      "Nothing was wrong with this record: another record of the same all-or-none call failed, so all were rolled back. Fix that record and send them together again.",
  },
  {
    reason: "rest.row_locked",
    source: "rest",
    code: "UNABLE_TO_LOCK_ROW",
    retry: "backoff",
    customerAction: false,
    nothingWritten: true,
    remedy: "Another transaction held a lock on the record; the change was rolled back and can be sent again.",
  },
  {
    reason: "rest.storage_full",
    source: "rest",
    code: "STORAGE_LIMIT_EXCEEDED",
    retry: "never",
    customerAction: true,
    remedy: "The org's data storage is full: Setup → Storage Usage.",
  },
  {
    reason: "rest.not_found",
    source: "rest",
    code: "NOT_FOUND",
    status: 404,
    alsoMatches: [{ code: "NOT_FOUND", status: 400 }],
    retry: "never",
    customerAction: false,
  },
  {
    reason: "rest.record_deleted",
    source: "rest",
    code: "ENTITY_IS_DELETED",
    status: 404,
    // A record of an sObject Collections call or a Bulk job has no status of its own.
    alsoMatches: [{ code: "ENTITY_IS_DELETED", status: 400 }],
    retry: "never",
    customerAction: false,
  },
  {
    reason: "rest.method_not_allowed",
    source: "rest",
    code: "METHOD_NOT_ALLOWED",
    status: 405,
    retry: "never",
    customerAction: false,
  },
  { reason: "rest.conflict", source: "rest", code: "CONFLICT", status: 409, retry: "never", customerAction: false },
  {
    reason: "rest.precondition_failed",
    source: "rest",
    code: "PRECONDITION_FAILED",
    status: 412,
    retry: "never",
    customerAction: false,
  },
  {
    reason: "rest.precondition_required",
    source: "rest",
    code: "PRECONDITION_REQUIRED",
    status: 428,
    retry: "never",
    customerAction: false,
  },
  {
    reason: "rest.salesforce_internal_error",
    source: "rest",
    code: "UNKNOWN_EXCEPTION",
    status: 500,
    retry: "backoff",
    customerAction: false,
  },
  {
    reason: "rest.server_unavailable",
    source: "rest",
    code: "SERVER_UNAVAILABLE",
    status: 503,
    retry: "backoff",
    customerAction: false,
  },

  // ---- OAuth: authorize page and callback (reference §1.1, §4.4)
  {
    reason: "oauth.app_not_installed",
    source: "oauth",
    code: "OAUTH_APPROVAL_ERROR_GENERIC",
    alsoMatches: [{ code: "invalid_client", messageIncludes: "app must be installed into org" }],
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    checklistItem: "app-installed-or-approve-uninstalled",
    remedy:
      "The app is not installed in the org and the user lacks Approve Uninstalled Connected Apps. An admin installs the app, or assigns that permission to the user.",
  },
  {
    reason: "oauth.user_not_admin_approved",
    source: "oauth",
    code: "OAUTH_APP_ACCESS_DENIED",
    alsoMatches: [{ code: "invalid_app_access" }, { code: "invalid_grant", messageIncludes: "not admin approved" }],
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    checklistItem: "permitted-users",
    remedy:
      "The app admits only admin-approved users: an admin adds the user's profile or a permission set of theirs to the app's policies.",
  },
  {
    reason: "oauth.access_denied",
    source: "oauth",
    code: "access_denied",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    remedy: "The user clicked Deny. They can connect again and choose Allow.",
  },
  {
    reason: "oauth.response_type_unsupported",
    source: "oauth",
    code: "unsupported_response_type",
    oauth: "configuration",
    retry: "never",
    customerAction: false,
  },
  {
    reason: "oauth.login_required",
    source: "oauth",
    code: "login_required",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    remedy: RECONNECT,
  },
  {
    reason: "oauth.consent_required",
    source: "oauth",
    code: "consent_required",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    remedy: RECONNECT,
  },
  // ---- OAuth: token endpoint (reference §1.2, §4.4)
  {
    reason: "oauth.consumer_key_unknown",
    source: "oauth",
    code: "invalid_client_id",
    oauth: "configuration",
    retry: "never",
    customerAction: false,
    remedy:
      "Salesforce does not know this consumer key. Likely causes, most likely first: the client id is wrong (copy the app's consumer key again); the app is new and not active yet (Salesforce takes a few minutes, up to 10, to make a new app's key usable); or the password of the Salesforce user who owns the app contains special characters, which field reports tie to this error: give that user a password of letters and digits only, then try again.",
  },
  {
    reason: "oauth.consumer_secret_wrong",
    source: "oauth",
    code: "invalid_client",
    oauth: "configuration",
    retry: "never",
    customerAction: false,
    remedy: "The consumer secret is wrong: copy it again from the app in Salesforce.",
  },
  {
    reason: "oauth.refresh_token_expired",
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
    reason: "oauth.user_not_approved",
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
    reason: "oauth.ip_restricted",
    source: "oauth",
    code: "invalid_grant",
    messageIncludes: "IP restricted",
    alsoMatches: [{ code: "invalid_grant", messageIncludes: "login hours" }],
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    checklistItem: "ip-relaxation",
    remedy:
      "Salesforce refused the login from this IP address or at this hour: relax IP restrictions in the app's policies, or adjust the profile's login IP ranges and hours.",
  },
  {
    reason: "oauth.jwt_audience_invalid",
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
    reason: "oauth.client_credentials_wrong_domain",
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
    reason: "oauth.client_credentials_user_missing",
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
    reason: "oauth.refresh_scope_missing",
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
    reason: "oauth.code_verifier_invalid",
    source: "oauth",
    code: "invalid_grant",
    messageIncludes: "invalid code verifier",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    remedy: "The PKCE verifier did not match this sign-in: start the connection again.",
  },
  {
    reason: "oauth.code_invalid",
    source: "oauth",
    code: "invalid_grant",
    messageIncludes: "authorization code",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    remedy: "The sign-in code was used already or expired (codes last about 15 minutes): start the connection again.",
  },
  {
    reason: "oauth.grant_refused",
    source: "oauth",
    code: "invalid_grant",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    remedy: RECONNECT,
  },
  {
    reason: "oauth.flow_not_enabled",
    source: "oauth",
    code: "unsupported_grant_type",
    oauth: "configuration",
    retry: "never",
    customerAction: false,
    remedy:
      "This OAuth flow is not enabled for the app (e.g. client credentials or JWT bearer): enable it in the app's settings.",
  },
  {
    reason: "oauth.redirect_uri_mismatch",
    source: "oauth",
    code: "redirect_uri_mismatch",
    oauth: "configuration",
    retry: "never",
    customerAction: false,
    remedy:
      "The callback URL must be registered exactly in the app's OAuth settings, and be the same at authorize and token exchange.",
  },
  {
    reason: "oauth.request_invalid",
    source: "oauth",
    code: "invalid_request",
    oauth: "configuration",
    retry: "never",
    customerAction: false,
  },
  {
    reason: "oauth.scope_not_allowed",
    source: "oauth",
    code: "invalid_scope",
    oauth: "configuration",
    retry: "never",
    customerAction: false,
    checklistItem: "oauth-scopes",
    remedy: "The app does not allow a requested scope: add it to the app's selected OAuth scopes.",
  },
  {
    reason: "oauth.user_inactive",
    source: "oauth",
    code: "inactive_user",
    alsoMatches: [
      { code: "invalid_grant", messageIncludes: "inactive" },
      { code: "invalid_grant", messageIncludes: "frozen" },
    ],
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    checklistItem: "user-active",
    remedy: "The connected user is inactive or frozen: reactivate them, or connect as another user.",
  },
  {
    reason: "oauth.org_inactive",
    source: "oauth",
    code: "inactive_org",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    remedy: "The org is locked, suspended or expired.",
  },
  {
    reason: "oauth.rate_limited",
    source: "oauth",
    code: "rate_limit_exceeded",
    oauth: "transient",
    retry: "backoff",
    customerAction: false,
  },
  // ---- OAuth: revoke (reference §1.5)
  {
    reason: "oauth.token_invalid",
    source: "oauth",
    code: "invalid_token",
    oauth: "configuration",
    retry: "never",
    customerAction: false,
  },
  {
    reason: "oauth.token_type_unsupported",
    source: "oauth",
    code: "unsupported_token_type",
    oauth: "configuration",
    retry: "never",
    customerAction: false,
  },
  // ---- Identity URL and userinfo: 403 with one word of plain text (reference §1.6)
  {
    reason: "oauth.identity_token_rejected",
    source: "oauth",
    code: "Bad_OAuth_Token",
    oauth: "transient",
    retry: "refresh-then-retry",
    customerAction: false,
  },
  {
    reason: "oauth.identity_token_missing",
    source: "oauth",
    code: "Missing_OAuth_Token",
    oauth: "configuration",
    retry: "never",
    customerAction: false,
  },
  {
    reason: "oauth.identity_id_invalid",
    source: "oauth",
    code: "Bad_Id",
    oauth: "configuration",
    retry: "never",
    customerAction: false,
  },
  // Our own names for failures that never reached Salesforce's answer.
  {
    reason: "oauth.unreachable",
    source: "oauth",
    code: "network_error",
    oauth: "transient",
    retry: "backoff",
    customerAction: false,
  },
  {
    reason: "oauth.timeout",
    source: "oauth",
    code: "timeout",
    oauth: "transient",
    retry: "backoff",
    customerAction: false,
  },
  {
    reason: "oauth.server_error",
    source: "oauth",
    code: "server_error",
    oauth: "transient",
    retry: "backoff",
    customerAction: false,
  },
  {
    reason: "oauth.temporarily_unavailable",
    source: "oauth",
    code: "temporarily_unavailable",
    oauth: "transient",
    retry: "backoff",
    customerAction: false,
  },
  /** A 200 without the fields every token answer has: a proxy or a page in the way. */
  {
    reason: "oauth.answer_unreadable",
    source: "oauth",
    code: "invalid_response",
    oauth: "transient",
    retry: "backoff",
    customerAction: false,
  },
  /** The callback's state is not the one this sign-in started with: a stale tab or forged request. */
  {
    reason: "oauth.state_mismatch",
    source: "oauth",
    code: "state_mismatch",
    oauth: "terminal",
    retry: "never",
    customerAction: true,
    remedy: "Start the connection again from the same browser.",
  },
  // ---- Bulk API 2.0 query jobs (reference §2.4): a job can end Failed or Aborted, or outlast us.
  {
    reason: "bulk.query_timeout",
    source: "bulk",
    code: "Failed",
    messageIncludes: "timeout",
    alsoMatches: [{ code: "Failed", messageIncludes: "timed out" }],
    retry: "never",
    customerAction: false,
    remedy: "The Bulk query ran longer than Salesforce allows; read a smaller time window.",
  },
  {
    reason: "bulk.field_hidden",
    source: "bulk",
    code: "Failed",
    messageIncludes: "INVALID_FIELD",
    retry: "never",
    customerAction: true,
    checklistItem: "field-level-security",
    remedy:
      "Salesforce hides fields the user cannot read. Grant field-level security: Setup → Object Manager → (object) → Fields → (field) → Set Field-Level Security.",
  },
  {
    reason: "bulk.object_hidden",
    source: "bulk",
    code: "Failed",
    messageIncludes: "INVALID_TYPE",
    retry: "never",
    customerAction: true,
    checklistItem: "object-access",
    remedy:
      "Salesforce hides objects the user cannot read. Grant Read on the object: Setup → Permission Sets → (a set assigned to the user) → Object Settings.",
  },
  {
    reason: "bulk.header_field_refused",
    source: "bulk",
    code: "Failed",
    messageIncludes: "Field name not found",
    retry: "never",
    customerAction: true,
    checklistItem: "field-editable",
    remedy:
      "A column of the upload names a field that does not exist, that the user cannot see, or that the operation cannot write: grant Edit on it in field-level security, or leave the column out.",
  },
  {
    reason: "bulk.upload_malformed",
    source: "bulk",
    code: "Failed",
    messageIncludes: "ClientInputError",
    retry: "never",
    customerAction: false,
    remedy: "Salesforce could not read the uploaded CSV (line endings, quoting); this is a bug in the client.",
  },
  {
    reason: "bulk.job_invalid",
    source: "bulk",
    code: "Failed",
    messageIncludes: "InvalidJob",
    retry: "never",
    customerAction: false,
    remedy: "Salesforce refused the job as defined (object, operation or external id field); correct it.",
  },
  {
    reason: "bulk.job_failed",
    source: "bulk",
    code: "Failed",
    retry: "backoff",
    customerAction: false,
    remedy: "Salesforce failed the Bulk query job, often without saying why; it can be run again.",
  },
  {
    reason: "bulk.job_aborted",
    source: "bulk",
    code: "Aborted",
    retry: "backoff",
    customerAction: false,
    remedy: "Someone (an admin, or a recovery after a crash) aborted the Bulk query job; it can be run again.",
  },
  {
    reason: "bulk.job_still_running",
    source: "bulk",
    code: "timed_out",
    retry: "backoff",
    customerAction: false,
    remedy: "The Bulk query job was still running when the wait ended; Salesforce may be busy. Try again later.",
  },
  {
    reason: "bulk.results_unreadable",
    source: "bulk",
    code: "results_unreadable",
    retry: "backoff",
    customerAction: false,
    remedy: "A results page of the Bulk query could not be trusted (headers or row count wrong); read it again.",
  },
  // ---- Pub/Sub API (gRPC): keyed on the `error-code` trailer Salesforce sends, else the status name.
  {
    reason: "pubsub.session_invalid",
    source: "pubsub",
    code: "sfdc.platform.eventbus.grpc.service.auth.error",
    alsoMatches: [{ code: "UNAUTHENTICATED" }],
    retry: "refresh-then-retry",
    customerAction: false,
    remedy: "The session was refused by the Pub/Sub API: get a new access token and subscribe again.",
  },
  {
    reason: "pubsub.replay_id_invalid",
    source: "pubsub",
    code: "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted",
    alsoMatches: [
      { code: "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.expired" },
      { code: "INVALID_ARGUMENT", messageIncludes: "replay id" },
    ],
    retry: "never",
    customerAction: false,
    remedy:
      "The replay id is malformed or past the 72-hour retention: read the changes since the last confirmed point, then subscribe from LATEST.",
  },
  {
    reason: "pubsub.permission_missing",
    source: "pubsub",
    code: "PERMISSION_DENIED",
    retry: "never",
    customerAction: true,
    checklistItem: "subscription-permissions",
    remedy:
      "The connected user may not subscribe to this channel: grant read access to the object (View All Data for /data/ChangeEvents).",
  },
  {
    reason: "pubsub.topic_not_found",
    source: "pubsub",
    code: "NOT_FOUND",
    messageIncludes: "topic",
    retry: "never",
    customerAction: true,
    checklistItem: "cdc-allocation",
    remedy:
      "The channel does not exist for this org: select the object for Change Data Capture (a PlatformEventChannelMember on ChangeEvents).",
  },
  {
    reason: "pubsub.request_invalid",
    source: "pubsub",
    code: "INVALID_ARGUMENT",
    retry: "never",
    customerAction: false,
    remedy: "The Pub/Sub API refused the request as malformed; this is a bug in the caller.",
  },
  {
    reason: "pubsub.stream_dropped",
    source: "pubsub",
    code: "UNAVAILABLE",
    alsoMatches: [{ code: "INTERNAL" }, { code: "CANCELLED" }, { code: "UNKNOWN" }, { code: "ABORTED" }],
    retry: "backoff",
    customerAction: false,
    remedy: "The Subscribe stream ended (dropped, reset, or the service restarted); reconnect from the last replay id.",
  },
  {
    reason: "pubsub.timeout",
    source: "pubsub",
    code: "DEADLINE_EXCEEDED",
    retry: "backoff",
    customerAction: false,
  },
  {
    reason: "pubsub.rate_limited",
    source: "pubsub",
    code: "RESOURCE_EXHAUSTED",
    retry: "backoff",
    customerAction: false,
    remedy: "The Pub/Sub API is limiting this org's calls or streams; wait and try again.",
  },
  // ---- No answer at all (transport-failure.ts): whether the request may have run decides retries.
  {
    reason: "transport.connect_failed",
    source: "transport",
    code: "connect",
    retry: "backoff",
    customerAction: false,
    remedy: "Salesforce could not be reached (DNS, connection refused or TLS); check the network and try again.",
  },
  {
    reason: "transport.connection_reset",
    source: "transport",
    code: "reset",
    retry: "backoff",
    customerAction: false,
    remedy: "The connection to Salesforce broke mid-request; try again.",
  },
  {
    reason: "transport.timeout",
    source: "transport",
    code: "timeout",
    retry: "backoff",
    customerAction: false,
    remedy: "Salesforce did not answer in time; try again.",
  },
  { reason: "transport.aborted", source: "transport", code: "aborted", retry: "never", customerAction: false },
  {
    reason: "transport.failed",
    source: "transport",
    code: "other",
    retry: "backoff",
    customerAction: false,
    remedy: "The request to Salesforce failed without an answer; try again.",
  },
];

/** What to do with a status Salesforce answered with an errorCode the table does not know. */
export function outcomeForStatus(source: ErrorSource, status: number): ErrorOutcome {
  if (status === 401 && source === "rest")
    return { reason: "rest.unauthorized", retry: "refresh-then-retry", customerAction: false };
  if (status >= 500 || status === 429 || status === 0)
    return {
      reason: `${source}.${status === 429 ? "rate_limited" : "unavailable"}`,
      retry: "backoff",
      customerAction: false,
      oauth: "transient",
    };
  return { reason: `${source}.refused`, retry: "never", customerAction: false, oauth: "configuration" };
}

/**
 * The most specific row for an answer: a row naming the message text beats one naming the
 * status, which beats one naming the code alone. Unknown codes fall back on the status.
 */
export function lookupError(source: ErrorSource, code: string, status: number, message = ""): ErrorOutcome {
  const text = message.toLowerCase();
  let best: ErrorRule | undefined;
  let bestScore = -1;
  for (const rule of ERROR_TABLE) {
    if (rule.source !== source) continue;
    for (const match of [rule, ...(rule.alsoMatches ?? [])]) {
      if (match.code !== code) continue;
      if (match.status !== undefined && match.status !== status && source === "rest") continue;
      if (match.messageIncludes !== undefined && !text.includes(match.messageIncludes.toLowerCase())) continue;
      const score = (match.messageIncludes ? 2 : 0) + (match.status !== undefined ? 1 : 0);
      if (score > bestScore) {
        best = rule;
        bestScore = score;
      }
    }
  }
  if (!best) return outcomeForStatus(source, status);
  const { source: _s, code: _c, status: _st, messageIncludes: _m, alsoMatches: _a, ...outcome } = best;
  return outcome;
}

/** The row behind a reason id, for tests and for the server's catalogue of explanations. */
export function outcomeOfReason(reason: string): ErrorOutcome | undefined {
  const rule = ERROR_TABLE.find((r) => r.reason === reason);
  if (!rule) return undefined;
  const { source: _s, code: _c, status: _st, messageIncludes: _m, alsoMatches: _a, ...outcome } = rule;
  return outcome;
}
