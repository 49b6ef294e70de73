import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExplainableFailure, explainFailure } from "../src/remedies/explain-failure.ts";
import { connectionView, connectThroughPages, sessionStatus } from "./support/connect-pages.ts";
import { type Harness, startHarness } from "./support/harness.ts";
import { registerWebhook, startReceiver } from "./support/receiver.ts";
import { waitFor } from "./support/wait.ts";

describe("a failure the checklist explains names its check and carries the remedy", () => {
  const cases: Array<[string, ExplainableFailure, string | undefined, RegExp | undefined]> = [
    [
      "a hidden field in a query",
      {
        checklistItem: "field-level-security",
        code: "INVALID_FIELD",
        message: "No such column 'Tier__c' on entity 'Account'. If you are attempting to use a custom field…",
      },
      "field-level-security",
      /Read Access for: Account\.Tier__c/,
    ],
    [
      "an object the user cannot read",
      {
        checklistItem: "object-access",
        code: "INVALID_TYPE",
        message: "sObject type 'Invoice__c' is not supported.",
      },
      "object-access",
      /^Invoice__c: Read$/,
    ],
    [
      "API Enabled off",
      { checklistItem: "api-enabled-permission", code: "API_CURRENTLY_DISABLED", message: "API is disabled" },
      "api-enabled-permission",
      /Tick 'API Enabled'/,
    ],
    [
      "a refresh refused by policy",
      { checklistItem: "refresh-token-policy", code: "invalid_grant", message: "expired access/refresh token" },
      "refresh-token-policy",
      /valid until revoked/,
    ],
    [
      "a refresh refused as IP restricted",
      { checklistItem: "ip-relaxation", code: "invalid_grant", message: "IP restricted or invalid login hours" },
      "ip-relaxation",
      /IP restricted or invalid login hours/,
    ],
    [
      "a session refused for its security level",
      {
        checklistItem: "session-security-level",
        code: "INSUFFICIENT_ACCESS",
        message: "This session's security level is Standard; the connected app requires a High Assurance session.",
      },
      "session-security-level",
      /Session Level Policy to None/,
    ],
    [
      "an item outside the checklist keeps the error table's remedy",
      { checklistItem: "oauth-scopes", code: "invalid_scope", message: "bad scope", remedy: "Add the api scope." },
      "oauth-scopes",
      /^Add the api scope\.$/,
    ],
    ["an error no check explains", { code: "MALFORMED_QUERY", message: "unexpected token" }, undefined, undefined],
  ];

  it.each(cases)("%s", (_name, failure, id, step) => {
    const check = explainFailure(failure);
    expect(check?.id).toBe(id);
    // What the failure means is said once, as the reason; the steps say what to do.
    const said = [check?.reason ?? "", ...(check?.remedy ?? [])];
    if (step)
      expect(
        said.some((s) => step.test(s)),
        JSON.stringify(said),
      ).toBe(true);
    for (const s of check?.remedy ?? []) expect(s, "every placeholder is filled").not.toMatch(/\{\w+\}/);
  });
});

