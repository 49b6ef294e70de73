import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:net";
import { completeAuthorize } from "@forcelink/emulator/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  authorizeUrl,
  clientCredentialsToken,
  createOAuthState,
  createPkcePair,
  exchangeCode,
  fetchIdentity,
  introspectToken,
  jwtBearerToken,
  OAuthFailure,
  parseAuthorizeCallback,
  pkceChallenge,
  refreshAccessToken,
  revokeToken,
  userinfo,
  verifyTokenSignature,
} from "../src/index.ts";
import { APP, CALLBACK, connectUser, type DemoOrg, startDemoOrg, USERS } from "./support/demo-org.ts";

let demo: DemoOrg;
beforeAll(async () => {
  demo = await startDemoOrg();
});
afterAll(async () => {
  await demo.close();
});

async function failureOf(promise: Promise<unknown>): Promise<OAuthFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OAuthFailure) return error;
    throw error;
  }
  throw new Error("expected an OAuthFailure");
}

/** A code from the real authorize pages, with the PKCE verifier that goes with it. */
async function authorizationCode(user = USERS.integration) {
  const pkce = createPkcePair();
  const state = createOAuthState();
  const url = authorizeUrl({
    loginUrl: demo.hosts.productionLoginUrl,
    clientId: APP.clientId,
    redirectUri: CALLBACK,
    scopes: ["api", "refresh_token"],
    state,
    codeChallenge: pkce.challenge,
  });
  const { location } = await completeAuthorize(url, user.username, user.password);
  const callback = parseAuthorizeCallback(location, state);
  if (!callback.ok) throw callback.failure;
  return { code: callback.code, verifier: pkce.verifier };
}

