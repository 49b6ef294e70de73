import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CALLBACK,
  get,
  type OAuthFixture,
  postForm,
  startOAuthOrg,
  tokenUrl,
  webServerTokens,
} from "./support/oauth-fixture.ts";

let fx: OAuthFixture;
beforeEach(async () => {
  fx = await startOAuthOrg();
});
afterEach(async () => {
  await fx.emu.close();
});

function refresh(refreshToken: string, host = fx.emu.urls.login) {
  return postForm(tokenUrl(host), {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    client_id: fx.app.clientId,
    client_secret: fx.app.clientSecret,
    redirect_uri: CALLBACK,
  });
}

function userinfo(accessToken: string) {
  return get(`${fx.emu.urls.myDomain}/services/oauth2/userinfo`, { authorization: `Bearer ${accessToken}` });
}

const EXPIRED = { error: "invalid_grant", error_description: "expired access/refresh token" };

describe("session timeout", () => {
  it("an access token dies after the session timeout unused, and use slides it", async () => {
    const tokens = await webServerTokens(fx);
    const timeout = fx.org.settings.sessionTimeoutSeconds * 1000;
    fx.org.clock.advance(timeout - 1000);
    expect((await userinfo(tokens.access_token)).status).toBe(200);
    fx.org.clock.advance(timeout - 1000);
    expect((await userinfo(tokens.access_token)).status).toBe(200);
    fx.org.clock.advance(timeout);
    expect((await userinfo(tokens.access_token)).status).toBe(403);
    expect(fx.org.sessions.use(tokens.access_token)).toEqual({ ok: false, reason: "expired" });
    const introspected = await postForm(`${fx.emu.urls.login}/services/oauth2/introspect`, {
      token: tokens.access_token,
      client_id: fx.app.clientId,
      client_secret: fx.app.clientSecret,
    });
    expect(introspected.text).toBe('{"active":false}');

    const renewed = await refresh(tokens.refresh_token);
    expect(renewed.status).toBe(200);
    expect(renewed.body).not.toHaveProperty("refresh_token");
    expect((await userinfo(renewed.body.access_token)).status).toBe(200);
  });

  it("a short org timeout applies", async () => {
    fx.org.settings.sessionTimeoutSeconds = 900;
    const tokens = await webServerTokens(fx);
    fx.org.clock.advance(900_000);
    expect((await userinfo(tokens.access_token)).status).toBe(403);
  });
});

describe("refresh-token policies", () => {
  it("until revoked: works after a long time, on login host and My Domain", async () => {
    const tokens = await webServerTokens(fx);
    fx.org.clock.advance(365 * 24 * 3600_000);
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
    expect((await refresh(tokens.refresh_token, fx.emu.urls.myDomain)).status).toBe(200);
  });

  it("immediately: the refresh token never redeems", async () => {
    fx.admin.updateApp(fx.app.id, { refreshTokenPolicy: { type: "immediately" } });
    const tokens = await webServerTokens(fx);
    expect((await refresh(tokens.refresh_token)).body).toEqual(EXPIRED);
  });

  it("lifetime: redeems until the lifetime from issue, however often used", async () => {
    fx.admin.updateApp(fx.app.id, { refreshTokenPolicy: { type: "lifetime", seconds: 3600 } });
    const tokens = await webServerTokens(fx);
    fx.org.clock.advance(1800_000);
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
    fx.org.clock.advance(1799_000);
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
    fx.org.clock.advance(1000);
    expect((await refresh(tokens.refresh_token)).body).toEqual(EXPIRED);
  });

  it("idle: each use restarts the clock", async () => {
    fx.admin.updateApp(fx.app.id, { refreshTokenPolicy: { type: "idle", seconds: 3600 } });
    const tokens = await webServerTokens(fx);
    for (let i = 0; i < 3; i++) {
      fx.org.clock.advance(3000_000);
      expect((await refresh(tokens.refresh_token)).status).toBe(200);
    }
    expect(fx.org.clock.now() - fx.org.sessions.grants.get(tokens.refresh_token)!.lastUsedAt).toBeLessThan(1000);
    fx.org.clock.advance(3600_000);
    expect((await refresh(tokens.refresh_token)).body).toEqual(EXPIRED);
  });

  it("rotation: each refresh returns a new refresh token and retires the old", async () => {
    fx.admin.updateApp(fx.app.id, { rotateRefreshTokens: true });
    const tokens = await webServerTokens(fx);
    const first = await refresh(tokens.refresh_token);
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).toMatch(/^5Aep/);
    expect(first.body.refresh_token).not.toBe(tokens.refresh_token);
    expect((await refresh(tokens.refresh_token)).body).toEqual(EXPIRED);
    expect((await refresh(first.body.refresh_token)).status).toBe(200);
    expect((await userinfo(first.body.access_token)).status).toBe(200);
  });

  it("refresh needs no secret when the app doesn't require one", async () => {
    fx.admin.updateApp(fx.app.id, { requireSecretForRefresh: false });
    const tokens = await webServerTokens(fx);
    const res = await postForm(tokenUrl(fx.emu.urls.login), {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
      client_id: fx.app.clientId,
    });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe("api refresh_token");
  });
});

describe("grants per user and app", () => {
  it("a sixth grant revokes the oldest and its sessions", async () => {
    const all: Array<Record<string, string>> = [];
    for (let i = 0; i < 6; i++) {
      all.push(await webServerTokens(fx));
      fx.org.clock.advance(1000);
    }
    expect((await refresh(all[0].refresh_token)).body).toEqual(EXPIRED);
    expect((await userinfo(all[0].access_token)).status).toBe(403);
    for (const tokens of all.slice(1)) expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });
});