describe("runtime errors from Salesforce, through the server", () => {
  let h: Harness;
  let providerAppId: string;
  let customers = 0;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    h = await startHarness({ accounts: 5, logs: true });
    providerAppId = (await h.demoProviderApp()).id;
    receiver = await startReceiver();
    await registerWebhook(h, receiver.url);
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  async function connect(): Promise<string> {
    const run = await connectThroughPages(h, { providerAppId, endUserId: `runtime-${++customers}` });
    expect(run.result.status).toBe(200);
    return (await sessionStatus(h, run.session.id)).connectionId!;
  }

  const query = (soql: string) => `/services/data/v67.0/query?q=${encodeURIComponent(soql)}`;

  async function proxied(id: string, path: string, init?: { method?: string; body?: unknown }) {
    const res = await h.api(`/v1/connections/${id}/proxy${path}`, init);
    const check = res.headers.get("forcelink-check");
    const remedy = res.headers.get("forcelink-remedy");
    return {
      status: res.status,
      body: (await res.json()) as unknown,
      check,
      remedy: remedy ? (JSON.parse(remedy) as string[]) : null,
    };
  }

  it("a query naming a field hidden by field-level security: Salesforce's error, plus the check", async () => {
    const id = await connect();
    h.admin.setFieldPermissions("Standard User", "Account.Tier__c", "none");
    try {
      const answer = await proxied(id, query("SELECT Id, Tier__c FROM Account"));
      expect(answer.status).toBe(400);
      expect((answer.body as Array<{ errorCode: string }>)[0].errorCode).toBe("INVALID_FIELD");
      expect(answer.check).toBe("field-level-security");
      expect(answer.remedy?.join("\n")).toMatch(/Field Permissions tick Read Access for: Account\.Tier__c/);
      expect(answer.remedy?.join("\n")).toContain("integration@forcelink-demo.example");
    } finally {
      h.admin.setFieldPermissions("Standard User", "Account.Tier__c", "edit");
    }
  });

  it("a create refused for a missing object permission names object-access", async () => {
    const id = await connect();
    h.admin.setObjectPermissions("Standard User", "Contact", ["Read", "Edit", "Delete"]);
    try {
      const answer = await proxied(id, "/services/data/v67.0/sobjects/Contact", {
        method: "POST",
        body: { LastName: "Nobody" },
      });
      expect(answer.status).toBe(400);
      expect((answer.body as Array<{ errorCode: string }>)[0].errorCode).toBe("INSUFFICIENT_ACCESS_OR_READONLY");
      expect(answer.check).toBe("object-access");
    } finally {
      h.admin.setObjectPermissions("Standard User", "Contact", ["Read", "Create", "Edit", "Delete"]);
    }
  });

  it("API Enabled taken away names api-enabled-permission", async () => {
    const id = await connect();
    h.admin.setSystemPermissions("Standard User", { ApiEnabled: false });
    try {
      const answer = await proxied(id, "/services/data/v67.0/limits");
      expect(answer.status).toBe(403);
      expect(answer.check).toBe("api-enabled-permission");
      expect(answer.remedy?.join("\n")).toMatch(/Tick 'API Enabled'/);
    } finally {
      h.admin.setSystemPermissions("Standard User", { ApiEnabled: true });
    }
  });

  it("the daily quota used up names daily-api-quota", async () => {
    const id = await connect();
    const { limit } = h.org.apiUsage;
    h.org.apiUsage.setUsed(limit + 1);
    try {
      const answer = await proxied(id, "/services/data/v67.0/limits");
      expect(answer.status).toBe(403);
      expect(answer.check).toBe("daily-api-quota");
    } finally {
      h.org.apiUsage.setUsed(0);
    }
  });

  it("a successful answer carries no check headers", async () => {
    const id = await connect();
    const answer = await proxied(id, "/services/data/v67.0/limits");
    expect(answer.status).toBe(200);
    expect(answer.check).toBeNull();
  });

  it("a refresh refused by the app's policy: the 409, the connection and the webhook all name refresh-token-policy", async () => {
    const id = await connect();
    h.admin.updateApp(h.appId, { refreshTokenPolicy: { type: "immediately" } });
    try {
      h.org.sessions.expireAll();
      const answer = await proxied(id, "/services/data/v67.0/limits");
      expect(answer.status).toBe(409);
      const error = (answer.body as { error: { code: string; check: { id: string; remedy: string[] } } }).error;
      expect(error.code).toBe("connection_needs_reauth");
      expect(error.check.id).toBe("refresh-token-policy");
      expect(error.check.remedy.join("\n")).toMatch(/Refresh token is valid until revoked/);

      const view = (await connectionView(h, id)) as unknown as {
        reauth: { check: { id: string; checklist: boolean } };
      };
      expect(view.reauth.check).toMatchObject({ id: "refresh-token-policy", checklist: true });

      const event = await waitFor(
        () => receiver.events.find((e) => e.type === "connection.needs_reauth" && e.data.connectionId === id),
        "the connection.needs_reauth webhook",
      );
      expect((event.data as { check: { id: string } }).check.id).toBe("refresh-token-policy");

      const rerun = await h.api(`/v1/connections/${id}/checklist`, { method: "POST" });
      expect(rerun.status).toBe(409);
      const rerunError = ((await rerun.json()) as { error: { check: { id: string } } }).error;
      expect(rerunError.check.id).toBe("refresh-token-policy");
    } finally {
      h.admin.updateApp(h.appId, { refreshTokenPolicy: { type: "until_revoked" } });
    }
  });

  it("the checklist itself finds the 'expire immediately' policy by introspecting the refresh token", async () => {
    const id = await connect();
    h.admin.updateApp(h.appId, { refreshTokenPolicy: { type: "immediately" } });
    try {
      const res = await h.api(`/v1/connections/${id}/checklist`, { method: "POST" });
      expect(res.status).toBe(200);
      const run = (await res.json()) as { checks: Array<{ id: string; verdict: string; remedy?: string[] }> };
      const policy = run.checks.find((c) => c.id === "refresh-token-policy")!;
      expect(policy.verdict).toBe("fail");
      expect(policy.remedy?.join("\n")).toMatch(/Refresh token is valid until revoked/);
      // Introspection only looks: the connection is still usable and no refresh was spent.
      const view = (await connectionView(h, id)) as { status: string };
      expect(view.status).toBe("active");
    } finally {
      h.admin.updateApp(h.appId, { refreshTokenPolicy: { type: "until_revoked" } });
    }
  });
});
