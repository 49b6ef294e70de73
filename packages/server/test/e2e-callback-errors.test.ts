import { DEMO } from "@forcelink/emulator";
import { AuthorizeFlowError, completeAuthorize, pageError } from "@forcelink/emulator/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import {
  connectThroughPages,
  createConnectSession,
  getPage,
  pageText,
  remedySteps,
  sessionStatus,
  submitConnectPage,
} from "./support/connect-pages.ts";
import { type Harness, startHarness } from "./support/harness.ts";

let h: Harness;
let providerAppId: string;
let users = 0;

beforeAll(async () => {
  h = await startHarness({ accounts: 5, logs: true });
  providerAppId = (await h.demoProviderApp()).id;
});
afterAll(async () => {
  await h?.close();
});

/** The demo app's policies and the org's settings as they were, restored after each case. */
let appBefore: Record<string, unknown> | undefined;
let ipTrustedBefore: boolean | undefined;
afterEach(() => {
  if (appBefore) h.admin.updateApp(h.appId, structuredClone(appBefore));
  if (ipTrustedBefore !== undefined) h.org.settings.clientIpTrusted = ipTrustedBefore;
  appBefore = undefined;
  ipTrustedBefore = undefined;
});
function rememberPolicies() {
  appBefore = structuredClone({ ...h.org.apps.get(h.appId)! });
  ipTrustedBefore = h.org.settings.clientIpTrusted;
}

/** The emulator's control surface, over HTTP as a test script would use it. */
async function control(method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${h.emulator.urls.login}/__emulator${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
}

/** A user of its own for each case, so no earlier approval or grant changes what Salesforce shows. */
function freshUser(profile = "Standard User", permissionSets: string[] = ["Forcelink_Integration"]) {
  users++;
  const username = `callback-${users}@forcelink-demo.example`;
  const password = `callback-password-${users}`;
  h.admin.user({ username, password, profile, permissionSets });
  return { username, password };
}

async function connectionsOf(endUserId: string): Promise<unknown[]> {
  return ((await (await h.api(`/v1/connections?endUserId=${endUserId}`)).json()) as { data: unknown[] }).data;
}

interface CallbackCase {
  name: string;
  /** Changes made in Salesforce before the customer opens the link. */
  before?: () => void | Promise<void>;
  /** Changes made while the customer is at Salesforce, after it sent them back (the code exchange sees them). */
  beforeCallback?: (callbackUrl: string) => void | Promise<void>;
  approve?: boolean;
  /** The `error` Salesforce puts in the callback, if it reports one there. */
  salesforceError?: string;
  status: number;
  title: string;
  message: RegExp;
  steps: RegExp;
  code: string;
}

const cases: CallbackCase[] = [
  {
    name: "the customer clicks Deny on Salesforce's approval page",
    approve: false,
    salesforceError: "access_denied",
    status: 403,
    title: "Access was not approved",
    message: /approval page was declined/,
    steps: /choose Allow/,
    code: "access_denied",
  },
  {
    name: "the app became admin-approved and the user is not pre-authorized (seen at the code exchange: invalid_app_access)",
    beforeCallback: () => {
      h.admin.updateApp(h.appId, { permittedUsers: "admin_approved", preauthorized: ["System Administrator"] });
    },
    status: 403,
    title: "Your user is not approved for this app",
    message: /only lets users an admin approved connect/,
    steps: /Manage Connected Apps.*Profiles or Permission Sets.*All users may self-authorize/,
    code: "not_admin_approved",
  },
  {
    name: "the app enforces IP restrictions and the server is outside the trusted ranges (at the code exchange)",
    beforeCallback: async () => {
      await control("PATCH", `/apps/${DEMO.app.clientId}`, { ipRelaxation: "enforce" });
      await control("PATCH", "/org", { clientIpTrusted: false });
    },
    status: 403,
    title: "Salesforce refused the login from this network or at this time",
    message: /restricts logins by IP address or login hours/,
    steps: /IP Relaxation.*Relax IP restrictions.*Login IP Ranges.*Login Hours/,
    code: "ip_restricted",
  },
  {
    name: "the authorization code expired before the callback was loaded",
    beforeCallback: () => h.org.clock.advance(16 * 60_000),
    status: 400,
    title: "Salesforce could not verify the sign-in",
    message: /did not accept this sign-in's one-time code: .* Salesforce said: "[^"]*authorization code[^"]*"/,
    steps: /Connect again from the start/,
    code: "code_rejected",
  },
  {
    name: "the authorization code was redeemed by someone else first",
    beforeCallback: async (callbackUrl) => {
      // A second redemption (an interceptor, a double submit) burns the one-time code.
      const code = new URL(callbackUrl).searchParams.get("code")!;
      const res = await fetch(`${h.emulator.urls.login}/services/oauth2/token`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code,
          client_id: DEMO.app.clientId,
          client_secret: DEMO.app.clientSecret,
          redirect_uri: `${h.server.url}/oauth/callback`,
          code_verifier: "not-the-verifier",
        }),
      });
      expect(res.status).toBe(400);
    },
    status: 400,
    title: "Salesforce could not verify the sign-in",
    message: /did not accept this sign-in's one-time code: .* Salesforce said: "[^"]*authorization code[^"]*"/,
    steps: /Connect again from the start/,
    code: "code_rejected",
  },
  {
    name: "the user was deactivated before the code exchange",
    beforeCallback: () => {
      h.admin.setUserActive(h.org.userByUsername(lastUser.username)!.Id, false);
    },
    status: 403,
    title: "Your user or org is inactive",
    message: /inactive/,
    steps: /activate it/,
    code: "inactive_user",
  },
  {
    name: "the app in Salesforce allows none of the scopes Forcelink asks for (invalid_scope)",
    before: () => {
      // Salesforce drops scopes the app does not allow; it refuses only when nothing is left.
      h.admin.updateApp(h.appId, { scopes: ["chatter_api", "web"] });
    },
    salesforceError: "invalid_scope",
    status: 400,
    title: "The app asks for access Salesforce does not allow it",
    message: /refused one of the OAuth scopes/,
    steps: /builder adds the missing OAuth scopes/,
    code: "invalid_scope",
  },
];
let lastUser = { username: "", password: "" };

