import { Connection, OAuth2 } from "jsforce";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { callbackParams, completeAuthorize } from "../src/testing/index.ts";
import { CALLBACK, type OAuthFixture, startOAuthOrg } from "./support/oauth-fixture.ts";

let fx: OAuthFixture;
beforeEach(async () => {
  fx = await startOAuthOrg();
});
afterEach(async () => {
  await fx.emu.close();
});

/** An unmodified jsforce 3 client against the emulator's OAuth server. */
describe("jsforce", () => {
  it("runs the web-server flow with its own PKCE verifier, identity, refresh and logout", async () => {
    const oauth2 = new OAuth2({
      loginUrl: fx.emu.urls.login,
      clientId: fx.app.clientId,
      clientSecret: fx.app.clientSecret,
      redirectUri: CALLBACK,
      useVerifier: true,
    });
    const url = oauth2.getAuthorizationUrl({ scope: "api refresh_token id", state: "jsforce" });
    expect(url).toContain("code_challenge=");
    expect(url).not.toContain("code_challenge_method");
    const { location } = await completeAuthorize(url, fx.username, fx.password);
    const code = callbackParams(location).get("code")!;

    const conn = new Connection({ oauth2 });
    const userInfo = await conn.authorize(code);
    expect(userInfo).toMatchObject({ id: fx.user.Id, organizationId: fx.org.organizationId });
    expect(conn.instanceUrl).toBe(fx.emu.urls.myDomain);
    expect(conn.refreshToken).toMatch(/^5Aep/);

    const identity = await conn.identity();
    expect(identity.username).toBe(fx.username);

    const refreshed = await oauth2.refreshToken(conn.refreshToken!);
    expect(refreshed.access_token).toMatch(/^00D/);

    const refreshToken = conn.refreshToken!;
    await conn.logout(true);
    expect(fx.org.sessions.grants.get(refreshToken)!.revoked).toBe(true);
    await expect(oauth2.revokeToken(refreshToken)).rejects.toMatchObject({
      name: "invalid_token",
      message: "invalid token",
    });
    await expect(oauth2.refreshToken(refreshToken)).rejects.toMatchObject({
      name: "invalid_grant",
      message: "expired access/refresh token",
    });
  });

  it("logs in with the password flow", async () => {
    const oauth2 = new OAuth2({
      loginUrl: fx.emu.urls.login,
      clientId: fx.app.clientId,
      clientSecret: fx.app.clientSecret,
      redirectUri: CALLBACK,
    });
    const conn = new Connection({ oauth2 });
    const userInfo = await conn.login(fx.username, fx.password);
    expect(userInfo.id).toBe(fx.user.Id);
    await expect(conn.login(fx.username, "wrong")).rejects.toMatchObject({
      name: "invalid_grant",
      message: "authentication failure",
    });
  });
});
