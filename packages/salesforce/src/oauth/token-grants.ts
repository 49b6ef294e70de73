import type { KeyObject } from "node:crypto";
import { signJwtAssertion } from "./jwt-assertion.ts";
import { jsonOrFailure, type OAuthCallOptions, oauthCall, oauthEndpoint } from "./oauth-transport.ts";
import { parseTokenResponse, type TokenSet } from "./token-set.ts";

/** The builder's app as the token endpoint knows it. Client auth goes in form fields. */
export interface OAuthClient {
  clientId: string;
  /** Optional where the app allows it (PKCE without secret, refresh without secret). */
  clientSecret?: string;
}

const TOKEN_PATH = "/services/oauth2/token";
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

async function tokenCall(
  baseUrl: string,
  form: Record<string, string | undefined>,
  options?: OAuthCallOptions,
): Promise<TokenSet> {
  const answer = await oauthCall("POST", oauthEndpoint(baseUrl, TOKEN_PATH), { form }, options);
  return parseTokenResponse(jsonOrFailure(answer));
}

export interface ExchangeCodeInput extends OAuthClient {
  /** The host the authorize URL was on: the code is redeemed there. */
  loginUrl: string;
  code: string;
  redirectUri: string;
  /** Absent only for apps that do not use PKCE. */
  codeVerifier?: string;
}

/** Web-server flow, second half: the callback's code (and the PKCE verifier) for tokens. */
export function exchangeCode(input: ExchangeCodeInput, options?: OAuthCallOptions): Promise<TokenSet> {
  return tokenCall(
    input.loginUrl,
    {
      grant_type: "authorization_code",
      code: input.code,
      redirect_uri: input.redirectUri,
      code_verifier: input.codeVerifier,
      client_id: input.clientId,
      client_secret: input.clientSecret,
    },
    options,
  );
}

export interface RefreshInput extends OAuthClient {
  /** A login host or the org's My Domain: both redeem refresh tokens. */
  baseUrl: string;
  refreshToken: string;
}

/** A new access token for a refresh token. The answer carries a refresh token only when the app rotates them. */
export function refreshAccessToken(input: RefreshInput, options?: OAuthCallOptions): Promise<TokenSet> {
  return tokenCall(
    input.baseUrl,
    {
      grant_type: "refresh_token",
      refresh_token: input.refreshToken,
      client_id: input.clientId,
      client_secret: input.clientSecret,
    },
    options,
  );
}

export interface ClientCredentialsInput {
  /** The org's My Domain URL: Salesforce refuses this grant on login and test hosts. */
  myDomainUrl: string;
  clientId: string;
  clientSecret: string;
}

/** Client-credentials flow: a token for the app's Run As user. No refresh token. */
export function clientCredentialsToken(input: ClientCredentialsInput, options?: OAuthCallOptions): Promise<TokenSet> {
  return tokenCall(
    input.myDomainUrl,
    { grant_type: "client_credentials", client_id: input.clientId, client_secret: input.clientSecret },
    options,
  );
}

export interface JwtBearerInput {
  /** The environment's login URL: the assertion's audience, and where it is posted unless `tokenBaseUrl` says otherwise. */
  loginUrl: string;
  /** Post the assertion elsewhere (the org's My Domain) while keeping the login URL as audience. */
  tokenBaseUrl?: string;
  clientId: string;
  username: string;
  privateKey: string | KeyObject;
  passphrase?: string;
  /** Epoch ms; defaults to the system clock. */
  now?: number;
  lifetimeSeconds?: number;
}

/** JWT bearer flow: a token for a user who approved the app before (or is pre-authorized). */
export async function jwtBearerToken(input: JwtBearerInput, options?: OAuthCallOptions): Promise<TokenSet> {
  const assertion = await signJwtAssertion({
    clientId: input.clientId,
    username: input.username,
    audience: new URL(input.loginUrl).origin,
    privateKey: input.privateKey,
    passphrase: input.passphrase,
    now: input.now ?? Date.now(),
    lifetimeSeconds: input.lifetimeSeconds,
  });
  return tokenCall(input.tokenBaseUrl ?? input.loginUrl, { grant_type: JWT_BEARER, assertion }, options);
}
