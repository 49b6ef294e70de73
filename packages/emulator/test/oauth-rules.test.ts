import { describe, expect, it } from "vitest";
import type { HostRole } from "../src/http/context.ts";
import { parseAuthorizeRequest } from "../src/oauth/authorize-request.ts";
import { callbackUrl } from "../src/oauth/callback-url.ts";
import { basicCredentials } from "../src/oauth/client-auth.ts";
import { parseCookies } from "../src/oauth/cookies.ts";
import { errorPageText, errorPageUrl } from "../src/oauth/error-page.ts";
import { acceptedAudiences, assertionExpired, audienceMatches } from "../src/oauth/jwt-assertion.ts";
import { pkceMethod, verifierMatches } from "../src/oauth/pkce.ts";
import { approvalCovers, effectiveScopes, grantsRefreshToken, parseScopes } from "../src/oauth/scopes.ts";
import { appAccess, hostServesOrg, ipAllowed } from "../src/oauth/user-policy.ts";
import { type ConnectedApp, defaultApp } from "../src/org/connected-app.ts";
import type { SystemPermission } from "../src/schema/setup-objects.ts";

function app(patch: Partial<ConnectedApp> = {}): ConnectedApp {
  return defaultApp({
    id: "0H4000000000001AAA",
    name: "A",
    clientId: "cid",
    clientSecret: "sec",
    callbackUrls: ["https://cb.example/x"],
    ...patch,
  });
}

describe("hostServesOrg", () => {
  it.each<[HostRole, boolean, boolean]>([
    ["login", false, true],
    ["test", false, false],
    ["mydomain", false, true],
    ["login", true, false],
    ["test", true, true],
    ["mydomain", true, true],
  ])("%s host, sandbox=%s → %s", (role, isSandbox, expected) => {
    expect(hostServesOrg(role, isSandbox)).toBe(expected);
  });
});

describe("appAccess", () => {
  const user = (system: SystemPermission[], ps: string[] = []) => ({
    system: new Set(system),
    permissionSetIds: new Set(ps),
  });
  it.each<[string, Partial<ConnectedApp>, ReturnType<typeof user>, boolean, string]>([
    ["installed, self-authorize", {}, user([]), false, "ok"],
    ["uninstalled, no permission", { installed: false }, user([]), false, "not_installed"],
    ["uninstalled, Approve Uninstalled", { installed: false }, user(["CanApproveUninstalledApps"]), false, "ok"],
    [
      "uninstalled, Use Any API Client without API Access Control",
      { installed: false },
      user(["UseAnyApiClient"]),
      false,
      "not_installed",
    ],
    [
      "uninstalled, Use Any API Client with API Access Control",
      { installed: false },
      user(["UseAnyApiClient"]),
      true,
      "ok",
    ],
    [
      "admin-approved, not assigned",
      { permittedUsers: "admin_approved", preauthorizedPermissionSetIds: ["0PS1"] },
      user([], ["0PS2"]),
      false,
      "not_admin_approved",
    ],
    [
      "admin-approved, assigned",
      { permittedUsers: "admin_approved", preauthorizedPermissionSetIds: ["0PS1"] },
      user([], ["0PS1"]),
      false,
      "ok",
    ],
    [
      "uninstalled beats admin approval",
      { installed: false, permittedUsers: "admin_approved" },
      user([]),
      false,
      "not_installed",
    ],
  ])("%s", (_name, patch, u, apiAccessControl, expected) => {
    expect(appAccess(app(patch), u, apiAccessControl)).toBe(expected);
  });
});

describe("ipAllowed", () => {
  it.each<[ConnectedApp["ipRelaxation"], boolean, "login" | "refresh", boolean]>([
    ["enforce", true, "login", true],
    ["enforce", false, "login", false],
    ["enforce", false, "refresh", false],
    ["relax_refresh", false, "login", false],
    ["relax_refresh", false, "refresh", true],
    ["relax", false, "login", true],
  ])("%s, trusted=%s, %s → %s", (ipRelaxation, trusted, step, expected) => {
    expect(ipAllowed(app({ ipRelaxation }), trusted, step)).toBe(expected);
  });
});

