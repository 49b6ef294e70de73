import { createServer } from "node:net";
import { DEMO } from "@forcelink/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2eHarness, startE2eHarness, startSecondServer } from "./support/e2e-harness.ts";

/**
 * The one mapping from an error to an HTTP answer (httpErrorFrom), through the real server and
 * the emulated org: each kind of failure gets its status and a remedy. The customer-action (409)
 * and retryable (503) kinds are exercised by the checklist and lifecycle suites.
 */
let h: E2eHarness;
beforeAll(async () => {
  h = await startE2eHarness();
});
afterAll(async () => {
  await h?.close();
});

interface ApiError {
  error: { code: string; message: string; remedy?: string; details?: { reason?: string } };
}

/** A port nothing listens on: a connection to it is refused. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("httpErrorFrom, by the kind of failure", () => {
  it("a consumer key Salesforce does not know is the builder's to fix: 400, naming the likely causes in order", async () => {
    const app = await h.api("/v1/provider-apps", {
      method: "POST",
      body: {
        name: "Unknown key",
        kind: "external_client_app",
        clientId: "3MVG9-a-key-this-org-never-issued",
        clientSecret: DEMO.app.clientSecret,
        clientCredentials: { enabled: true },
      },
    });
    expect(app.status, await app.clone().text()).toBe(201);
    const providerAppId = ((await app.json()) as { id: string }).id;
    const res = await h.api("/v1/connections", {
      method: "POST",
      body: { flow: "client_credentials", providerAppId, endUserId: "unknown-key", myDomain: "forcelink-demo" },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ApiError;
    expect(body.error.code).toBe("salesforce_invalid_client_id");
    expect(body.error.details?.reason).toBe("oauth.consumer_key_unknown");
    const remedy = body.error.remedy ?? "";
    const order = [/client id is wrong/, /up to 10/, /special characters/].map((r) => remedy.search(r));
    expect(
      order.every((i) => i >= 0),
      remedy,
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("Salesforce that cannot be reached is a transport failure: 502 with a remedy, never a 500", async () => {
    const port = await deadPort();
    const second = await startSecondServer({
      FORCELINK_SALESFORCE_LOGIN_URL: h.emulator.urls.login,
      FORCELINK_SALESFORCE_MYDOMAIN_URL: `http://127.0.0.1:${port}`,
    });
    try {
      const app = await second.api("/v1/provider-apps", {
        method: "POST",
        body: {
          name: "Unreachable",
          kind: "external_client_app",
          clientId: DEMO.app.clientId,
          clientSecret: DEMO.app.clientSecret,
          clientCredentials: { enabled: true },
        },
      });
      expect(app.status).toBe(201);
      const providerAppId = ((await app.json()) as { id: string }).id;
      const res = await second.api("/v1/connections", {
        method: "POST",
        body: { flow: "client_credentials", providerAppId, endUserId: "unreachable", myDomain: "forcelink-demo" },
      });
      const body = (await res.json()) as ApiError;
      expect(res.status, JSON.stringify(body)).toBe(502);
      expect(body.error.code).toBe("salesforce_unreachable");
      expect(body.error.remedy).toBeTruthy();
      expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|at .*\.ts|stack/);
    } finally {
      await second.close();
    }
  });

  it("a refusal the server-side flow can fix stays 400 with the catalogue's remedy", async () => {
    const providerAppId = (await h.demoProviderApp({ name: "CC catalogue", clientCredentials: { enabled: true } })).id;
    h.admin.updateApp(h.appId, { clientCredentialsUser: null });
    try {
      const res = await h.api("/v1/connections", {
        method: "POST",
        body: { flow: "client_credentials", providerAppId, endUserId: "cc-catalogue", myDomain: "forcelink-demo" },
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as ApiError;
      expect(body.error.details?.reason).toBe("oauth.client_credentials_user_missing");
      expect(body.error.remedy).toMatch(/Run As user/);
    } finally {
      h.admin.updateApp(h.appId, { clientCredentialsUser: DEMO.admin.username });
    }
  });
});
