import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JWT_BEARER_GRANT } from "../src/oauth/grants/jwt-bearer.ts";
import { type OAuthFixture, postForm, startOAuthOrg, tokenUrl, webServerTokens } from "./support/oauth-fixture.ts";
import { makeJwtKeys, signAssertion } from "./support/oauth-jwt.ts";

let fx: OAuthFixture;
beforeEach(async () => {
  fx = await startOAuthOrg();
});
afterEach(async () => {
  await fx.emu.close();
});

const keys = makeJwtKeys();

function assertion(claims: Record<string, unknown> = {}, privateKey = keys.privateKey): string {
  const exp = Math.floor(fx.org.clock.now() / 1000) + 180;
  return signAssertion(privateKey, {
    iss: fx.app.clientId,
    sub: fx.username,
    aud: "https://login.salesforce.com",
    exp,
    ...claims,
  });
}

function jwtGrant(jwt: string, host = fx.emu.urls.login) {
  return postForm(tokenUrl(host), { grant_type: JWT_BEARER_GRANT, assertion: jwt });
}

describe("JWT bearer", () => {
  beforeEach(() => {
    fx.admin.updateApp(fx.app.id, { jwtCertificate: keys.publicKeyPem });
  });

  it("issues a session without a refresh token once the user approved the app", async () => {
    await webServerTokens(fx);
    const res = await jwtGrant(assertion());
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty("refresh_token");
    expect(res.body).not.toHaveProperty("expires_in");
    expect(res.body.id).toBe(fx.org.identityUrl(fx.user.Id));
    expect(fx.org.sessions.use(res.body.access_token).ok).toBe(true);
  });

  it("accepts the emulator's own login URL as the audience", async () => {
    await webServerTokens(fx);
    expect((await jwtGrant(assertion({ aud: fx.emu.urls.login }))).status).toBe(200);
  });

  it("works for pre-authorized users of an admin-approved app without any approval", async () => {
    fx.admin.updateApp(fx.app.id, { permittedUsers: "admin_approved", preauthorized: ["Standard User"] });
    expect((await jwtGrant(assertion())).status).toBe(200);
  });

  it("a sandbox expects test.salesforce.com on the test host", async () => {
    const sandbox = await startOAuthOrg({ isSandbox: true });
    try {
      sandbox.admin.updateApp(sandbox.app.id, {
        permittedUsers: "admin_approved",
        preauthorized: ["Standard User"],
        jwtCertificate: keys.publicKeyPem,
      });
      const exp = Math.floor(sandbox.org.clock.now() / 1000) + 180;
      const claims = { iss: sandbox.app.clientId, sub: sandbox.username, exp };
      const ok = await postForm(tokenUrl(sandbox.emu.urls.test), {
        grant_type: JWT_BEARER_GRANT,
        assertion: signAssertion(keys.privateKey, { ...claims, aud: "https://test.salesforce.com" }),
      });
      expect(ok.status).toBe(200);
      const wrongAud = await postForm(tokenUrl(sandbox.emu.urls.test), {
        grant_type: JWT_BEARER_GRANT,
        assertion: signAssertion(keys.privateKey, { ...claims, aud: "https://login.salesforce.com" }),
      });
      expect(wrongAud.body).toEqual({ error: "invalid_grant", error_description: "audience is invalid" });
    } finally {
      await sandbox.emu.close();
    }
  });

  it("refuses an assertion signed by another key", async () => {
    await webServerTokens(fx);
    const res = await jwtGrant(assertion({}, makeJwtKeys().privateKey));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_grant");
  });

  it("a revoked approval no longer counts", async () => {
    const tokens = await webServerTokens(fx);
    fx.org.sessions.revokeGrant(tokens.refresh_token);
    expect((await jwtGrant(assertion())).body).toEqual({
      error: "invalid_grant",
      error_description: "user hasn't approved this consumer",
    });
  });
});

describe("client credentials", () => {
  beforeEach(() => {
    fx.admin.user({
      username: "integration@example.com",
      password: "x-1",
      profile: "Minimum Access - API Only Integrations",
    });
    fx.admin.updateApp(fx.app.id, { clientCredentialsEnabled: true, clientCredentialsUser: "integration@example.com" });
  });

  it("works on My Domain with HTTP Basic, as the run-as user", async () => {
    const basic = Buffer.from(`${fx.app.clientId}:${fx.app.clientSecret}`).toString("base64");
    const res = await postForm(
      tokenUrl(fx.emu.urls.myDomain),
      { grant_type: "client_credentials" },
      { authorization: `Basic ${basic}` },
    );
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty("refresh_token");
    const runAs = fx.org.userByUsername("integration@example.com")!;
    expect(res.body.id).toBe(fx.org.identityUrl(runAs.Id));
    expect(res.body.instance_url).toBe(fx.emu.urls.myDomain);
  });

  it("is refused on the login host", async () => {
    const res = await postForm(tokenUrl(fx.emu.urls.login), {
      grant_type: "client_credentials",
      client_id: fx.app.clientId,
      client_secret: fx.app.clientSecret,
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "invalid_grant", error_description: "request not supported on this domain" });
  });

  it("needs the secret", async () => {
    const res = await postForm(tokenUrl(fx.emu.urls.myDomain), {
      grant_type: "client_credentials",
      client_id: fx.app.clientId,
    });
    expect(res.body).toEqual({ error: "invalid_client", error_description: "invalid client credentials" });
  });
});

describe("password", () => {
  it("issues a session with the app's scopes and no refresh token", async () => {
    const res = await postForm(tokenUrl(fx.emu.urls.login), {
      grant_type: "password",
      username: fx.username,
      password: fx.password,
      client_id: fx.app.clientId,
      client_secret: fx.app.clientSecret,
    });
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty("refresh_token");
    expect(res.body.scope.split(" ")).toEqual(fx.app.scopes);
  });
});