describe("PKCE", () => {
  const verifier = "a".repeat(171);
  const s256 = "KX5jVFIz6B7l1ZhpfnwLf6KCZcl4MgJKxQvY0brYXCE";
  it.each<[string | null, string | undefined]>([
    [null, "S256"],
    ["", "S256"],
    ["S256", "S256"],
    ["plain", "plain"],
    ["s256", undefined],
    ["RS256", undefined],
  ])("method %j → %j", (text, expected) => {
    expect(pkceMethod(text)).toBe(expected);
  });
  it.each<[string, "S256" | "plain", string, boolean]>([
    ["plain-value", "plain", "plain-value", true],
    ["plain-value", "plain", "other", false],
  ])("challenge %s (%s) with verifier %s → %s", (challenge, method, v, expected) => {
    expect(verifierMatches(challenge, method, v)).toBe(expected);
  });
  it("S256 accepts verifiers past RFC 7636's 128 characters", async () => {
    const { createHash } = await import("node:crypto");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    expect(verifierMatches(challenge, "S256", verifier)).toBe(true);
    expect(verifierMatches(challenge, "S256", `${verifier}x`)).toBe(false);
    expect(verifierMatches(s256, "S256", "nope")).toBe(false);
  });
});

describe("scopes", () => {
  it.each<[string | null, string[]]>([
    [null, []],
    ["api refresh_token", ["api", "refresh_token"]],
    ["  api   api id ", ["api", "id"]],
  ])("parse %j", (text, expected) => {
    expect(parseScopes(text)).toEqual(expected);
  });
  it.each<[string[], string[], string[] | undefined]>([
    [[], ["api", "id"], ["api", "id"]],
    [["api"], ["api", "id"], ["api"]],
    [["full"], ["api", "id"], undefined],
    // Salesforce drops what the app does not allow: no refresh_token scope, no refresh token.
    [["api", "refresh_token"], ["api", "id"], ["api"]],
  ])("effective %j of %j", (requested, appScopes, expected) => {
    expect(effectiveScopes(requested, appScopes)).toEqual(expected);
  });
  it.each<[string[], boolean]>([
    [["api"], false],
    [["api", "refresh_token"], true],
    [["offline_access"], true],
  ])("refresh for %j → %s", (scopes, expected) => {
    expect(grantsRefreshToken(scopes)).toBe(expected);
  });
  it.each<[string[] | undefined, string[], boolean]>([
    [undefined, ["api"], false],
    [["api", "id"], ["api"], true],
    [["api"], ["api", "id"], false],
  ])("approval %j covers %j → %s", (approved, requested, expected) => {
    expect(approvalCovers(approved ? new Set(approved) : undefined, requested)).toBe(expected);
  });
});

describe("JWT assertion claims", () => {
  it.each<[unknown, boolean, boolean]>([
    ["https://login.salesforce.com", false, true],
    ["https://login.salesforce.com/", false, true],
    ["https://test.salesforce.com", false, false],
    ["https://test.salesforce.com", true, true],
    ["https://login.salesforce.com", true, false],
    ["http://127.0.0.1:9999", false, true],
    [["https://other.example", "https://login.salesforce.com"], false, true],
    [undefined, false, false],
  ])("aud %j, sandbox=%s → %s", (aud, isSandbox, expected) => {
    expect(audienceMatches(aud, acceptedAudiences(isSandbox, "http://127.0.0.1:9999"))).toBe(expected);
  });
  it.each<[unknown, boolean]>([
    [1001, false],
    [1000, true],
    [999, true],
    ["1001", true],
    [undefined, true],
  ])("exp %j at t=1000s → expired %s", (exp, expected) => {
    expect(assertionExpired(exp, 1_000_000)).toBe(expected);
  });
});

