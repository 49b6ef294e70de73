import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { get, type OAuthFixture, postForm, startOAuthOrg, webServerTokens } from "./support/oauth-fixture.ts";

let fx: OAuthFixture;
beforeEach(async () => {
  fx = await startOAuthOrg();
});
afterEach(async () => {
  await fx.emu.close();
});

function introspect(token: string, app = fx.app, extra: Record<string, string> = {}) {
  return postForm(`${fx.emu.urls.login}/services/oauth2/introspect`, {
    token,
    client_id: app.clientId,
    client_secret: app.clientSecret,
    ...extra,
  });
}

describe("introspect", () => {
  it("describes an active access token in epoch seconds", async () => {
    const tokens = await webServerTokens(fx);
    const res = await introspect(tokens.access_token, fx.app, { token_type_hint: "access_token" });
    expect(res.status).toBe(200);
    const session = fx.org.sessions.sessions.get(tokens.access_token)!;
    expect(res.body).toEqual({
      active: true,
      scope: "api refresh_token",
      client_id: fx.app.clientId,
      username: fx.username,
      sub: tokens.id,
      token_type: "access_token",
      exp: Math.floor(fx.org.sessions.expiresAt(session) / 1000),
      iat: Math.floor(Number(tokens.issued_at) / 1000),
      nbf: Math.floor(Number(tokens.issued_at) / 1000),
    });
    expect(res.body.exp - res.body.iat).toBe(fx.org.settings.sessionTimeoutSeconds);
  });

  it("describes a refresh token", async () => {
    fx.admin.updateApp(fx.app.id, { refreshTokenPolicy: { type: "lifetime", seconds: 86400 } });
    const tokens = await webServerTokens(fx);
    const res = await introspect(tokens.refresh_token, fx.app, { token_type_hint: "refresh_token" });
    expect(res.body).toMatchObject({ active: true, token_type: "refresh_token", client_id: fx.app.clientId });
    expect(res.body.exp - res.body.iat).toBe(86400);
  });

  it("answers exactly {active:false} for dead, unknown and other apps' tokens", async () => {
    const tokens = await webServerTokens(fx);
    const other = fx.admin.app({ name: "Other", clientId: "other-id", clientSecret: "other-secret", callbackUrls: [] });
    expect((await introspect(tokens.access_token, other)).text).toBe('{"active":false}');
    expect((await introspect("00Dxx!AQnothing")).text).toBe('{"active":false}');
    fx.org.sessions.revokeSession(tokens.access_token);
    expect((await introspect(tokens.access_token)).text).toBe('{"active":false}');

    fx.admin.updateApp(other.id, { introspectAllTokens: true });
    expect((await introspect(tokens.refresh_token, other)).body.active).toBe(true);
  });

  it("refuses bad client credentials with the configured status", async () => {
    const res = await postForm(`${fx.emu.urls.login}/services/oauth2/introspect`, {
      token: "x",
      client_id: fx.app.clientId,
      client_secret: "wrong",
    });
    expect(res.status).toBe(fx.org.settings.introspectBadClientStatus);
    expect(res.body).toEqual({ error: "invalid_client", error_description: "invalid client credentials" });
    fx.org.settings.introspectBadClientStatus = 400;
    const again = await postForm(`${fx.emu.urls.login}/services/oauth2/introspect`, { token: "x", client_id: "nope" });
    expect(again.status).toBe(400);
  });

  it("does not slide the session", async () => {
    const tokens = await webServerTokens(fx);
    const before = fx.org.sessions.sessions.get(tokens.access_token)!.lastUsedAt;
    fx.org.clock.advance(60_000);
    await introspect(tokens.access_token);
    expect(fx.org.sessions.sessions.get(tokens.access_token)!.lastUsedAt).toBe(before);
  });
});

describe("revoke", () => {
  const revokeUrl = () => `${fx.emu.urls.login}/services/oauth2/revoke`;

  it("revoking an access token ends only that session", async () => {
    const tokens = await webServerTokens(fx);
    const res = await postForm(revokeUrl(), { token: tokens.access_token });
    expect(res.status).toBe(200);
    expect(res.text).toBe("");
    expect(fx.org.sessions.use(tokens.access_token).ok).toBe(false);
    expect(fx.org.sessions.grantUsable(fx.org.sessions.grants.get(tokens.refresh_token), fx.app)).toBe(true);
  });

  it("revoking a refresh token (GET ?token=) ends its sessions too", async () => {
    const tokens = await webServerTokens(fx);
    const res = await get(`${revokeUrl()}?token=${encodeURIComponent(tokens.refresh_token)}`);
    expect(res.status).toBe(200);
    expect(res.text).toBe("");
    expect(fx.org.sessions.use(tokens.access_token).ok).toBe(false);
    expect(fx.org.sessions.grants.get(tokens.refresh_token)!.revoked).toBe(true);
  });

  it("fails form-encoded, as jsforce parses it", async () => {
    for (const res of [await postForm(revokeUrl(), { token: "nope" }), await postForm(revokeUrl(), {})]) {
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
      expect(res.text).toBe("error=invalid_token&error_description=invalid+token");
    }
    const tokens = await webServerTokens(fx);
    await postForm(revokeUrl(), { token: tokens.access_token });
    expect((await postForm(revokeUrl(), { token: tokens.access_token })).status).toBe(400);
  });
});