describe("authorize URL and callback", () => {
  it("builds the web-server flow's URL with PKCE S256", () => {
    const url = new URL(
      authorizeUrl({
        loginUrl: "https://login.salesforce.com/some/path",
        clientId: "key",
        redirectUri: "https://app.example/cb",
        scopes: ["api", "refresh_token"],
        state: "s1",
        codeChallenge: "c1",
        prompt: ["login", "consent"],
        loginHint: "u@x.com",
      }),
    );
    expect(url.origin + url.pathname).toBe("https://login.salesforce.com/services/oauth2/authorize");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: "code",
      client_id: "key",
      redirect_uri: "https://app.example/cb",
      scope: "api refresh_token",
      state: "s1",
      code_challenge: "c1",
      code_challenge_method: "S256",
      prompt: "login consent",
      login_hint: "u@x.com",
    });
  });

  it("makes verifiers inside RFC 7636 and their S256 challenges", () => {
    const pair = createPkcePair();
    expect(pair.verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(pair.challenge).toBe(pkceChallenge(pair.verifier));
    // RFC 7636 appendix B
    expect(pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("turns Deny into a terminal access_denied, and a foreign state into state_mismatch", async () => {
    const state = createOAuthState();
    const url = authorizeUrl({
      loginUrl: demo.hosts.productionLoginUrl,
      clientId: APP.clientId,
      redirectUri: CALLBACK,
      scopes: ["api"],
      state,
      codeChallenge: createPkcePair().challenge,
    });
    const { location } = await completeAuthorize(url, USERS.integration.username, USERS.integration.password, {
      approve: false,
    });
    const denied = parseAuthorizeCallback(location, state);
    expect(denied.ok).toBe(false);
    expect(!denied.ok && denied.failure.error).toBe("access_denied");
    expect(!denied.ok && denied.failure.kind).toBe("terminal");
    const forged = parseAuthorizeCallback(`${CALLBACK}?code=abc&state=other`, state);
    expect(!forged.ok && forged.failure.error).toBe("state_mismatch");
    expect(parseAuthorizeCallback(`${CALLBACK}?code=abc&state=${state}`, state)).toEqual({ ok: true, code: "abc" });
  });
});

describe("code exchange", () => {
  it("returns a typed token set: org, user, instance, scopes, issue time, a valid signature", async () => {
    const tokens = await connectUser(demo);
    const user = demo.org.userByUsername(USERS.integration.username);
    expect(tokens.orgId).toBe(demo.org.organizationId);
    expect(tokens.userId).toBe(user?.Id);
    expect(tokens.instanceUrl).toBe(demo.emulator.urls.myDomain);
    expect(tokens.identityUrl.startsWith(demo.emulator.urls.login)).toBe(true);
    expect(tokens.scopes).toEqual(expect.arrayContaining(["api", "refresh_token"]));
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.accessToken.startsWith(demo.org.orgId15)).toBe(true);
    expect(Math.abs(tokens.issuedAt - demo.org.clock.now())).toBeLessThan(10_000);
    expect(verifyTokenSignature(tokens, APP.clientSecret)).toBe(true);
    expect(verifyTokenSignature(tokens, "another-secret")).toBe(false);
  });

  it("refuses a reused code as terminal, without echoing it", async () => {
    const { code, verifier } = await authorizationCode();
    const input = {
      loginUrl: demo.hosts.productionLoginUrl,
      ...APP,
      code,
      redirectUri: CALLBACK,
      codeVerifier: verifier,
    };
    await exchangeCode(input);
    const failure = await failureOf(exchangeCode(input));
    expect(failure.error).toBe("invalid_grant");
    expect(failure.kind).toBe("terminal");
    expect(failure.status).toBe(400);
    expect(failure.message).not.toContain(code);
  });

  it("refuses the wrong PKCE verifier", async () => {
    const { code } = await authorizationCode();
    const failure = await failureOf(
      exchangeCode({
        loginUrl: demo.hosts.productionLoginUrl,
        ...APP,
        code,
        redirectUri: CALLBACK,
        codeVerifier: createPkcePair().verifier,
      }),
    );
    expect([failure.error, failure.description]).toEqual(["invalid_grant", "invalid code verifier"]);
  });

  it("names a wrong secret and a wrong callback as the builder's to fix", async () => {
    const first = await authorizationCode();
    const badSecret = await failureOf(
      exchangeCode({
        loginUrl: demo.hosts.productionLoginUrl,
        clientId: APP.clientId,
        clientSecret: "wrong-secret",
        code: first.code,
        redirectUri: CALLBACK,
        codeVerifier: first.verifier,
      }),
    );
    expect([badSecret.error, badSecret.kind]).toEqual(["invalid_client", "configuration"]);
    expect(badSecret.message).not.toContain("wrong-secret");

    const second = await authorizationCode();
    const badCallback = await failureOf(
      exchangeCode({
        loginUrl: demo.hosts.productionLoginUrl,
        ...APP,
        code: second.code,
        redirectUri: "http://localhost:4000/oauth/callback",
        codeVerifier: second.verifier,
      }),
    );
    expect([badCallback.error, badCallback.kind]).toEqual(["redirect_uri_mismatch", "configuration"]);
  });
});

describe("refresh, revoke, introspect", () => {
  it("refreshes without a new refresh token, unless the app rotates them", async () => {
    const tokens = await connectUser(demo);
    const refreshed = await refreshAccessToken({
      baseUrl: demo.hosts.productionLoginUrl,
      ...APP,
      refreshToken: tokens.refreshToken ?? "",
    });
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect(refreshed.refreshToken).toBeUndefined();
    // My Domain redeems refresh tokens too.
    await refreshAccessToken({ baseUrl: tokens.instanceUrl, ...APP, refreshToken: tokens.refreshToken ?? "" });

    demo.admin.updateApp(demo.appId, { rotateRefreshTokens: true });
    try {
      const rotated = await refreshAccessToken({
        baseUrl: demo.hosts.productionLoginUrl,
        ...APP,
        refreshToken: tokens.refreshToken ?? "",
      });
      expect(rotated.refreshToken).toBeTruthy();
      expect(rotated.refreshToken).not.toBe(tokens.refreshToken);
      const old = await failureOf(
        refreshAccessToken({ baseUrl: demo.hosts.productionLoginUrl, ...APP, refreshToken: tokens.refreshToken ?? "" }),
      );
      expect(old.checklistItem).toBe("refresh-token-policy");
    } finally {
      demo.admin.updateApp(demo.appId, { rotateRefreshTokens: false });
    }
  });

  it("revokes a refresh token: the next refresh is terminal and points at the refresh-token policy", async () => {
    const tokens = await connectUser(demo);
    await revokeToken({ baseUrl: demo.hosts.productionLoginUrl, token: tokens.refreshToken ?? "" });
    const failure = await failureOf(
      refreshAccessToken({ baseUrl: demo.hosts.productionLoginUrl, ...APP, refreshToken: tokens.refreshToken ?? "" }),
    );
    expect([failure.error, failure.description, failure.kind]).toEqual([
      "invalid_grant",
      "expired access/refresh token",
      "terminal",
    ]);
    expect(failure.remedy).toMatch(/refresh-token policy/);
    const again = await failureOf(revokeToken({ baseUrl: demo.hosts.productionLoginUrl, token: "not-a-token" }));
    expect(again.error).toBe("invalid_token");
  });

  it("introspects the app's own token (its expiry reveals the session timeout) and nobody else's", async () => {
    const tokens = await connectUser(demo);
    const info = await introspectToken({ baseUrl: tokens.instanceUrl, ...APP, token: tokens.accessToken });
    expect(info.active).toBe(true);
    expect(info.username).toBe(USERS.integration.username);
    expect(info.tokenType).toBe("access_token");
    expect((info.expiresAt ?? 0) - tokens.issuedAt).toBeGreaterThan(7_199_000);

    const other = demo.admin.app({
      name: "Other App",
      clientId: "other-key",
      clientSecret: "other-secret",
      callbackUrls: [CALLBACK],
    });
    const foreign = await introspectToken({
      baseUrl: tokens.instanceUrl,
      clientId: other.clientId,
      clientSecret: other.clientSecret,
      token: tokens.accessToken,
    });
    expect(foreign).toEqual({ active: false });
  });
});

describe("client credentials and JWT bearer", () => {
  it("gets a client-credentials token on My Domain, and names the login host as the builder's mistake", async () => {
    const tokens = await clientCredentialsToken({
      myDomainUrl: demo.hosts.myDomainUrl("forcelink-demo"),
      clientId: APP.clientId,
      clientSecret: APP.clientSecret,
    });
    expect(tokens.userId).toBe(demo.org.userByUsername(USERS.admin.username)?.Id);
    expect(tokens.refreshToken).toBeUndefined();
    const failure = await failureOf(
      clientCredentialsToken({
        myDomainUrl: demo.hosts.productionLoginUrl,
        clientId: APP.clientId,
        clientSecret: APP.clientSecret,
      }),
    );
    expect([failure.description, failure.kind]).toEqual(["request not supported on this domain", "configuration"]);
  });

  it("signs an RS256 assertion whose audience is the environment's login URL", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    demo.admin.updateApp(demo.appId, { jwtCertificate: publicKey.export({ type: "spki", format: "pem" }).toString() });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    await connectUser(demo, USERS.admin); // JWT needs a prior approval
    const now = demo.org.clock.now();

    const mapped = await jwtBearerToken({
      loginUrl: demo.hosts.productionLoginUrl,
      clientId: APP.clientId,
      username: USERS.admin.username,
      privateKey: pem,
      now,
    });
    expect(mapped.userId).toBe(demo.org.userByUsername(USERS.admin.username)?.Id);

    // Real Salesforce's audience, posted to the emulator: what production code sends.
    const real = await jwtBearerToken({
      loginUrl: "https://login.salesforce.com",
      tokenBaseUrl: demo.hosts.productionLoginUrl,
      clientId: APP.clientId,
      username: USERS.admin.username,
      privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      now,
    });
    expect(real.accessToken).toBeTruthy();

    const wrongAudience = await failureOf(
      jwtBearerToken({
        loginUrl: "https://test.salesforce.com",
        tokenBaseUrl: demo.hosts.productionLoginUrl,
        clientId: APP.clientId,
        username: USERS.admin.username,
        privateKey: pem,
        now,
      }),
    );
    expect([wrongAudience.description, wrongAudience.kind]).toEqual(["audience is invalid", "configuration"]);

    const neverApproved = await failureOf(
      jwtBearerToken({
        loginUrl: demo.hosts.productionLoginUrl,
        clientId: APP.clientId,
        username: USERS.platform.username,
        privateKey: pem,
        now,
      }),
    );
    expect([neverApproved.description, neverApproved.kind, neverApproved.checklistItem]).toEqual([
      "user hasn't approved this consumer",
      "terminal",
      "permitted-users",
    ]);
  });
});

