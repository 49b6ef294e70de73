import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JWT_BEARER_GRANT } from "../src/oauth/grants/jwt-bearer.ts";
import { buildAuthorizeUrl, callbackParams, completeAuthorize } from "../src/testing/index.ts";
import {
  authorizationCode,
  CALLBACK,
  type OAuthFixture,
  postForm,
  startOAuthOrg,
  tokenUrl,
  webServerTokens,
} from "./support/oauth-fixture.ts";
import { makeJwtKeys, signAssertion } from "./support/oauth-jwt.ts";

/**
 * Every error row of the token endpoint (reference §1.2), each produced by its real cause on a
 * fresh org, checked for status, `error` and the exact `error_description`.
 */

interface TokenCall {
  host?: "login" | "test" | "myDomain";
  params: Record<string, string | undefined>;
  headers?: Record<string, string>;
}

interface Row {
  cause: string;
  error: string;
  description: string;
  call: (fx: OAuthFixture) => Promise<TokenCall>;
}

const keys = makeJwtKeys();

function client(fx: OAuthFixture) {
  return { client_id: fx.app.clientId, client_secret: fx.app.clientSecret };
}

async function codeExchange(fx: OAuthFixture, scope = "api refresh_token"): Promise<Record<string, string>> {
  const { code, verifier } = await authorizationCode(fx, { scope });
  return { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: CALLBACK, ...client(fx) };
}

async function refreshCall(fx: OAuthFixture, refreshToken?: string): Promise<TokenCall> {
  const token = refreshToken ?? (await webServerTokens(fx)).refresh_token;
  // jsforce re-sends code_verifier and redirect_uri on refresh; they must be ignored.
  return {
    params: {
      grant_type: "refresh_token",
      refresh_token: token,
      redirect_uri: CALLBACK,
      code_verifier: "x",
      ...client(fx),
    },
  };
}

function password(fx: OAuthFixture, overrides: Record<string, string> = {}): TokenCall {
  return {
    params: { grant_type: "password", username: fx.username, password: fx.password, ...client(fx), ...overrides },
  };
}

function jwtCall(fx: OAuthFixture, claims: Record<string, unknown> = {}): TokenCall {
  fx.admin.updateApp(fx.app.id, { jwtCertificate: keys.publicKeyPem });
  const exp = Math.floor(fx.org.clock.now() / 1000) + 180;
  const assertion = signAssertion(keys.privateKey, {
    iss: fx.app.clientId,
    sub: fx.username,
    aud: "https://login.salesforce.com",
    exp,
    ...claims,
  });
  return { params: { grant_type: JWT_BEARER_GRANT, assertion } };
}

const HOUR = 3600_000;

