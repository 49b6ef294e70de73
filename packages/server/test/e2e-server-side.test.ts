import { generateKeyPairSync } from "node:crypto";
import { DEMO } from "@forcelink/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectionView } from "./support/connect-pages.ts";
import { type Harness, startHarness } from "./support/harness.ts";

let h: Harness;
const { privateKey, publicKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

beforeAll(async () => {
  h = await startHarness({ accounts: 5, logs: true });
});
afterAll(async () => {
  await h?.close();
});

interface ApiError {
  error: { code: string; message: string; remedy?: string };
}

async function connect(
  body: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown> & Partial<ApiError> }> {
  const res = await h.api("/v1/connections", { method: "POST", body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & Partial<ApiError> };
}

const QUERY = `/services/data/v67.0/query?q=${encodeURIComponent("SELECT Id, Name FROM Account LIMIT 2")}`;

describe("client credentials", () => {
  let providerAppId: string;
  beforeAll(async () => {
    providerAppId = (await h.demoProviderApp({ name: "Client credentials", clientCredentials: { enabled: true } })).id;
  });

  it("connects on the org's My Domain as the app's run-as user", async () => {
    const { status, body } = await connect({
      flow: "client_credentials",
      providerAppId,
      endUserId: "cc-customer",
      myDomain: "forcelink-demo.my.salesforce.com",
    });
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body).toMatchObject({
      authFlow: "client_credentials",
      environment: "mydomain",
      status: "active",
      endUserId: "cc-customer",
      orgId: h.org.organizationId,
      username: DEMO.admin.username,
      instanceUrl: h.emulator.urls.myDomain,
      hasRefreshToken: false,
    });
  });

  it("refuses a provider app whose client-credentials flow is off, saying how to turn it on", async () => {
    const plain = (await h.demoProviderApp({ name: "No client credentials" })).id;
    const { status, body } = await connect({
      flow: "client_credentials",
      providerAppId: plain,
      endUserId: "cc-off",
      myDomain: "forcelink-demo",
    });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: "client_credentials_disabled" });
    expect(body.error!.remedy).toMatch(/clientCredentials\.enabled = true/);
  });

  it("refuses a My Domain that is not one, before calling Salesforce", async () => {
    const before = h.tokenCalls();
    const { status, body } = await connect({
      flow: "client_credentials",
      providerAppId,
      endUserId: "cc-bad",
      myDomain: "login.salesforce.com",
    });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: "invalid_my_domain" });
    expect(body.error!.message).toMatch(/generic login page/);
    expect(h.tokenCalls()).toBe(before);
  });

  it("explains 'no client credentials user enabled' with where to pick the Run As user", async () => {
    h.admin.updateApp(h.appId, { clientCredentialsUser: null });
    try {
      const { status, body } = await connect({
        flow: "client_credentials",
        providerAppId,
        endUserId: "cc-no-user",
        myDomain: "forcelink-demo",
      });
      expect(status).toBe(400);
      expect(body.error!.code).toBe("salesforce_invalid_grant");
      expect(body.error!.message).toContain("no client credentials user enabled");
      expect(body.error!.remedy).toMatch(/Enable Client Credentials Flow.*Run As user/);
    } finally {
      h.admin.updateApp(h.appId, { clientCredentialsUser: DEMO.admin.username });
    }
  });

  it("explains 'request not supported on this domain' when the token call lands on a login host", async () => {
    // Every valid My Domain maps to the emulator's My Domain host here, so a second server maps
    // My Domain onto the emulator's login host: Salesforce's answer is then the real one.
    const second = await startHarness({
      emulator: false,
      env: {
        FORCELINK_SALESFORCE_LOGIN_URL: h.emulator.urls.login,
        FORCELINK_SALESFORCE_SANDBOX_URL: h.emulator.urls.test,
        FORCELINK_SALESFORCE_MYDOMAIN_URL: h.emulator.urls.login,
      },
    });
    try {
      const app = await second.api("/v1/provider-apps", {
        method: "POST",
        body: {
          name: "CC",
          kind: "external_client_app",
          clientId: DEMO.app.clientId,
          clientSecret: DEMO.app.clientSecret,
          clientCredentials: { enabled: true },
        },
      });
      expect(app.status).toBe(201);
      const appId = ((await app.json()) as { id: string }).id;
      const res = await second.api("/v1/connections", {
        method: "POST",
        body: {
          flow: "client_credentials",
          providerAppId: appId,
          endUserId: "cc-login-host",
          myDomain: "forcelink-demo",
        },
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as ApiError;
      expect(body.error.code).toBe("salesforce_invalid_grant");
      expect(body.error.message).toContain("request not supported on this domain");
      expect(body.error.remedy).toMatch(
        /only on the org's My Domain.*never on login\.salesforce\.com or test\.salesforce\.com/,
      );
    } finally {
      await second.close();
    }
  });
});

