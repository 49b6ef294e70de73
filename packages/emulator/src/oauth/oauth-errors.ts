import { OAuthError } from "../http/errors.ts";

/**
 * The token endpoint's errors, with the exact texts Salesforce sends (reference §1.2). Clients
 * match on these strings (simple-salesforce on "user hasn't approved this consumer"), so they
 * live in one place.
 */
export const tokenErrors = {
  unknownClient: () => new OAuthError(400, "invalid_client_id", "client identifier invalid"),
  badClientCredentials: () => new OAuthError(400, "invalid_client", "invalid client credentials"),
  authenticationFailure: () => new OAuthError(400, "invalid_grant", "authentication failure"),
  expiredRefreshToken: () => new OAuthError(400, "invalid_grant", "expired access/refresh token"),
  invalidCode: () => new OAuthError(400, "invalid_grant", "invalid authorization code"),
  expiredCode: () => new OAuthError(400, "invalid_grant", "expired authorization code"),
  invalidCodeVerifier: () => new OAuthError(400, "invalid_grant", "invalid code verifier"),
  notApproved: () => new OAuthError(400, "invalid_grant", "user hasn't approved this consumer"),
  invalidAudience: () => new OAuthError(400, "invalid_grant", "audience is invalid"),
  /** Not in the reference's table: the text Salesforce gives for an assertion it cannot verify. */
  invalidAssertion: () => new OAuthError(400, "invalid_grant", "invalid assertion"),
  wrongDomain: () => new OAuthError(400, "invalid_grant", "request not supported on this domain"),
  noClientCredentialsUser: () => new OAuthError(400, "invalid_grant", "no client credentials user enabled"),
  ipRestricted: (description: string) => new OAuthError(400, "invalid_grant", description),
  notAdminApproved: () => new OAuthError(400, "invalid_app_access", "user is not admin approved to access this app"),
  unsupportedGrantType: () => new OAuthError(400, "unsupported_grant_type", "grant type not supported"),
  redirectUriMismatch: () => new OAuthError(400, "redirect_uri_mismatch", "redirect_uri must match configuration"),
  inactiveUser: () => new OAuthError(400, "inactive_user", "user is inactive"),
};

/** An error the authorize endpoint reports, on its error page or on the callback. */
export interface AuthorizeError {
  error: string;
  description: string;
}

export const authorizeErrors = {
  unknownClient: { error: "invalid_client_id", description: "client identifier invalid" },
  redirectUriMismatch: { error: "redirect_uri_mismatch", description: "redirect_uri must match configuration" },
  accessDenied: { error: "access_denied", description: "end-user denied authorization" },
  unsupportedResponseType: { error: "unsupported_response_type", description: "response type not supported" },
  unsupportedChallengeMethod: { error: "invalid_request", description: "unsupported code_challenge_method" },
  invalidScope: { error: "invalid_scope", description: "the requested scope is not allowed" },
  notInstalled: { error: "invalid_client", description: "app must be installed into org" },
  notAdminApproved: { error: "OAUTH_APP_ACCESS_DENIED", description: "user is not admin approved to access this app" },
  loginRequired: { error: "login_required", description: "user must log in" },
  consentRequired: { error: "consent_required", description: "user must approve the app" },
} satisfies Record<string, AuthorizeError>;

/** The login page's message for any credential failure; Salesforce never says which part was wrong. */
export const LOGIN_FAILED_MESSAGE =
  "Please check your username and password. If you still can't log in, contact your Salesforce administrator.";

/** Revoke answers form-encoded errors, which jsforce parses as such. */
export const revokeInvalidToken = () => new OAuthError(400, "invalid_token", "invalid token", "form");
