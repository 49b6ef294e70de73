import { type RunningEmulator, startEmulator } from "../../src/emulator.ts";
import type { OrgAdmin } from "../../src/org/admin.ts";
import type { ConnectedApp } from "../../src/org/connected-app.ts";
import type { Org, OrgOptions } from "../../src/org/org.ts";
import { createBaseOrg } from "../../src/seed/base-org.ts";
import type { StoredRecord } from "../../src/store/record-store.ts";
import { buildAuthorizeUrl, callbackParams, completeAuthorize, pkcePair } from "../../src/testing/index.ts";

export const CALLBACK = "http://localhost:1717/OauthRedirect";

export interface OAuthFixture {
  org: Org;
  admin: OrgAdmin;
  emu: RunningEmulator;
  app: ConnectedApp;
  user: StoredRecord;
  username: string;
  password: string;
}

/** A running emulator with one self-authorized app and one Standard User. */
export async function startOAuthOrg(options: OrgOptions = {}): Promise<OAuthFixture> {
  const { org, admin } = createBaseOrg(options);
  const emu = await startEmulator({ org, port: 0 });
  const app = admin.app({
    name: "Sync App",
    clientId: "sync-client-id",
    clientSecret: "sync-client-secret",
    callbackUrls: [CALLBACK],
  });
  const username = "user@example.com";
  const password = "user-password-1";
  const user = admin.user({ username, password, profile: "Standard User", firstName: "Uma", lastName: "User" });
  return { org, admin, emu, app, user, username, password };
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are asserted field by field
  body: any;
}

export async function postForm(
  url: string,
  params: Record<string, string | undefined>,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) form.set(k, v);
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: form.toString(),
    redirect: "manual",
  });
  return read(response);
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  return read(await fetch(url, { headers, redirect: "manual" }));
}

async function read(response: Response): Promise<HttpResult> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, text, body };
}

export function tokenUrl(hostUrl: string): string {
  return `${hostUrl}/services/oauth2/token`;
}

/** Gets a code through the login and approval pages (PKCE on), ready for the token exchange. */
export async function authorizationCode(
  fx: OAuthFixture,
  options: { scope?: string; host?: string; app?: ConnectedApp; username?: string; password?: string } = {},
): Promise<{ code: string; verifier: string }> {
  const app = options.app ?? fx.app;
  const { verifier, challenge } = pkcePair();
  const url = buildAuthorizeUrl(options.host ?? fx.emu.urls.login, {
    response_type: "code",
    client_id: app.clientId,
    redirect_uri: app.callbackUrls[0],
    scope: options.scope ?? "api refresh_token",
    code_challenge: challenge,
  });
  const { location } = await completeAuthorize(url, options.username ?? fx.username, options.password ?? fx.password);
  const code = callbackParams(location).get("code");
  if (!code) throw new Error(`no code in ${location}`);
  return { code, verifier };
}

/** Runs the whole web-server flow and returns the token response. */
export async function webServerTokens(
  fx: OAuthFixture,
  options: { scope?: string; host?: string; app?: ConnectedApp; username?: string; password?: string } = {},
): Promise<Record<string, string>> {
  const app = options.app ?? fx.app;
  const { code, verifier } = await authorizationCode(fx, options);
  const res = await postForm(tokenUrl(options.host ?? fx.emu.urls.login), {
    grant_type: "authorization_code",
    code,
    code_verifier: verifier,
    redirect_uri: app.callbackUrls[0],
    client_id: app.clientId,
    client_secret: app.clientSecret,
  });
  if (res.status !== 200) throw new Error(`token exchange failed: ${res.text}`);
  return res.body;
}