const rows: Row[] = [
  {
    cause: "unknown client_id",
    error: "invalid_client_id",
    description: "client identifier invalid",
    call: async (fx) => password(fx, { client_id: "no-such-app" }),
  },
  {
    cause: "JWT issued by an unknown consumer key",
    error: "invalid_client_id",
    description: "client identifier invalid",
    call: async (fx) => jwtCall(fx, { iss: "no-such-app" }),
  },
  {
    cause: "wrong client secret",
    error: "invalid_client",
    description: "invalid client credentials",
    call: async (fx) => password(fx, { client_secret: "wrong" }),
  },
  {
    cause: "no secret on refresh when the app requires it",
    error: "invalid_client",
    description: "invalid client credentials",
    call: async (fx) => {
      const call = await refreshCall(fx);
      return { params: { ...call.params, client_secret: undefined } };
    },
  },
  {
    cause: "wrong password",
    error: "invalid_grant",
    description: "authentication failure",
    call: async (fx) => password(fx, { password: "nope" }),
  },
  {
    cause: "unknown username",
    error: "invalid_grant",
    description: "authentication failure",
    call: async (fx) => password(fx, { username: "nobody@example.com" }),
  },
  {
    cause: "production user on the sandbox login host",
    error: "invalid_grant",
    description: "authentication failure",
    call: async (fx) => ({ ...password(fx), host: "test" }),
  },
  {
    cause: "revoked refresh token",
    error: "invalid_grant",
    description: "expired access/refresh token",
    call: async (fx) => {
      const { refresh_token } = await webServerTokens(fx);
      fx.org.sessions.revokeGrant(refresh_token);
      return refreshCall(fx, refresh_token);
    },
  },
  {
    cause: "refresh token policy: expire immediately",
    error: "invalid_grant",
    description: "expired access/refresh token",
    call: async (fx) => {
      fx.admin.updateApp(fx.app.id, { refreshTokenPolicy: { type: "immediately" } });
      return refreshCall(fx);
    },
  },
  {
    cause: "refresh token policy: lifetime passed",
    error: "invalid_grant",
    description: "expired access/refresh token",
    call: async (fx) => {
      fx.admin.updateApp(fx.app.id, { refreshTokenPolicy: { type: "lifetime", seconds: 3600 } });
      const call = await refreshCall(fx);
      fx.org.clock.advance(HOUR);
      return call;
    },
  },
  {
    cause: "refresh token policy: idle too long",
    error: "invalid_grant",
    description: "expired access/refresh token",
    call: async (fx) => {
      fx.admin.updateApp(fx.app.id, { refreshTokenPolicy: { type: "idle", seconds: 3600 } });
      const call = await refreshCall(fx);
      fx.org.clock.advance(HOUR + 1);
      return call;
    },
  },
  {
    cause: "a sixth grant revoked the oldest",
    error: "invalid_grant",
    description: "expired access/refresh token",
    call: async (fx) => {
      const oldest = (await webServerTokens(fx)).refresh_token;
      for (let i = 0; i < 5; i++) await webServerTokens(fx);
      return refreshCall(fx, oldest);
    },
  },
  {
    cause: "unknown refresh token",
    error: "invalid_grant",
    description: "expired access/refresh token",
    call: async (fx) => refreshCall(fx, "5AepNotARealToken"),
  },
  {
    cause: "reused authorization code",
    error: "invalid_grant",
    description: "invalid authorization code",
    call: async (fx) => {
      const params = await codeExchange(fx);
      const first = await postForm(tokenUrl(fx.emu.urls.login), params);
      expect(first.status).toBe(200);
      return { params };
    },
  },
  {
    cause: "unknown authorization code",
    error: "invalid_grant",
    description: "invalid authorization code",
    call: async (fx) => ({ params: { ...(await codeExchange(fx)), code: "aPrxNotARealCode==" } }),
  },
  {
    cause: "authorization code past its TTL",
    error: "invalid_grant",
    description: "expired authorization code",
    call: async (fx) => {
      const params = await codeExchange(fx);
      fx.org.clock.advance(fx.org.settings.authCodeTtlSeconds * 1000);
      return { params };
    },
  },
  {
    cause: "JWT past its exp",
    error: "invalid_grant",
    description: "expired authorization code",
    call: async (fx) => {
      await webServerTokens(fx);
      return jwtCall(fx, { exp: Math.floor(fx.org.clock.now() / 1000) - 10 });
    },
  },
  {
    cause: "PKCE verifier mismatch",
    error: "invalid_grant",
    description: "invalid code verifier",
    call: async (fx) => ({ params: { ...(await codeExchange(fx)), code_verifier: "not-the-verifier" } }),
  },
  {
    cause: "PKCE verifier missing",
    error: "invalid_grant",
    description: "invalid code verifier",
    call: async (fx) => ({ params: { ...(await codeExchange(fx)), code_verifier: undefined } }),
  },
  {
    cause: "JWT for a user who never approved the app",
    error: "invalid_grant",
    description: "user hasn't approved this consumer",
    call: async (fx) => jwtCall(fx),
  },
  {
    cause: "JWT for a user not pre-authorized on an admin-approved app",
    error: "invalid_grant",
    description: "user hasn't approved this consumer",
    call: async (fx) => {
      await webServerTokens(fx);
      fx.admin.updateApp(fx.app.id, { permittedUsers: "admin_approved", preauthorized: ["System Administrator"] });
      return jwtCall(fx);
    },
  },
  {
    cause: "JWT with the wrong audience",
    error: "invalid_grant",
    description: "audience is invalid",
    call: async (fx) => jwtCall(fx, { aud: "https://test.salesforce.com" }),
  },
  {
    cause: "client credentials on the login host",
    error: "invalid_grant",
    description: "request not supported on this domain",
    call: async (fx) => ({ params: { grant_type: "client_credentials", ...client(fx) } }),
  },
  {
    cause: "client credentials on the sandbox login host",
    error: "invalid_grant",
    description: "request not supported on this domain",
    call: async (fx) => ({ host: "test", params: { grant_type: "client_credentials", ...client(fx) } }),
  },
  {
    cause: "client credentials without a run-as user",
    error: "invalid_grant",
    description: "no client credentials user enabled",
    call: async (fx) => {
      fx.admin.updateApp(fx.app.id, { clientCredentialsEnabled: true, clientCredentialsUser: null });
      return { host: "myDomain", params: { grant_type: "client_credentials", ...client(fx) } };
    },
  },
  {
    cause: "client credentials flow not enabled",
    error: "invalid_grant",
    description: "no client credentials user enabled",
    call: async (fx) => {
      fx.admin.updateApp(fx.app.id, { clientCredentialsEnabled: false, clientCredentialsUser: fx.username });
      return { host: "myDomain", params: { grant_type: "client_credentials", ...client(fx) } };
    },
  },
  {
    cause: "app enforces IP restrictions and the caller is outside the trusted ranges",
    error: "invalid_grant",
    description: "IP restricted or invalid login hours",
    call: async (fx) => {
      fx.admin.updateApp(fx.app.id, { ipRelaxation: "enforce" });
      fx.org.settings.clientIpTrusted = false;
      return password(fx);
    },
  },
  {
    cause: "IP enforcement also covers refresh",
    error: "invalid_grant",
    description: "IP restricted or invalid login hours",
    call: async (fx) => {
      const call = await refreshCall(fx);
      fx.admin.updateApp(fx.app.id, { ipRelaxation: "enforce" });
      fx.org.settings.clientIpTrusted = false;
      return call;
    },
  },
  {
    cause: "app became admin-approved before the code exchange",
    error: "invalid_app_access",
    description: "user is not admin approved to access this app",
    call: async (fx) => {
      const params = await codeExchange(fx);
      fx.admin.updateApp(fx.app.id, { permittedUsers: "admin_approved", preauthorized: ["System Administrator"] });
      return { params };
    },
  },
  {
    cause: "app became admin-approved before a refresh",
    error: "invalid_app_access",
    description: "user is not admin approved to access this app",
    call: async (fx) => {
      const call = await refreshCall(fx);
      fx.admin.updateApp(fx.app.id, { permittedUsers: "admin_approved" });
      return call;
    },
  },
  {
    cause: "unknown grant type",
    error: "unsupported_grant_type",
    description: "grant type not supported",
    call: async (fx) => ({ params: { grant_type: "urn:ietf:params:oauth:grant-type:device_code", ...client(fx) } }),
  },
  {
    cause: "no grant type",
    error: "unsupported_grant_type",
    description: "grant type not supported",
    call: async (fx) => ({ params: { ...client(fx) } }),
  },
  {
    cause: "redirect_uri differs from the one used at authorize",
    error: "redirect_uri_mismatch",
    description: "redirect_uri must match configuration",
    call: async (fx) => ({ params: { ...(await codeExchange(fx)), redirect_uri: "http://localhost:1717/Other" } }),
  },
  {
    cause: "deactivated user (password)",
    error: "inactive_user",
    description: "user is inactive",
    call: async (fx) => {
      fx.admin.setUserActive(fx.user.Id, false);
      return password(fx);
    },
  },
  {
    cause: "deactivated user (refresh)",
    error: "inactive_user",
    description: "user is inactive",
    call: async (fx) => {
      const call = await refreshCall(fx);
      fx.admin.setUserActive(fx.user.Id, false);
      return call;
    },
  },
];

