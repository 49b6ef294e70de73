import { DEMO } from "@forcelink/emulator";
import { apiErrorFrom, OAuthFailure, transportFailureFrom } from "@forcelink/salesforce";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpErrorFrom } from "../src/http/http-error.ts";
import { Problem } from "../src/remedies/problem.ts";
import { type Harness, startHarness } from "./support/harness.ts";
import { closedPort } from "./support/receiver.ts";

/**
 * The one mapping from an error to an HTTP answer (httpErrorFrom), through the real server and
 * the emulated org: each kind of failure gets its status and a remedy. The customer-action (409)
 * and retryable (503) kinds are exercised by the checklist and lifecycle suites.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ accounts: 5, logs: true });
});
afterAll(async () => {
  await h?.close();
});

interface ApiError {
  error: { code: string; message: string; remedy?: string; details?: { reason?: string } };
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
    const port = await closedPort();
    const second = await startHarness({
      emulator: false,
      env: {
        FORCELINK_SALESFORCE_LOGIN_URL: h.emulator.urls.login,
        FORCELINK_SALESFORCE_MYDOMAIN_URL: `http://127.0.0.1:${port}`,
      },
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

type MappingRow = [what: string, error: unknown, status: number, code: string];
const mappingRows: MappingRow[] = [
  [
    "no answer (connection refused)",
    transportFailureFrom(Object.assign(new Error("x"), { code: "ECONNREFUSED" })),
    502,
    "salesforce_unreachable",
  ],
  [
    "no answer in time",
    transportFailureFrom(Object.assign(new Error("x"), { code: "ETIMEDOUT" })),
    504,
    "salesforce_timeout",
  ],
  ["an OAuth call without an answer", new OAuthFailure("network_error", "", 0), 502, "salesforce_unreachable"],
  [
    "a refresh token revoked",
    new OAuthFailure("invalid_grant", "expired access/refresh token", 400),
    409,
    "connection_needs_reauth",
  ],
  ["a token endpoint answering 503", new OAuthFailure("server_error", "", 503), 503, "salesforce_unavailable"],
  [
    "a wrong consumer secret",
    new OAuthFailure("invalid_client", "invalid client credentials", 400),
    400,
    "salesforce_invalid_client",
  ],
  [
    "a hidden field",
    apiErrorFrom(400, '[{"errorCode":"INVALID_FIELD","message":"No such column"}]'),
    409,
    "customer_action_needed",
  ],
  [
    "a locked row",
    apiErrorFrom(400, '[{"errorCode":"UNABLE_TO_LOCK_ROW","message":"locked"}]'),
    503,
    "salesforce_unavailable",
  ],
  [
    "a malformed query (ours)",
    apiErrorFrom(400, '[{"errorCode":"MALFORMED_QUERY","message":"bad"}]'),
    502,
    "salesforce_refused",
  ],
  [
    "a domain problem: the customer must act",
    new Problem("customer-action", "connection_needs_reauth", "m"),
    409,
    "connection_needs_reauth",
  ],
  ["a domain problem: bad input", new Problem("bad-input", "invalid_my_domain", "m"), 400, "invalid_my_domain"],
  ["a domain problem: retryable", new Problem("retryable", "busy", "m", { retryAfterSeconds: 30 }), 503, "busy"],
  ["our bug", new TypeError("cannot read properties of undefined (reading 'secret')"), 500, "internal_error"],
];

describe("httpErrorFrom decides the status from the error's kind", () => {
  it.each(mappingRows)("%s", (_what, error, status, code) => {
    const answer = httpErrorFrom(error);
    expect(answer.status).toBe(status);
    expect(answer.code).toBe(code);
    if (!(error instanceof Problem) && status >= 400 && status !== 500) expect(answer.remedy, "a remedy").toBeTruthy();
    if (status === 500) expect(answer.message).not.toMatch(/secret|undefined/);
  });

  it("sends Retry-After when the problem knows it", () => {
    expect(httpErrorFrom(new Problem("retryable", "busy", "m", { retryAfterSeconds: 30 })).retryAfterSeconds).toBe(30);
  });
});