describe("each error path of the OAuth callback, from its real cause", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    rememberPolicies();
    lastUser = freshUser();
    const endUserId = `callback-case-${users}`;
    await c.before?.();
    const run = await connectThroughPages(h, {
      providerAppId,
      endUserId,
      username: lastUser.username,
      password: lastUser.password,
      approve: c.approve,
      beforeCallback: c.beforeCallback,
    });
    expect(new URL(run.callbackUrl).origin + new URL(run.callbackUrl).pathname).toBe(`${h.server.url}/oauth/callback`);
    if (c.salesforceError) expect(new URL(run.callbackUrl).searchParams.get("error")).toBe(c.salesforceError);

    // What the customer sees: what happened, and what their admin (or the builder) must change.
    expect(run.result.status).toBe(c.status);
    const text = pageText(run.result.html);
    expect(run.result.html).toContain('data-status="failed"');
    expect(text).toContain(c.title);
    expect(text).toMatch(c.message);
    const steps = remedySteps(run.result.html);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.join(" ")).toMatch(c.steps);
    expect(text).not.toMatch(/undefined|null|\[object/);

    // What the builder sees.
    const status = await sessionStatus(h, run.session.id);
    expect(status).toMatchObject({ status: "failed", connectionId: null, error: { code: c.code, message: c.title } });
    expect(await connectionsOf(endUserId)).toEqual([]);

    // The customer can come back to the link, sees what went wrong, and may try again.
    const again = await getPage(run.session.url);
    expect(again.status).toBe(200);
    expect(pageText(again.html)).toContain(c.title);
    expect(again.html).toContain('id="connect-form"');
  });

  it("the wrong consumer secret in the provider app fails the exchange with a message for the builder", async () => {
    const rotated = await h.api(`/v1/provider-apps/${providerAppId}/rotate-secret`, {
      method: "POST",
      body: { clientSecret: "not-the-consumer-secret" },
    });
    expect(rotated.status).toBe(200);
    try {
      const user = freshUser();
      const run = await connectThroughPages(h, { providerAppId, endUserId: "wrong-secret", ...user });
      expect(run.result.status).toBe(400);
      const text = pageText(run.result.html);
      expect(text).toContain("The app is not set up correctly");
      expect(text).toContain("This is for the app's builder to fix; nothing is wrong with your org.");
      expect(remedySteps(run.result.html).join(" ")).toMatch(/consumer key and secret/);
      expect(text).not.toContain("not-the-consumer-secret");
      expect(await sessionStatus(h, run.session.id)).toMatchObject({
        status: "failed",
        error: { code: "invalid_client" },
      });
      expect(await connectionsOf("wrong-secret")).toEqual([]);
    } finally {
      const back = await h.api(`/v1/provider-apps/${providerAppId}/rotate-secret`, {
        method: "POST",
        body: { clientSecret: DEMO.app.clientSecret },
      });
      expect(back.status).toBe(200);
    }
  });
});

