import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LATEST_API_VERSION } from "../src/org/settings.ts";
import { get, type OAuthFixture, startOAuthOrg, webServerTokens } from "./support/oauth-fixture.ts";

let fx: OAuthFixture;
beforeEach(async () => {
  fx = await startOAuthOrg();
});
afterEach(async () => {
  await fx.emu.close();
});

describe("identity URL", () => {
  it("answers jsforce's call (?format=json&oauth_token=) with the reference's fields", async () => {
    const tokens = await webServerTokens(fx, { scope: "api id refresh_token" });
    const res = await get(`${tokens.id}?format=json&oauth_token=${encodeURIComponent(tokens.access_token)}`);
    expect(res.status).toBe(200);
    const body = res.body;
    for (const field of [
      "id",
      "asserted_user",
      "user_id",
      "organization_id",
      "username",
      "nick_name",
      "display_name",
      "email",
      "email_verified",
      "first_name",
      "last_name",
      "timezone",
      "photos",
      "addr_street",
      "addr_city",
      "addr_state",
      "addr_country",
      "addr_zip",
      "mobile_phone",
      "mobile_phone_verified",
      "is_lightning_login_user",
      "status",
      "urls",
      "active",
      "user_type",
      "language",
      "locale",
      "utcOffset",
      "last_modified_date",
      "is_app_installed",
    ]) {
      expect(body, field).toHaveProperty(field);
    }
    expect(body).toMatchObject({
      id: tokens.id,
      user_id: fx.user.Id,
      organization_id: fx.org.organizationId,
      username: fx.username,
      display_name: "Uma User",
      first_name: "Uma",
      last_name: "User",
      active: true,
      user_type: "STANDARD",
      is_app_installed: true,
      utcOffset: -28800000,
    });
    expect(body.last_modified_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$/);
    expect(body.urls.rest).toBe(`${fx.emu.urls.myDomain}/services/data/v{version}/`);
    expect(body.urls.custom_domain).toBe(fx.emu.urls.myDomain);
    expect(Object.keys(body.urls)).toEqual([
      "enterprise",
      "metadata",
      "partner",
      "rest",
      "sobjects",
      "search",
      "query",
      "recent",
      "tooling_soap",
      "tooling_rest",
      "profile",
      "feeds",
      "groups",
      "users",
      "feed_items",
      "feed_elements",
      "custom_domain",
    ]);
  });

  it("substitutes ?version= in the urls and takes the Bearer header", async () => {
    const tokens = await webServerTokens(fx);
    const auth = { authorization: `Bearer ${tokens.access_token}` };
    const latest = await get(`${tokens.id}?version=latest`, auth);
    expect(latest.body.urls.query).toBe(`${fx.emu.urls.myDomain}/services/data/v${LATEST_API_VERSION}/query/`);
    const pinned = await get(`${tokens.id}?version=50.0`, auth);
    expect(pinned.body.urls.sobjects).toBe(`${fx.emu.urls.myDomain}/services/data/v50.0/sobjects/`);
    expect(pinned.body.urls.enterprise).toBe(`${fx.emu.urls.myDomain}/services/Soap/c/50.0/${fx.org.orgId15}`);
  });

  it("refuses bad tokens with 403 Bad_OAuth_Token, and unknown ids with Bad_Id", async () => {
    const tokens = await webServerTokens(fx);
    const bad = await get(`${tokens.id}?oauth_token=nope`);
    expect(bad.status).toBe(403);
    expect(bad.text).toBe("Bad_OAuth_Token");
    const missing = await get(tokens.id);
    expect(missing.status).toBe(403);
    const wrongUser = await get(`${fx.emu.urls.login}/id/${fx.org.organizationId}/005000000000000AAA`, {
      authorization: `Bearer ${tokens.access_token}`,
    });
    expect(wrongUser.status).toBe(404);
    expect(wrongUser.text).toBe("Bad_Id");
  });
});

describe("userinfo", () => {
  it("returns the OpenID claims", async () => {
    const tokens = await webServerTokens(fx, { scope: "api openid refresh_token" });
    const res = await get(`${fx.emu.urls.myDomain}/services/oauth2/userinfo`, {
      authorization: `Bearer ${tokens.access_token}`,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      sub: tokens.id,
      user_id: fx.user.Id,
      organization_id: fx.org.organizationId,
      preferred_username: fx.username,
      name: "Uma User",
      given_name: "Uma",
      family_name: "User",
      email: fx.username,
      zoneinfo: "America/Los_Angeles",
      is_salesforce_integration_user: false,
      active: true,
      user_type: "STANDARD",
      is_app_installed: true,
    });
    for (const claim of [
      "nickname",
      "email_verified",
      "photos",
      "profile",
      "picture",
      "address",
      "urls",
      "language",
      "locale",
      "utcOffset",
    ]) {
      expect(res.body, claim).toHaveProperty(claim);
    }
    expect(res.body.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("refuses a bad token", async () => {
    const res = await get(`${fx.emu.urls.myDomain}/services/oauth2/userinfo`, { authorization: "Bearer nope" });
    expect(res.status).toBe(403);
    expect(res.text).toBe("Bad_OAuth_Token");
  });

  it("publishes the id_token key and the OpenID configuration", async () => {
    const keys = await get(`${fx.emu.urls.login}/id/keys`);
    expect(keys.body.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
    const config = await get(`${fx.emu.urls.login}/.well-known/openid-configuration`);
    expect(config.body.token_endpoint).toBe(`${fx.emu.urls.login}/services/oauth2/token`);
  });
});
