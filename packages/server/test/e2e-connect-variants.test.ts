import { DEMO, DEMO_SEED } from "@forcelink/emulator";
import { AuthorizeFlowError, completeAuthorize, pageError } from "@forcelink/emulator/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectionView,
  connectThroughPages,
  createConnectSession,
  getPage,
  pageText,
  remedySteps,
  sessionStatus,
  submitConnectPage,
} from "./support/connect-pages.ts";
import { type Harness, startHarness } from "./support/harness.ts";

/** The login page's words for any refused login (wrong password, or a user this login host does not serve). */
const LOGIN_REFUSED = "Please check your username and password";

describe("a sandbox org", () => {
  let h: Harness;
  let providerAppId: string;

  beforeAll(async () => {
    h = await startHarness({
      logs: true,
      seed: { ...DEMO_SEED, org: { ...DEMO_SEED.org, isSandbox: true }, generate: {} },
    });
    providerAppId = (await h.demoProviderApp()).id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it("is refused at Salesforce's login page when the customer picks Production; coming back, they get help, and Sandbox connects", async () => {
    const session = await createConnectSession(h, { providerAppId, endUserId: "sandbox-customer" });
    const start = await submitConnectPage(session.url, { environment: "production" });
    expect(start.status).toBe(303);
    expect(new URL(start.location!).origin).toBe(new URL(h.emulator.urls.login).origin);

    // The production login host does not know sandbox users: Salesforce's login page refuses them.
    const refused = await completeAuthorize(
      start.location!,
      DEMO.integration.username,
      DEMO.integration.password,
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AuthorizeFlowError);
    const loginPage = (refused as AuthorizeFlowError).page;
    expect(loginPage.status).toBe(200);
    expect(pageError(loginPage.html)).toContain(LOGIN_REFUSED);
    expect(loginPage.html).toContain('id="login_form"');

    // Nothing came back to Forcelink: the session is still waiting for Salesforce.
    expect((await sessionStatus(h, session.id)).status).toBe("authorizing");

    // The customer opens the link again: the page explains what may have stopped them.
    const again = await getPage(session.url);
    expect(again.status).toBe(200);
    expect(again.html).toContain('id="stuck-help"');
    expect(pageText(again.html)).toContain("Didn't make it back from Salesforce?");
    // The environment tried last is preselected.
    expect(again.html).toMatch(/id="env-production"\s+checked/);

    const sandbox = await submitConnectPage(session.url, { environment: "sandbox" });
    expect(sandbox.status).toBe(303);
    expect(new URL(sandbox.location!).origin).toBe(new URL(h.emulator.urls.test).origin);
    const outcome = await completeAuthorize(sandbox.location!, DEMO.integration.username, DEMO.integration.password);
    const result = await fetch(outcome.location);
    const html = await result.text();
    expect(result.status).toBe(200);
    expect(pageText(html)).toContain("Salesforce is connected");

    const status = await sessionStatus(h, session.id);
    expect(status).toMatchObject({ status: "completed", environment: "sandbox" });
    const conn = await connectionView(h, status.connectionId!);
    expect(conn).toMatchObject({
      status: "active",
      environment: "sandbox",
      orgId: h.org.organizationId,
      username: DEMO.integration.username,
      instanceUrl: h.emulator.urls.myDomain,
      hasRefreshToken: true,
    });
    const proxied = await h.api(
      `/v1/connections/${conn.id}/proxy/services/data/v67.0/query?q=${encodeURIComponent("SELECT IsSandbox FROM Organization")}`,
    );
    expect(proxied.status).toBe(200);
    expect(((await proxied.json()) as { records: Array<{ IsSandbox: boolean }> }).records[0].IsSandbox).toBe(true);
  });

  it("connects through the sandbox's My Domain", async () => {
    const run = await connectThroughPages(h, {
      providerAppId,
      form: { environment: "mydomain", myDomain: "https://forcelink-demo--uat.sandbox.my.salesforce.com/" },
      username: DEMO.admin.username,
      password: DEMO.admin.password,
    });
    expect(new URL(run.authorizeUrl).origin).toBe(new URL(h.emulator.urls.myDomain).origin);
    expect(run.result.status).toBe(200);
    const status = await sessionStatus(h, run.session.id);
    expect(status).toMatchObject({
      status: "completed",
      environment: "mydomain",
      myDomain: "forcelink-demo--uat.sandbox.my.salesforce.com",
    });
    expect(await connectionView(h, status.connectionId!)).toMatchObject({
      status: "active",
      environment: "mydomain",
      username: DEMO.admin.username,
    });
  });
});

describe("a production org", () => {
  let h: Harness;
  let providerAppId: string;

  beforeAll(async () => {
    h = await startHarness({ accounts: 5, logs: true });
    providerAppId = (await h.demoProviderApp()).id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each([
    ["a bare name", "forcelink-demo", "forcelink-demo.my.salesforce.com"],
    ["upper case", "FORCELINK-DEMO.MY.SALESFORCE.COM", "forcelink-demo.my.salesforce.com"],
    ["a full URL with a slash", "https://forcelink-demo.my.salesforce.com/", "forcelink-demo.my.salesforce.com"],
    [
      "a URL with a path",
      "https://forcelink-demo.my.salesforce.com/lightning/page/home",
      "forcelink-demo.my.salesforce.com",
    ],
    ["spaces around it", "   forcelink-demo.my.salesforce.com  ", "forcelink-demo.my.salesforce.com"],
    ["http instead of https", "http://forcelink-demo.my.salesforce.com", "forcelink-demo.my.salesforce.com"],
    ["a trailing dot", "forcelink-demo.my.salesforce.com.", "forcelink-demo.my.salesforce.com"],
    [
      "a sandbox host",
      "forcelink-demo--uat.sandbox.my.salesforce.com",
      "forcelink-demo--uat.sandbox.my.salesforce.com",
    ],
    ["a bare sandbox name", "forcelink-demo--uat", "forcelink-demo--uat.sandbox.my.salesforce.com"],
    ["an old sandbox host", "forcelink-demo--uat.my.salesforce.com", "forcelink-demo--uat.sandbox.my.salesforce.com"],
    ["a Developer Edition name", "forcelink-demo-dev-ed", "forcelink-demo-dev-ed.develop.my.salesforce.com"],
  ])("takes My Domain typed as %s (%j) to the My Domain login", async (_label, typed, host) => {
    const session = await createConnectSession(h, { providerAppId, endUserId: "typing-customer" });
    const start = await submitConnectPage(session.url, { environment: "mydomain", myDomain: typed });
    expect(start.status, start.html.slice(0, 400)).toBe(303);
    const authorize = new URL(start.location!);
    expect(authorize.origin).toBe(new URL(h.emulator.urls.myDomain).origin);
    expect(authorize.pathname).toBe("/services/oauth2/authorize");
    expect(authorize.searchParams.get("client_id")).toBe(DEMO.app.clientId);
    expect(await sessionStatus(h, session.id)).toMatchObject({
      status: "authorizing",
      environment: "mydomain",
      myDomain: host,
    });
  });

  it.each([
    ["nothing", "", /Enter your My Domain/],
    [
      "the Lightning host",
      "acme.lightning.force.com",
      /user interface \(Lightning\).*Did you mean acme\.my\.salesforce\.com\?/,
    ],
    ["the Setup host", "acme.my.salesforce-setup.com", /Setup pages.*Did you mean acme\.my\.salesforce\.com\?/],
    ["the generic login host", "login.salesforce.com", /generic login page.*Choose "Production"/],
    ["the test login host", "https://test.salesforce.com", /generic login page.*Choose "Sandbox"/],
    ["an instance host", "na44.salesforce.com", /server address, not a My Domain/],
    ["a site host", "acme.my.site.com", /Experience Cloud site/],
    ["another website", "example.com", /not a Salesforce address/],
    ["a port", "acme.my.salesforce.com:8443", /do not use port 8443/],
    ["credentials", "https://me:pw@acme.my.salesforce.com", /user name or password/],
    ["a sandbox host without its sandbox name", "acme.sandbox.my.salesforce.com", /missing the sandbox name/],
    ["garbage", "<script>alert(1)</script>", /not a valid My Domain|not a web address|not a Salesforce host name/],
  ])(
    "refuses My Domain typed as %s and keeps the customer on the page with the reason",
    async (_label, typed, reason) => {
      const session = await createConnectSession(h, { providerAppId, endUserId: "typing-customer" });
      const page = await submitConnectPage(session.url, { environment: "mydomain", myDomain: typed });
      expect(page.status).toBe(400);
      expect(page.html).toContain('id="connect-form"');
      expect(page.html).toContain('id="error"');
      expect(pageText(page.html)).toMatch(reason);
      expect(page.html).not.toContain("<script>alert(1)</script>");
      // Nothing was started at Salesforce.
      expect((await sessionStatus(h, session.id)).status).toBe("pending");
    },
  );

  it("connects end to end with a bare My Domain name", async () => {
    const run = await connectThroughPages(h, {
      providerAppId,
      form: { environment: "mydomain", myDomain: "Forcelink-Demo" },
    });
    expect(run.result.status).toBe(200);
    const status = await sessionStatus(h, run.session.id);
    expect(status).toMatchObject({ status: "completed", myDomain: "forcelink-demo.my.salesforce.com" });
    const conn = await connectionView(h, status.connectionId!);
    expect(conn).toMatchObject({ environment: "mydomain", status: "active", instanceUrl: h.emulator.urls.myDomain });
  });

  it.each([
    [{ environment: "mydomain", myDomain: "forcelink-demo" }, "mydomain"],
    [{ environment: "sandbox" }, "sandbox"],
    [{ environment: "production" }, "production"],
    [{}, "production"],
  ])("preselects the environment the session names (%j)", async (preset, checked) => {
    const session = await createConnectSession(h, { providerAppId, endUserId: "preset-customer", ...preset });
    expect(session.status).toBe("pending");
    const page = await getPage(session.url);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(new RegExp(`id="env-${checked}"\\s+checked`));
    for (const other of ["production", "sandbox", "mydomain"].filter((e) => e !== checked))
      expect(page.html).not.toMatch(new RegExp(`id="env-${other}"\\s+checked`));
    if ("myDomain" in preset) expect(page.html).toContain(`value="${preset.myDomain}"`);
    expect(page.html).not.toContain('id="stuck-help"');
  });

  it("in a popup, posts the result to the opener, only to the returnUrl's origin, and links back with connection_id", async () => {
    const returnUrl = "https://app.example.com/settings/salesforce?tab=sf";
    const session = await createConnectSession(h, { providerAppId, endUserId: "popup-customer", returnUrl });
    expect(session.popupUrl).toBe(`${session.url}?display=popup`);
    const page = await getPage(session.popupUrl);
    expect(page.html).toContain("?display=popup");
    const start = await submitConnectPage(session.popupUrl, { environment: "production" });
    expect(start.status).toBe(303);
    expect(new URL(start.location!).searchParams.get("display")).toBe("popup");
    const outcome = await completeAuthorize(start.location!, DEMO.admin.username, DEMO.admin.password);
    const res = await fetch(outcome.location);
    const html = await res.text();
    expect(res.status).toBe(200);
    const { connectionId } = await sessionStatus(h, session.id);
    expect(connectionId).toMatch(/\S/);

    const posted = popupPost(html);
    expect(posted.message).toEqual({
      type: "forcelink:connect",
      status: "connected",
      connectionId,
      endUserId: "popup-customer",
      renewed: false,
      // What @forcelink/connect resolves with: the checks run at connection time, without their evidence.
      checklist: {
        passed: true,
        runId: expect.stringMatching(/^chk_/),
        summary: expect.objectContaining({ fail: 0 }),
        failing: [],
      },
    });
    expect(posted.targetOrigin).toBe("https://app.example.com");
    // The popup closes itself only when the checklist leaves nothing to read.
    const passed = /id="checklist"[^>]*data-passed="(\w+)"/.exec(html)?.[1];
    expect(passed).toBe("true");
    expect(posted.close).toBe(true);

    const back = /<a href="([^"]+)" id="return">/.exec(html)?.[1]?.replace(/&amp;/g, "&");
    expect(back).toBeDefined();
    const backUrl = new URL(back!);
    expect(backUrl.origin + backUrl.pathname).toBe("https://app.example.com/settings/salesforce");
    expect(backUrl.searchParams.get("tab")).toBe("sf");
    expect(backUrl.searchParams.get("connection_id")).toBe(connectionId);
  });

  it("as a page, sends no postMessage and still links back to the returnUrl with connection_id", async () => {
    const run = await connectThroughPages(h, {
      providerAppId,
      sessionBody: { returnUrl: "http://localhost:3000/after-connect" },
      username: DEMO.admin.username,
      password: DEMO.admin.password,
    });
    expect(run.result.status).toBe(200);
    expect(run.result.html).not.toContain('id="popup-message"');
    expect(run.result.html).not.toContain("<script");
    const { connectionId } = await sessionStatus(h, run.session.id);
    expect(run.result.html).toContain(`href="http://localhost:3000/after-connect?connection_id=${connectionId}"`);
  });

  it("a popup that fails without a returnUrl posts only its status to any opener ('*')", async () => {
    const session = await createConnectSession(h, { providerAppId, endUserId: "popup-denier" });
    const start = await submitConnectPage(session.popupUrl, { environment: "production" });
    // A user who never approved the app gets the approval page, and declines.
    const outcome = await completeAuthorize(start.location!, DEMO.platform.username, DEMO.platform.password, {
      approve: false,
    });
    expect(outcome.pages).toEqual(["login", "consent"]);
    const html = await (await fetch(outcome.location)).text();
    const posted = popupPost(html);
    expect(posted.message).toEqual({ type: "forcelink:connect", status: "failed" });
    expect(posted.targetOrigin).toBe("*");
    // A failure stays on screen for the customer to read.
    expect(posted.close).toBe(false);
  });

  it("warns when Salesforce grants no refresh token (the app in Salesforce lacks the refresh_token scope)", async () => {
    // Forcelink refuses a provider app that does not ask for refresh_token ...
    const noRefresh = await h.api("/v1/provider-apps", {
      method: "POST",
      body: {
        name: "No refresh",
        kind: "external_client_app",
        clientId: DEMO.app.clientId,
        clientSecret: DEMO.app.clientSecret,
        scopes: ["api", "id"],
      },
    });
    expect(noRefresh.status).toBe(400);
    expect(
      ((await noRefresh.json()) as { error: { details: Array<{ code: string }> } }).error.details.map((d) => d.code),
    ).toContain("refresh_scope_missing");
    // ... but the app in Salesforce may still lack it: Salesforce then signs the user in and
    // quietly leaves the refresh token out. The customer and the builder are told.
    const app = h.org.apps.get(h.appId)!;
    const scopes = [...app.scopes];
    h.admin.updateApp(h.appId, { scopes: ["api", "id"] });
    try {
      const session = await createConnectSession(h, { providerAppId, endUserId: "no-refresh" });
      const start = await submitConnectPage(session.url, { environment: "production" });
      const outcome = await completeAuthorize(start.location!, DEMO.admin.username, DEMO.admin.password);
      expect(new URL(outcome.location).searchParams.get("code")).toBeTruthy();
      const html = await (await fetch(outcome.location)).text();
      expect(pageText(html)).toContain("Salesforce is connected");
      expect(html).toContain('id="warning"');
      expect(pageText(html)).toMatch(/Perform requests at any time \(refresh_token, offline_access\)/);
      const status = await sessionStatus(h, session.id);
      expect(status.status).toBe("completed");
      const conn = (await (await h.api(`/v1/connections/${status.connectionId}`)).json()) as {
        hasRefreshToken: boolean;
      };
      expect(conn.hasRefreshToken).toBe(false);
    } finally {
      h.admin.updateApp(h.appId, { scopes });
    }
  });

  describe("reconnecting a connection", () => {
    let connectionId: string;

    beforeAll(async () => {
      const run = await connectThroughPages(h, {
        providerAppId,
        endUserId: "reconnecting-customer",
        username: DEMO.integration.username,
        password: DEMO.integration.password,
      });
      connectionId = (await sessionStatus(h, run.session.id)).connectionId!;
    });

    it("renews the same connection with new tokens after Salesforce revoked its grant", async () => {
      const userId = h.org.userByUsername(DEMO.integration.username)!.Id;
      h.org.sessions.revokeAllFor((g) => g.userId === userId);
      h.org.sessions.expireAll();
      const dead = await h.api(`/v1/connections/${connectionId}/proxy/services/data/v67.0/limits`);
      expect(dead.status).toBe(409);
      expect((await connectionView(h, connectionId)).status).toBe("needs_reauth");
      const [before] = await h.sql<{ access_token_sealed: string }>(
        "SELECT access_token_sealed FROM connections WHERE id = $1",
        [connectionId],
      );

      const run = await connectThroughPages(h, { providerAppId, sessionBody: { connectionId, endUserId: undefined } });
      expect(run.result.status).toBe(200);
      expect(pageText(run.result.html)).toContain("Salesforce is connected again");
      const status = await sessionStatus(h, run.session.id);
      expect(status).toMatchObject({ status: "completed", connectionId });

      const conn = await connectionView(h, connectionId);
      expect(conn).toMatchObject({
        id: connectionId,
        status: "active",
        statusReason: null,
        reauth: null,
        hasRefreshToken: true,
        endUserId: "reconnecting-customer",
      });
      const [after] = await h.sql<{ access_token_sealed: string }>(
        "SELECT access_token_sealed FROM connections WHERE id = $1",
        [connectionId],
      );
      expect(after.access_token_sealed).not.toBe(before.access_token_sealed);
      const list = (await (await h.api("/v1/connections?endUserId=reconnecting-customer")).json()) as {
        data: unknown[];
      };
      expect(list.data).toHaveLength(1);
      const alive = await h.api(`/v1/connections/${connectionId}/proxy/services/data/v67.0/limits`);
      expect(alive.status).toBe(200);
    });

    it("refuses a sign-in to a different org and leaves the connection as it was", async () => {
      // The emulator serves one org, and every emulated org has the same id; so the stored
      // connection is made to belong to another org instead (the server compares org ids).
      const otherOrg = "00D000000000OTHERA";
      await h.sql("UPDATE connections SET org_id = $1 WHERE id = $2", [otherOrg, connectionId]);
      try {
        const run = await connectThroughPages(h, { providerAppId, sessionBody: { connectionId } });
        expect(run.result.status).toBe(409);
        const text = pageText(run.result.html);
        expect(text).toContain("That is a different Salesforce org");
        expect(text).toContain(otherOrg);
        expect(text).toContain(h.org.organizationId);
        expect(remedySteps(run.result.html).join(" ")).toMatch(/sign in to the org that was connected before/);
        expect(await sessionStatus(h, run.session.id)).toMatchObject({
          status: "failed",
          error: { code: "different_org" },
        });
        expect(await connectionView(h, connectionId)).toMatchObject({ orgId: otherOrg, status: "active" });
      } finally {
        await h.sql("UPDATE connections SET org_id = $1 WHERE id = $2", [h.org.organizationId, connectionId]);
      }
    });

    it("refuses to reconnect a connection of another provider app or an unknown one", async () => {
      const other = await h.api("/v1/provider-apps", {
        method: "POST",
        body: {
          name: "Other",
          kind: "external_client_app",
          clientId: "3MVG9OtherConsumerKey",
          clientSecret: "other-consumer-secret",
        },
      });
      const otherId = ((await other.json()) as { id: string }).id;
      for (const body of [
        { providerAppId: otherId, connectionId },
        { providerAppId, connectionId: "conn_does_not_exist" },
      ]) {
        const res = await h.api("/v1/connect-sessions", { method: "POST", body });
        expect(res.status).toBe(404);
        const err = (await res.json()) as { error: { code: string; message: string } };
        expect(err.error.code).toBe("not_found");
        expect(err.error.message).toContain(body.connectionId);
      }
    });
  });
});

/** What a popup's result page posts to its opener: the page's JSON data block, which its one script reads. */
function popupPost(html: string): { message: Record<string, unknown>; targetOrigin: string; close: boolean } {
  const data = /<script type="application\/json" id="popup-message">([\s\S]*?)<\/script>/.exec(html)?.[1];
  expect(data, html.slice(-600)).toBeDefined();
  return JSON.parse(data!) as { message: Record<string, unknown>; targetOrigin: string; close: boolean };
}