describe("identity", () => {
  it("fetches the identity URL and userinfo", async () => {
    const tokens = await connectUser(demo);
    const identity = await fetchIdentity({
      identityUrl: tokens.identityUrl,
      accessToken: tokens.accessToken,
      hosts: demo.hosts,
      version: "67.0",
    });
    expect(identity.username).toBe(USERS.integration.username);
    expect(identity.orgId).toBe(tokens.orgId);
    expect(identity.userId).toBe(tokens.userId);
    expect(identity.urls.rest).toContain("/services/data/v67.0/");
    const claims = await userinfo({ baseUrl: tokens.instanceUrl, accessToken: tokens.accessToken });
    expect(claims.preferred_username).toBe(USERS.integration.username);
  });

  it("asks for a refresh when the identity service rejects the token", async () => {
    const tokens = await connectUser(demo);
    await revokeToken({ baseUrl: demo.hosts.productionLoginUrl, token: tokens.accessToken });
    const failure = await failureOf(
      fetchIdentity({ identityUrl: tokens.identityUrl, accessToken: tokens.accessToken, hosts: demo.hosts }),
    );
    expect([failure.error, failure.status, failure.retry]).toEqual(["Bad_OAuth_Token", 403, "refresh-then-retry"]);
  });

  it("never sends a token to an identity URL off Salesforce's hosts", async () => {
    await expect(
      fetchIdentity({ identityUrl: "https://evil.example/id/00D000000000001AAA/005000000000001AAA", accessToken: "t" }),
    ).rejects.toThrow(/not a Salesforce login host/);
  });
});

describe("transport failures are transient", () => {
  it("reports a closed port as network_error", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const failure = await failureOf(
      refreshAccessToken({ baseUrl: `http://127.0.0.1:${port}`, ...APP, refreshToken: "x" }),
    );
    expect([failure.error, failure.kind, failure.status]).toEqual(["network_error", "transient", 0]);
  });

  it("reports a 503 from the token endpoint as server_error", async () => {
    demo.org.faults.configure({ errorRate: 1, errorStatus: 503, pathContains: "/oauth2/token" });
    try {
      const failure = await failureOf(
        refreshAccessToken({ baseUrl: demo.hosts.productionLoginUrl, ...APP, refreshToken: "x" }),
      );
      expect([failure.error, failure.kind, failure.status]).toEqual(["server_error", "transient", 503]);
    } finally {
      demo.org.faults.reset();
    }
  });
});