describe("when Salesforce keeps the customer on its own pages", () => {
  /** Opens the link, picks Production and follows Salesforce until it stops somewhere that is not our callback. */
  async function stuckAtSalesforce(user: { username: string; password: string }, endUserId: string) {
    const session = await createConnectSession(h, { providerAppId, endUserId });
    const start = await submitConnectPage(session.url, { environment: "production" });
    expect(start.status).toBe(303);
    const outcome = await completeAuthorize(start.location!, user.username, user.password).catch((e: unknown) => e);
    return { session, outcome };
  }

  async function expectStuckHelp(session: { id: string; url: string }, remedy: RegExp) {
    expect((await sessionStatus(h, session.id)).status).toBe("authorizing");
    const back = await getPage(session.url);
    expect(back.status).toBe(200);
    expect(back.html).toContain('id="stuck-help"');
    expect(pageText(back.html)).toMatch(remedy);
    // Fifteen minutes later the builder's view says the customer stalled, and why that happens.
    await h.sql("UPDATE connect_sessions SET started_at = now() - interval '16 minutes' WHERE id = $1", [session.id]);
    const stalled = await sessionStatus(h, session.id);
    expect(stalled.status).toBe("stalled");
    expect(stalled.hint).toMatch(
      /did not come back.*installed in their org.*Approve Uninstalled Connected Apps.*admin approval/,
    );
  }

  it("app not installed, user without Approve Uninstalled Connected Apps: Salesforce's generic error page, then help on the connect page", async () => {
    rememberPolicies();
    h.admin.updateApp(h.appId, { installed: false });
    const { session, outcome } = await stuckAtSalesforce(DEMO.platform, "stuck-uninstalled");
    const errorPageUrl = (outcome as { location: string }).location;
    expect(new URL(errorPageUrl).pathname).toBe("/setup/secur/RemoteAccessErrorPage.apexp");
    expect(new URL(errorPageUrl).searchParams.get("error_description")).toBe("app must be installed into org");
    const sfPage = await getPage(errorPageUrl);
    expect(pageError(sfPage.html)).toContain("OAUTH_APPROVAL_ERROR_GENERIC");
    await expectStuckHelp(
      session,
      /OAUTH_APPROVAL_ERROR_GENERIC.*Install the app in your org.*Approve Uninstalled Connected Apps/,
    );
  });

  it("admin-approved app, user not pre-authorized: Salesforce's OAUTH_APP_ACCESS_DENIED page, then help on the connect page", async () => {
    rememberPolicies();
    h.admin.updateApp(h.appId, { permittedUsers: "admin_approved", preauthorized: ["System Administrator"] });
    const { session, outcome } = await stuckAtSalesforce(freshUser(), "stuck-admin-approved");
    const errorPageUrl = (outcome as { location: string }).location;
    expect(new URL(errorPageUrl).pathname).toBe("/setup/secur/RemoteAccessErrorPage.apexp");
    const sfPage = await getPage(errorPageUrl);
    expect(pageError(sfPage.html)).toBe("OAUTH_APP_ACCESS_DENIED : user is not admin approved to access this app");
    await expectStuckHelp(session, /not admin approved.*Profiles \/ Permission Sets/);
  });

  it("IP restrictions enforced at login: Salesforce's login page refuses, then help on the connect page", async () => {
    rememberPolicies();
    await control("PATCH", `/apps/${DEMO.app.clientId}`, { ipRelaxation: "enforce" });
    await control("PATCH", "/org", { clientIpTrusted: false });
    const { session, outcome } = await stuckAtSalesforce(freshUser(), "stuck-ip");
    expect(outcome).toBeInstanceOf(AuthorizeFlowError);
    expect(pageError((outcome as AuthorizeFlowError).page.html)).toBe("IP restricted or invalid login hours");
    expect((await sessionStatus(h, session.id)).status).toBe("authorizing");
    expect((await getPage(session.url)).html).toContain('id="stuck-help"');
  });

  it("the callback URL is not registered in the app: Salesforce's redirect_uri_mismatch page", async () => {
    rememberPolicies();
    h.admin.updateApp(h.appId, { callbackUrls: DEMO.app.callbackUrls });
    const { session, outcome } = await stuckAtSalesforce(freshUser(), "stuck-callback");
    const sfPage = await getPage((outcome as { location: string }).location);
    expect(pageError(sfPage.html)).toBe("redirect_uri_mismatch : redirect_uri must match configuration");
    expect((await sessionStatus(h, session.id)).status).toBe("authorizing");
  });
});

