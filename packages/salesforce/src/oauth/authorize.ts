import { randomBytes, timingSafeEqual } from "node:crypto";
import { OAuthFailure } from "./oauth-failure.ts";
import { oauthEndpoint } from "./oauth-transport.ts";

export type AuthorizePrompt = "login" | "consent" | "select_account" | "none";

export interface AuthorizeUrlInput {
  /** The login host of the environment, or the org's My Domain URL. */
  loginUrl: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  /** Opaque, unguessable, bound to the browser session that starts the flow. */
  state: string;
  /** S256 challenge of the PKCE verifier. */
  codeChallenge: string;
  prompt?: AuthorizePrompt | AuthorizePrompt[];
  loginHint?: string;
  display?: "page" | "popup" | "touch" | "mobile";
  nonce?: string;
}

/** The URL the customer's browser opens to sign in and approve the app (web-server flow). */
export function authorizeUrl(input: AuthorizeUrlInput): string {
  const url = new URL(oauthEndpoint(input.loginUrl, "/services/oauth2/authorize"));
  const params = url.searchParams;
  params.set("response_type", "code");
  params.set("client_id", input.clientId);
  params.set("redirect_uri", input.redirectUri);
  if (input.scopes.length > 0) params.set("scope", input.scopes.join(" "));
  params.set("state", input.state);
  params.set("code_challenge", input.codeChallenge);
  params.set("code_challenge_method", "S256");
  if (input.prompt !== undefined) params.set("prompt", [input.prompt].flat().join(" "));
  if (input.loginHint) params.set("login_hint", input.loginHint);
  if (input.display) params.set("display", input.display);
  if (input.nonce) params.set("nonce", input.nonce);
  return url.toString();
}

/** A fresh `state` for one authorize round trip. */
export function createOAuthState(): string {
  return randomBytes(32).toString("base64url");
}

export type AuthorizeCallback = { ok: true; code: string } | { ok: false; failure: OAuthFailure };

/**
 * Reads the callback Salesforce redirected the browser to: the code when the state matches,
 * otherwise the typed failure (the user denied, or the state is not the one we sent).
 */
export function parseAuthorizeCallback(
  callback: string | URL | URLSearchParams,
  expectedState: string,
): AuthorizeCallback {
  const params =
    callback instanceof URLSearchParams
      ? callback
      : new URL(typeof callback === "string" ? callback : callback.toString()).searchParams;
  const state = params.get("state") ?? "";
  const error = params.get("error");
  if (error) {
    const failure = new OAuthFailure(error, params.get("error_description") ?? "", 0);
    // An error still has to be ours to report; otherwise it is someone else's redirect.
    return { ok: false, failure: sameText(state, expectedState) ? failure : stateMismatch() };
  }
  if (!sameText(state, expectedState)) return { ok: false, failure: stateMismatch() };
  const code = params.get("code");
  if (!code) return { ok: false, failure: new OAuthFailure("invalid_request", "the callback carries no code", 0) };
  return { ok: true, code };
}

function stateMismatch(): OAuthFailure {
  return new OAuthFailure("state_mismatch", "the callback's state is not the one this sign-in started with", 0);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