describe("token endpoint errors", () => {
  const fixtures: OAuthFixture[] = [];
  afterAll(async () => {
    await Promise.all(fixtures.map((f) => f.emu.close()));
  });

  it.each(rows)("$error / $description: $cause", async (row) => {
    const fx = await startOAuthOrg();
    fixtures.push(fx);
    const call = await row.call(fx);
    const res = await postForm(tokenUrl(fx.emu.urls[call.host ?? "login"]), call.params, call.headers);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: row.error, error_description: row.description });
  });

  it("covers every error of the reference's table", () => {
    const produced = new Set(rows.map((r) => `${r.error}|${r.description}`));
    for (const expected of [
      "invalid_client_id|client identifier invalid",
      "invalid_client|invalid client credentials",
      "invalid_grant|authentication failure",
      "invalid_grant|expired access/refresh token",
      "invalid_grant|invalid authorization code",
      "invalid_grant|expired authorization code",
      "invalid_grant|invalid code verifier",
      "invalid_grant|user hasn't approved this consumer",
      "invalid_grant|audience is invalid",
      "invalid_grant|request not supported on this domain",
      "invalid_grant|no client credentials user enabled",
      "invalid_grant|IP restricted or invalid login hours",
      "invalid_app_access|user is not admin approved to access this app",
      "unsupported_grant_type|grant type not supported",
      "redirect_uri_mismatch|redirect_uri must match configuration",
    ]) {
      expect(produced, expected).toContain(expected);
    }
    expect(rows.some((r) => r.error === "inactive_user")).toBe(true);
  });
});

describe("PKCE required by the app", () => {
  let fx: OAuthFixture;
  beforeAll(async () => {
    fx = await startOAuthOrg();
  });
  afterAll(async () => {
    await fx.emu.close();
  });

  it("refuses a code obtained without a challenge", async () => {
    fx.admin.updateApp(fx.app.id, { pkceRequired: true });
    const url = buildAuthorizeUrl(fx.emu.urls.login, {
      response_type: "code",
      client_id: fx.app.clientId,
      redirect_uri: CALLBACK,
    });
    const { location } = await completeAuthorize(url, fx.username, fx.password);
    const res = await postForm(tokenUrl(fx.emu.urls.login), {
      grant_type: "authorization_code",
      code: callbackParams(location).get("code")!,
      redirect_uri: CALLBACK,
      ...client(fx),
    });
    expect(res.body).toEqual({ error: "invalid_grant", error_description: "invalid code verifier" });
  });
});
