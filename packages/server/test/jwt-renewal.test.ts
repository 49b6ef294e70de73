import { generateKeyPairSync } from "node:crypto";
import { buildOrg, DEMO, DEMO_SEED, type RunningEmulator, startEmulator } from "@forcelink/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHarness, startHarness } from "./support/harness.ts";

const { privateKey, publicKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

type Org = ReturnType<typeof buildOrg>;

/** An emulated org whose demo app takes JWT assertions from the admin and the integration user. */
async function jwtOrg(isSandbox: boolean): Promise<{ built: Org; emulator: RunningEmulator }> {
  const built = buildOrg({ ...DEMO_SEED, org: { ...DEMO_SEED.org, isSandbox }, generate: {} });
  built.admin.updateApp(built.org.appByClientId(DEMO.app.clientId)!.id, {
    jwtCertificate: publicKey,
    permittedUsers: "admin_approved",
    preauthorized: ["System Administrator", "Standard User"],
  });
  return { built, emulator: await startEmulator({ org: built.org, port: 0 }) };
}

interface ConnectionView {
  id: string;
  orgId: string;
  userId: string;
  instanceUrl: string;
  environment: string;
  lastRefreshAt: string | null;
}

/**
 * Three JWT bearer connections of one provider app: the admin and the integration user of a
 * production org, and the integration user of a sandbox reached through its My Domain. After
 * Salesforce ends every session, each renews as itself, in its own org, with its own audience.
 */
describe("JWT bearer connections of one provider app renew from their own grant", () => {
  let production: Awaited<ReturnType<typeof jwtOrg>>;
  let sandbox: Awaited<ReturnType<typeof jwtOrg>>;
  let server: ServerHarness;
  let api: ServerHarness["api"];
  let providerAppId: string;

  beforeAll(async () => {
    production = await jwtOrg(false);
    sandbox = await jwtOrg(true);
    // Two orgs, so the server's Salesforce hosts are set here rather than by the harness's emulator.
    server = await startHarness({
      emulator: false,
      env: {
        FORCELINK_SALESFORCE_LOGIN_URL: production.emulator.urls.login,
        FORCELINK_SALESFORCE_SANDBOX_URL: sandbox.emulator.urls.test,
        FORCELINK_SALESFORCE_MYDOMAIN_URL: sandbox.emulator.urls.myDomain,
      },
    });
    api = server.api;
    const app = await api("/v1/provider-apps", {
      method: "POST",
      body: {
        name: "JWT",
        kind: "external_client_app",
        clientId: DEMO.app.clientId,
        clientSecret: DEMO.app.clientSecret,
        scopes: ["api", "refresh_token", "id"],
        jwt: { username: DEMO.admin.username, privateKey },
      },
    });
    expect(app.status, await app.clone().text()).toBe(201);
    providerAppId = ((await app.json()) as { id: string }).id;
  });

  afterAll(async () => {
    await server?.close();
    await production?.emulator.close();
    await sandbox?.emulator.close();
  });

  async function connect(endUserId: string, extra: Record<string, unknown>): Promise<ConnectionView> {
    const res = await api("/v1/connections", {
      method: "POST",
      body: { flow: "jwt_bearer", providerAppId, endUserId, ...extra },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as ConnectionView;
  }

  /** Who Salesforce says the connection's current token belongs to. */
  async function userinfo(id: string): Promise<{ preferred_username: string; user_id: string }> {
    const res = await api(`/v1/connections/${id}/proxy/services/oauth2/userinfo`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as { preferred_username: string; user_id: string };
  }

  const tokenCalls = (org: Org) => org.org.counters.snapshot().byEndpoint["POST /services/oauth2/token"] ?? 0;

  it("each connection refreshes as its own user, in its own org, with its own audience", async () => {
    // The production admin connects first: its lifecycle is the one every other connection of the app used to share.
    const admin = await connect("jwt-admin", { environment: "production" });
    const integration = await connect("jwt-integration", {
      environment: "production",
      username: DEMO.integration.username,
    });
    const sandboxed = await connect("jwt-sandbox", {
      environment: "sandbox",
      myDomain: "forcelink-demo",
      username: DEMO.integration.username,
    });
    expect(sandboxed.instanceUrl).toBe(sandbox.emulator.urls.myDomain);
    const expected = new Map([
      [admin.id, { view: admin, username: DEMO.admin.username }],
      [integration.id, { view: integration, username: DEMO.integration.username }],
      [sandboxed.id, { view: sandboxed, username: DEMO.integration.username }],
    ]);
    for (const [id, want] of expected) expect((await userinfo(id)).preferred_username).toBe(want.username);

    production.built.org.sessions.expireAll();
    sandbox.built.org.sessions.expireAll();
    const productionCalls = tokenCalls(production.built);
    const sandboxCalls = tokenCalls(sandbox.built);

    for (const [id, want] of expected) {
      // The data API answers 401 for the ended session (the identity service says 403): the proxy renews.
      const limits = await api(`/v1/connections/${id}/proxy/services/data/v67.0/limits`);
      expect(limits.status, await limits.clone().text()).toBe(200);
      const who = await userinfo(id);
      expect(who.preferred_username, `connection ${id} renewed as another user`).toBe(want.username);
      expect(who.user_id).toBe(want.view.userId);
      const after = (await (await api(`/v1/connections/${id}`)).json()) as ConnectionView & { status: string };
      expect(after).toMatchObject({
        status: "active",
        orgId: want.view.orgId,
        userId: want.view.userId,
        instanceUrl: want.view.instanceUrl,
      });
      expect(after.lastRefreshAt).not.toBeNull();
    }
    // Two renewals at the production login host, one at the sandbox's My Domain (whose org takes
    // only the sandbox audience: the production one is refused there).
    expect(tokenCalls(production.built) - productionCalls).toBe(2);
    expect(tokenCalls(sandbox.built) - sandboxCalls).toBe(1);
  });
});
