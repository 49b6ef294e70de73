import type { ConnectedApp } from "../org/connected-app.ts";
import type { CallbackMode } from "./callback-url.ts";
import { type AuthorizeError, authorizeErrors } from "./oauth-errors.ts";
import type { PendingAuthorization } from "./pending-authorizations.ts";
import { pkceMethod } from "./pkce.ts";
import { effectiveScopes, parseScopes } from "./scopes.ts";

export type AuthorizeRequestFields = Omit<PendingAuthorization, "id" | "createdAt" | "userId" | "role">;

export type ParsedAuthorize =
  | { kind: "ok"; request: AuthorizeRequestFields }
  /** Shown on Salesforce's error page: the callback cannot be trusted yet. */
  | { kind: "error-page"; error: AuthorizeError }
  /** Sent back to the (verified) callback. */
  | { kind: "redirect"; redirectUri: string; mode: CallbackMode; error: AuthorizeError; state: string | null };

/**
 * Validates an authorize request in Salesforce's order: the client and its callback first (errors
 * shown on Salesforce's page), then what the callback may hear about (response type, scope, PKCE).
 */
export function parseAuthorizeRequest(query: URLSearchParams, app: ConnectedApp | undefined): ParsedAuthorize {
  if (!app) return { kind: "error-page", error: authorizeErrors.unknownClient };
  const redirectUri = query.get("redirect_uri") ?? "";
  if (!app.callbackUrls.includes(redirectUri))
    return { kind: "error-page", error: authorizeErrors.redirectUriMismatch };
  const state = query.get("state");
  const responseType = query.get("response_type");
  if (responseType !== "code" && responseType !== "token") {
    return { kind: "redirect", redirectUri, mode: "query", error: authorizeErrors.unsupportedResponseType, state };
  }
  const mode: CallbackMode = responseType === "token" ? "fragment" : "query";
  const scopes = effectiveScopes(parseScopes(query.get("scope")), app.scopes);
  if (!scopes) return { kind: "redirect", redirectUri, mode, error: authorizeErrors.invalidScope, state };
  const challengeValue = query.get("code_challenge");
  const method = pkceMethod(query.get("code_challenge_method"));
  if (challengeValue && !method) {
    return { kind: "redirect", redirectUri, mode, error: authorizeErrors.unsupportedChallengeMethod, state };
  }
  return {
    kind: "ok",
    request: {
      appId: app.id,
      responseType,
      redirectUri,
      scopes,
      state,
      nonce: query.get("nonce"),
      loginHint: query.get("login_hint"),
      prompts: new Set(parseScopes(query.get("prompt"))),
      challenge: challengeValue && method ? { value: challengeValue, method } : null,
    },
  };
}
