import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildAuthorizeUrl, CookieJar, completeAuthorize, openPage, pageError } from "../src/testing/index.ts";
import { CALLBACK, get, type OAuthFixture, startOAuthOrg } from "./support/oauth-fixture.ts";

let fx: OAuthFixture;
beforeEach(async () => {
  fx = await startOAuthOrg();
});
afterEach(async () => {
  await fx.emu.close();
});

function authorizeUrl(params: Record<string, string | undefined> = {}): string {
  return buildAuthorizeUrl(fx.emu.urls.login, {
    response_type: "code",
    client_id: fx.app.clientId,
    redirect_uri: CALLBACK,
    ...params,
  });
}

/** Follows the 302 to Salesforce's error page and checks the page stays put. */
async function errorPage(location: string) {
  const url = new URL(location);
  expect(url.origin).toBe(fx.emu.urls.login);
  expect(url.pathname).toBe("/setup/secur/RemoteAccessErrorPage.apexp");
  const page = await get(location);
  expect(page.status).toBe(200);
  expect(page.headers.get("location")).toBeNull();
  return { params: url.searchParams, text: pageError(page.text) };
}

describe("authorize errors shown on Salesforce's error page", () => {
  it.each([
    {
      cause: "unknown client_id",
      params: { client_id: "nope" },
      error: "invalid_client_id",
      description: "client identifier invalid",
    },
    {
      cause: "unregistered redirect_uri",
      params: { redirect_uri: "http://evil.example/cb" },
      error: "redirect_uri_mismatch",
      description: "redirect_uri must match configuration",
    },
    {
      cause: "missing redirect_uri",
      params: { redirect_uri: undefined },
      error: "redirect_uri_mismatch",
      description: "redirect_uri must match configuration",
    },
  ])("$cause → $error", async ({ params, error, description }) => {
    const page = await openPage(authorizeUrl(params), new CookieJar());
    expect(page.status).toBe(302);
    const shown = await errorPage(page.location!);
    expect(shown.params.get("error")).toBe(error);
    expect(shown.params.get("error_description")).toBe(description);
    expect(shown.text).toBe(`${error} : ${description}`);
  });

  it("an uninstalled app without Approve Uninstalled Connected Apps", async () => {
    fx.admin.updateApp(fx.app.id, { installed: false });
    const { location } = await completeAuthorize(authorizeUrl(), fx.username, fx.password);
    const shown = await errorPage(location);
    expect(shown.params.get("error")).toBe("invalid_client");
    expect(shown.params.get("error_description")).toBe("app must be installed into org");
    expect(shown.text).toBe(
      "OAUTH_APPROVAL_ERROR_GENERIC : An unexpected error has occured during authentication. Please try again.",
    );
  });

  it("an uninstalled app is fine for users with the permission, or Use Any API Client under API Access Control", async () => {
    fx.admin.updateApp(fx.app.id, { installed: false });
    fx.admin.setSystemPermissions("Standard User", { CanApproveUninstalledApps: true });
    const ok = await completeAuthorize(authorizeUrl(), fx.username, fx.password);
    expect(new URL(ok.location).searchParams.get("code")).toBeTruthy();

    fx.admin.setSystemPermissions("Standard User", { CanApproveUninstalledApps: false, UseAnyApiClient: true });
    const withoutControl = await completeAuthorize(authorizeUrl(), fx.username, fx.password);
    expect(new URL(withoutControl.location).pathname).toBe("/setup/secur/RemoteAccessErrorPage.apexp");
    fx.org.settings.apiAccessControl = true;
    const withControl = await completeAuthorize(authorizeUrl(), fx.username, fx.password);
    expect(new URL(withControl.location).searchParams.get("code")).toBeTruthy();
  });

  it("an admin-approved app and a user not pre-authorized", async () => {
    fx.admin.updateApp(fx.app.id, { permittedUsers: "admin_approved", preauthorized: ["System Administrator"] });
    const { location } = await completeAuthorize(authorizeUrl(), fx.username, fx.password);
    const shown = await errorPage(location);
    expect(shown.params.get("error")).toBe("OAUTH_APP_ACCESS_DENIED");
    expect(shown.params.get("error_description")).toBe("user is not admin approved to access this app");
    expect(shown.text).toBe("OAUTH_APP_ACCESS_DENIED : user is not admin approved to access this app");
  });
});

describe("authorize errors sent to the callback", () => {
  it("a bad response_type", async () => {
    const page = await openPage(authorizeUrl({ response_type: "code_and_more", state: "s1" }), new CookieJar());
    expect(page.location).toBe(
      `${CALLBACK}?error=unsupported_response_type&error_description=response%20type%20not%20supported&state=s1`,
    );
  });

  it("no scope the app has", async () => {
    fx.admin.updateApp(fx.app.id, { scopes: ["api", "refresh_token"] });
    const page = await openPage(authorizeUrl({ scope: "full chatter_api", state: "s2" }), new CookieJar());
    const url = new URL(page.location!);
    expect(`${url.origin}${url.pathname}`).toBe(CALLBACK);
    expect(url.searchParams.get("error")).toBe("invalid_scope");
    expect(url.searchParams.get("state")).toBe("s2");
  });

  it("an expired or unknown login form answers an error page, not a redirect", async () => {
    const res = await fetch(`${fx.emu.urls.login}/services/oauth2/authorize`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "request_id=nope&username=a&pw=b",
      redirect: "manual",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("invalid_request");
  });
});