describe("JWT bearer", () => {
  let providerAppId: string;
  beforeAll(async () => {
    h.admin.updateApp(h.appId, {
      jwtCertificate: publicKey,
      permittedUsers: "admin_approved",
      preauthorized: ["System Administrator"],
    });
    providerAppId = (await h.demoProviderApp({ name: "JWT", jwt: { username: DEMO.admin.username, privateKey } })).id;
  });

  it("connects a pre-authorized user", async () => {
    const { status, body } = await connect({ flow: "jwt_bearer", providerAppId, endUserId: "jwt-customer" });
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body).toMatchObject({
      authFlow: "jwt_bearer",
      environment: "production",
      status: "active",
      orgId: h.org.organizationId,
      username: DEMO.admin.username,
      instanceUrl: h.emulator.urls.myDomain,
      hasRefreshToken: false,
    });
  });

  it("connects through the org's My Domain", async () => {
    const { status, body } = await connect({
      flow: "jwt_bearer",
      providerAppId,
      endUserId: "jwt-mydomain",
      myDomain: "forcelink-demo",
    });
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body).toMatchObject({ authFlow: "jwt_bearer", environment: "mydomain", username: DEMO.admin.username });
  });

  it("explains 'user hasn't approved this consumer' for a user nobody pre-authorized", async () => {
    const { status, body } = await connect({
      flow: "jwt_bearer",
      providerAppId,
      endUserId: "jwt-unapproved",
      username: DEMO.integration.username,
    });
    expect(status).toBe(400);
    expect(body.error!.code).toBe("salesforce_invalid_grant");
    expect(body.error!.message).toContain("user hasn't approved this consumer");
    expect(body.error!.remedy).toMatch(
      /approve the app once, or an admin must pre-authorize them.*Admin approved users are pre-authorized/,
    );
  });

  it("explains a wrong audience (sandbox chosen for a production org)", async () => {
    const { status, body } = await connect({
      flow: "jwt_bearer",
      providerAppId,
      endUserId: "jwt-audience",
      environment: "sandbox",
    });
    expect(status).toBe(400);
    expect(body.error!.message).toContain("audience is invalid");
    expect(body.error!.remedy).toMatch(/audience must be the environment's login host/);
  });

  it("refuses a provider app without a JWT key", async () => {
    const plain = (await h.demoProviderApp({ name: "No JWT" })).id;
    const { status, body } = await connect({ flow: "jwt_bearer", providerAppId: plain, endUserId: "jwt-none" });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: "jwt_not_configured" });
    expect(body.error!.remedy).toMatch(/jwt: \{username, privateKey\}/);
  });
});

describe("connections made by the server, in use", () => {
  it("proxy through both flows, and renew by the same flow after Salesforce ends the sessions", async () => {
    const apps = (await (await h.api("/v1/provider-apps")).json()) as { data: Array<{ id: string; name: string }> };
    const cc = apps.data.find((a) => a.name === "Client credentials")!.id;
    const jwt = apps.data.find((a) => a.name === "JWT")!.id;
    const made = await Promise.all([
      connect({ flow: "client_credentials", providerAppId: cc, endUserId: "in-use-cc", myDomain: "forcelink-demo" }),
      connect({ flow: "jwt_bearer", providerAppId: jwt, endUserId: "in-use-jwt" }),
    ]);
    const ids = made.map((m) => {
      expect(m.status, JSON.stringify(m.body)).toBe(201);
      return m.body.id as string;
    });

    for (const id of ids) {
      const res = await h.api(`/v1/connections/${id}/proxy${QUERY}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { records: unknown[] }).records).toHaveLength(2);
    }

    h.org.sessions.expireAll();
    const grantsBefore = h.org.sessions.grants.size;
    for (const id of ids) {
      const before = h.tokenCalls();
      const res = await h.api(`/v1/connections/${id}/proxy${QUERY}`);
      expect(res.status).toBe(200);
      // One token call, and no refresh token was ever involved: the flow itself was replayed.
      expect(h.tokenCalls()).toBe(before + 1);
      const conn = await connectionView(h, id);
      expect(conn).toMatchObject({ status: "active", hasRefreshToken: false });
      expect(conn.lastRefreshAt).not.toBeNull();
    }
    expect(h.org.sessions.grants.size).toBe(grantsBefore);
  });
});