describe("callbacks that cannot be trusted", () => {
  /** Runs the flow up to Salesforce's redirect to the callback, without loading it. */
  async function untilCallback(endUserId: string) {
    const user = freshUser();
    const session = await createConnectSession(h, { providerAppId, endUserId });
    const start = await submitConnectPage(session.url, { environment: "production" });
    const outcome = await completeAuthorize(start.location!, user.username, user.password);
    return { session, callbackUrl: outcome.location };
  }

  it("a reloaded callback shows the same result, makes no second exchange and no second connection", async () => {
    const { session, callbackUrl } = await untilCallback("replayed");
    const first = await fetch(callbackUrl);
    expect(first.status).toBe(200);
    const firstHtml = await first.text();
    expect(pageText(firstHtml)).toContain("Salesforce is connected");
    const tokenCalls = h.tokenCalls();
    const { connectionId } = await sessionStatus(h, session.id);

    const second = await fetch(callbackUrl);
    expect(second.status).toBe(200);
    const html = await second.text();
    const text = pageText(html);
    expect(text).toContain("Salesforce is connected");
    expect(text).not.toMatch(/already used|not valid/);
    expect(html).toContain(`id="detail-connection-id">${connectionId}<`);
    // The checks shown are the ones run at connecting, not a new run; the "Check again" token is not minted twice.
    expect(/data-run="([^"]+)"/.exec(html)?.[1]).toBe(/data-run="([^"]+)"/.exec(firstHtml)?.[1]);
    expect(html).not.toContain('id="check-again"');
    expect(h.tokenCalls()).toBe(tokenCalls);
    expect(await connectionsOf("replayed")).toHaveLength(1);
    expect(await sessionStatus(h, session.id)).toMatchObject({ status: "completed" });

    // After the result page's hour, a reload says the sign-in is complete and shows nothing of it.
    await h.sql("UPDATE connect_sessions SET checklist_token_expires_at = now() - interval '1 minute' WHERE id = $1", [
      session.id,
    ]);
    const late = await fetch(callbackUrl);
    expect(late.status).toBe(410);
    const lateHtml = await late.text();
    expect(pageText(lateHtml)).toContain("This sign-in is complete");
    expect(lateHtml).not.toContain(connectionId!);
  });

  it("a tampered state is refused and does not spoil the real callback", async () => {
    const { session, callbackUrl } = await untilCallback("tampered");
    const tampered = new URL(callbackUrl);
    const state = tampered.searchParams.get("state")!;
    tampered.searchParams.set("state", `${state.slice(0, -2)}${state.endsWith("AA") ? "BB" : "AA"}`);
    const res = await fetch(tampered);
    expect(res.status).toBe(400);
    expect(pageText(await res.text())).toMatch(/does not match any sign-in in progress.*altered/);
    expect((await sessionStatus(h, session.id)).status).toBe("authorizing");

    const real = await fetch(callbackUrl);
    expect(real.status).toBe(200);
    expect((await sessionStatus(h, session.id)).status).toBe("completed");
  });

  it("a callback without state is refused", async () => {
    const { session, callbackUrl } = await untilCallback("stateless");
    const stripped = new URL(callbackUrl);
    stripped.searchParams.delete("state");
    const res = await fetch(stripped);
    expect(res.status).toBe(400);
    expect(pageText(await res.text())).toMatch(/carries no state/);
    expect((await sessionStatus(h, session.id)).status).toBe("authorizing");
    expect(await connectionsOf("stateless")).toEqual([]);
  });

  it("a callback after the link expired is refused and the session says expired", async () => {
    const { session, callbackUrl } = await untilCallback("late");
    // 31 minutes pass for the server (the link lives 30); the clock goes back once the test is done.
    h.clock.advance(31 * 60_000);
    onTestFinished(() => {
      h.clock.advance(-31 * 60_000);
    });
    const tokenCalls = h.tokenCalls();
    const res = await fetch(callbackUrl);
    expect(res.status).toBe(410);
    const html = await res.text();
    expect(pageText(html)).toContain("The sign-in took too long");
    expect(remedySteps(html)).toEqual(["Ask the app you came from for a new connect link."]);
    expect(h.tokenCalls()).toBe(tokenCalls);
    const status = await sessionStatus(h, session.id);
    expect(status.status).toBe("expired");
    expect(status.error).toMatchObject({ code: "expired" });
    expect(await connectionsOf("late")).toEqual([]);
    expect((await getPage(session.url)).status).toBe(410);
  });

  it("a completed link cannot be used again", async () => {
    const { session, callbackUrl } = await untilCallback("used-link");
    expect((await fetch(callbackUrl)).status).toBe(200);
    const again = await getPage(session.url);
    expect(again.status).toBe(410);
    expect(pageText(again.html)).toContain("This connect link was already used");
    const post = await submitConnectPage(session.url, { environment: "production" });
    expect(post.status).toBe(410);
    expect(post.location).toBeNull();
  });
});