describe("authorize request validation", () => {
  const q = (params: Record<string, string>) => new URLSearchParams(params);
  const base = { response_type: "code", client_id: "cid", redirect_uri: "https://cb.example/x" };
  it.each<[string, Record<string, string>, ConnectedApp | undefined, string, string?]>([
    ["unknown app", base, undefined, "error-page", "invalid_client_id"],
    ["bad callback", { ...base, redirect_uri: "https://cb.example/y" }, app(), "error-page", "redirect_uri_mismatch"],
    [
      "callback differing by a slash",
      { ...base, redirect_uri: "https://cb.example/x/" },
      app(),
      "error-page",
      "redirect_uri_mismatch",
    ],
    ["bad response type", { ...base, response_type: "id_token" }, app(), "redirect", "unsupported_response_type"],
    ["no scope the app allows", { ...base, scope: "chatter_api wave_api" }, app(), "redirect", "invalid_scope"],
    [
      "unknown challenge method",
      { ...base, code_challenge: "x", code_challenge_method: "S512" },
      app(),
      "redirect",
      "invalid_request",
    ],
    ["fine", { ...base, scope: "api", code_challenge: "x" }, app(), "ok"],
  ])("%s", (_name, params, a, kind, error) => {
    const parsed = parseAuthorizeRequest(q(params), a);
    expect(parsed.kind).toBe(kind);
    if (parsed.kind !== "ok") expect(parsed.error.error).toBe(error);
    else expect(parsed.request.challenge).toEqual({ value: "x", method: "S256" });
  });
});

describe("callback URLs", () => {
  it.each<[string, Record<string, string | null>, "query" | "fragment", string]>([
    ["https://a.example/cb", { code: "ab+c==", state: null }, "query", "https://a.example/cb?code=ab%2Bc%3D%3D"],
    ["https://a.example/cb?x=1", { code: "c", state: "s s" }, "query", "https://a.example/cb?x=1&code=c&state=s%20s"],
    ["https://a.example/cb#old", { access_token: "t" }, "fragment", "https://a.example/cb#access_token=t"],
    ["myapp://done", { error: "access_denied" }, "query", "myapp://done?error=access_denied"],
  ])("%s + %j (%s)", (uri, params, mode, expected) => {
    expect(callbackUrl(uri, params, mode)).toBe(expected);
  });
});

describe("error page", () => {
  it.each<[string, string, string]>([
    [
      "invalid_client",
      "app must be installed into org",
      "OAUTH_APPROVAL_ERROR_GENERIC : An unexpected error has occured during authentication. Please try again.",
    ],
    [
      "OAUTH_APP_ACCESS_DENIED",
      "user is not admin approved to access this app",
      "OAUTH_APP_ACCESS_DENIED : user is not admin approved to access this app",
    ],
    ["invalid_client_id", "client identifier invalid", "invalid_client_id : client identifier invalid"],
  ])("%s / %s", (error, description, text) => {
    expect(errorPageText(error, description)).toBe(text);
  });
  it("encodes spaces as %20 in its URL", () => {
    expect(errorPageUrl("invalid_client", "app must be installed into org")).toBe(
      "/setup/secur/RemoteAccessErrorPage.apexp?error=invalid_client&error_description=app%20must%20be%20installed%20into%20org",
    );
  });
});

describe("request parsing", () => {
  it.each<[string | undefined, { clientId?: string; clientSecret?: string } | undefined]>([
    [undefined, undefined],
    ["Bearer x", undefined],
    [`Basic ${Buffer.from("id:se:cret").toString("base64")}`, { clientId: "id", clientSecret: "se:cret" }],
    [`basic ${Buffer.from("a%20b:c").toString("base64")}`, { clientId: "a b", clientSecret: "c" }],
  ])("Basic header %j", (header, expected) => {
    expect(basicCredentials(header)).toEqual(expected);
  });
  it.each<[string | undefined, Record<string, string>]>([
    [undefined, {}],
    ["a=1; b=two%20words", { a: "1", b: "two words" }],
    ["bad; c=%E0", { c: "%E0" }],
  ])("cookies %j", (header, expected) => {
    expect(Object.fromEntries(parseCookies(header))).toEqual(expected);
  });
});
