import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEMO } from "../src/seed/demo-seed.ts";
import { type DemoOrg, startDemoOrg } from "../src/testing/index.ts";

// Authentication, org and user API access, quotas and limits, permissions, faults and counters
// (salesforce-api.md §0 access tokens, §2.1 /limits, §2.2 per-user describe, §2.8, §2.9, §4.2, §4.4, §6, §7).

const ADMIN = DEMO.admin.username;
const INTEGRATION = DEMO.integration.username;
const PLATFORM = DEMO.platform.username;
const SESSION_INVALID = "Session expired or invalid";
const LIMIT_INFO = /^api-usage=(\d+)\/(\d+)/;

interface ErrorItem {
  message: string;
  errorCode: string;
  fields?: string[];
}

async function errorOf(res: Response, status: number, errorCode: string): Promise<ErrorItem> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type") ?? "").toMatch(/^application\/json(;|$)/);
  const body = JSON.parse(text) as ErrorItem[];
  expect(Array.isArray(body), text).toBe(true);
  expect(body).toHaveLength(1);
  expect(body[0].errorCode).toBe(errorCode);
  return body[0];
}

let t: DemoOrg;
beforeEach(async () => {
  t = await startDemoOrg();
});
afterEach(async () => {
  await t.close();
});

const dataUrl = (path: string) => `${t.emulator.urls.myDomain}/services/data/v67.0${path}`;

function usageOf(res: Response): { used: number; max: number } {
  const header = res.headers.get("sforce-limit-info") ?? "";
  const m = LIMIT_INFO.exec(header);
  expect(m, `Sforce-Limit-Info was '${header}'`).not.toBeNull();
  return { used: Number(m![1]), max: Number(m![2]) };
}

async function control(path: string, method: string, body?: unknown): Promise<Response> {
  const res = await t.control(path, { method, body });
  expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
  return res;
}

async function createAccount(user: string, body: Record<string, unknown>): Promise<string> {
  const res = await t.api(user, "/sobjects/Account", { method: "POST", body });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe("sessions", () => {
  it("a missing, garbage or unknown token is 401 INVALID_SESSION_ID 'Session expired or invalid'", async () => {
    const orgId15 = t.org.organizationId.slice(0, 15);
    const cases: Array<Record<string, string>> = [
      {},
      { authorization: "Bearer" },
      { authorization: "Bearer not-a-token" },
      { authorization: `Bearer ${orgId15}!AQ8AQmadeUpTokenValue` },
      { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` },
    ];
    for (const headers of cases) {
      const res = await fetch(dataUrl("/sobjects/Account/describe"), { headers });
      const err = await errorOf(res, 401, "INVALID_SESSION_ID");
      expect(err.message).toBe(SESSION_INVALID);
    }
  });

  it("accepts Authorization: OAuth <token> as well as Bearer", async () => {
    for (const scheme of ["OAuth", "Bearer"]) {
      const res = await fetch(dataUrl("/sobjects/Account/describe"), {
        headers: { authorization: `${scheme} ${t.token(INTEGRATION)}` },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { name: string }).name).toBe("Account");
    }
  });

  it("access tokens have the shape <15-char org id>!<random>", () => {
    const token = t.token(INTEGRATION);
    expect(token).toMatch(/^00D[a-zA-Z0-9]{12}!.+$/);
    expect(token.slice(0, 15)).toBe(t.org.organizationId.slice(0, 15));
  });

  it("a token without the api scope is 401 'This session is not valid for use with the REST API'", async () => {
    const token = t.token(INTEGRATION, ["refresh_token", "openid"]);
    const res = await fetch(dataUrl("/sobjects/Account/describe"), { headers: { authorization: `Bearer ${token}` } });
    const err = await errorOf(res, 401, "INVALID_SESSION_ID");
    expect(err.message).toBe("This session is not valid for use with the REST API");
  });

  it("a token with the full scope is accepted", async () => {
    const token = t.token(INTEGRATION, ["full"]);
    const res = await fetch(dataUrl("/sobjects/Account/describe"), { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  });
});

describe("session timeout", () => {
  it("sessions slide: used within 2 h they live on; idle for more than 2 h they are 401", async () => {
    const token = t.token(INTEGRATION);
    const call = () => fetch(dataUrl("/sobjects/Account/describe"), { headers: { authorization: `Bearer ${token}` } });
    expect((await call()).status).toBe(200);
    await control("/clock/advance", "POST", { seconds: 7000 });
    expect((await call()).status).toBe(200);
    await control("/clock/advance", "POST", { seconds: 7000 });
    expect((await call()).status).toBe(200);
    await control("/clock/advance", "POST", { seconds: 7300 });
    const err = await errorOf(await call(), 401, "INVALID_SESSION_ID");
    expect(err.message).toBe(SESSION_INVALID);
  });
});

describe("org and user API access", () => {
  it("an edition without API (Professional) is 403 API_DISABLED_FOR_ORG for every user", async () => {
    await control("/org", "PATCH", { edition: "Professional Edition" });
    for (const user of [ADMIN, INTEGRATION]) {
      const err = await errorOf(await t.api(user, "/sobjects/Account/describe"), 403, "API_DISABLED_FOR_ORG");
      expect(err.message).toBe("API is not enabled for this Organization or Partner");
    }
    // and back on with an edition that has the API
    await control("/org", "PATCH", { edition: "Enterprise Edition" });
    expect((await t.api(INTEGRATION, "/sobjects/Account/describe")).status).toBe(200);
  });

  it("Professional Edition with the API add-on (apiEnabled:true) serves the API", async () => {
    await control("/org", "PATCH", { edition: "Professional Edition", apiEnabled: true });
    expect((await t.api(INTEGRATION, "/sobjects/Account/describe")).status).toBe(200);
    await control("/org", "PATCH", { apiEnabled: false });
    await errorOf(await t.api(INTEGRATION, "/sobjects/Account/describe"), 403, "API_DISABLED_FOR_ORG");
  });

  it("the version list needs no session and stays reachable when the org has no API", async () => {
    await control("/org", "PATCH", { edition: "Professional Edition" });
    const res = await fetch(`${t.emulator.urls.myDomain}/services/data`);
    expect(res.status).toBe(200);
  });

  it("a user without API Enabled is 403 API_CURRENTLY_DISABLED; other users are unaffected", async () => {
    await control("/permissions/Standard%20User", "PATCH", { system: { ApiEnabled: false } });
    const err = await errorOf(await t.api(INTEGRATION, "/sobjects/Account/describe"), 403, "API_CURRENTLY_DISABLED");
    expect(err.message).toBe("API is disabled for this User");
    expect((await t.api(ADMIN, "/sobjects/Account/describe")).status).toBe(200);
    expect((await t.api(PLATFORM, "/sobjects/Account/describe")).status).toBe(200);
    await control("/permissions/Standard%20User", "PATCH", { system: { ApiEnabled: true } });
    expect((await t.api(INTEGRATION, "/sobjects/Account/describe")).status).toBe(200);
  });
});

describe("session security level", () => {
  it("an app requiring a High Assurance session has its tokens refused with 403 INSUFFICIENT_ACCESS", async () => {
    const app = t.org.appByClientId(DEMO.app.clientId)!;
    const user = t.org.userByUsername(INTEGRATION)!;
    const token = t.org.sessions.openSession(user.Id, app.id, ["api"], null).accessToken;
    const call = () => fetch(dataUrl("/sobjects/Account/describe"), { headers: { authorization: `Bearer ${token}` } });
    expect((await call()).status).toBe(200);
    const patched = await control(`/apps/${DEMO.app.clientId}`, "PATCH", { highAssuranceRequired: true });
    expect(await patched.json()).toMatchObject({ highAssuranceRequired: true });
    const err = await errorOf(await call(), 403, "INSUFFICIENT_ACCESS");
    expect(err.message).toMatch(/High Assurance/);
    // The policy is readable as ConnectedApplication.OptionsHasSessionLevelPolicy (by a session of no app).
    const q = encodeURIComponent(
      `SELECT OptionsHasSessionLevelPolicy FROM ConnectedApplication WHERE Name = '${app.name}'`,
    );
    const rows = (await (await t.api(ADMIN, `/query?q=${q}`)).json()) as { records: Array<Record<string, unknown>> };
    expect(rows.records[0].OptionsHasSessionLevelPolicy).toBe(true);
    // Salesforce's own wording is not documented: the org setting changes it.
    const wording = "Session security level High Assurance required for this connected app";
    await control("/org", "PATCH", { sessionLevelRefusal: wording });
    expect((await errorOf(await call(), 403, "INSUFFICIENT_ACCESS")).message).toBe(wording);
    await control(`/apps/${DEMO.app.clientId}`, "PATCH", { highAssuranceRequired: false });
    expect((await call()).status).toBe(200);
  });
});

describe("daily API quota and Sforce-Limit-Info", () => {
  it("calls succeed until the quota is used, then 403 REQUEST_LIMIT_EXCEEDED 'TotalRequests Limit exceeded.'", async () => {
    const set = await control("/quota", "PUT", { limit: 5, used: 3 });
    expect(await set.json()).toEqual({ limit: 5, used: 3 });
    const first = await t.api(INTEGRATION, "/sobjects/Account/describe");
    expect(first.status).toBe(200);
    expect(usageOf(first)).toEqual({ used: 4, max: 5 });
    const second = await t.api(INTEGRATION, "/sobjects/Account/describe");
    expect(second.status).toBe(200);
    expect(usageOf(second)).toEqual({ used: 5, max: 5 });
    for (let i = 0; i < 2; i++) {
      const refused = await t.api(INTEGRATION, "/sobjects/Account/describe");
      const err = await errorOf(refused.clone(), 403, "REQUEST_LIMIT_EXCEEDED");
      expect(err.message).toBe("TotalRequests Limit exceeded.");
      expect(usageOf(refused).max).toBe(5);
    }
    const quota = (await (await t.control("/quota")).json()) as { limit: number; used: number };
    expect(quota.limit).toBe(5);
    // raising the limit lets calls through again
    await control("/quota", "PUT", { limit: 100 });
    expect((await t.api(INTEGRATION, "/sobjects/Account/describe")).status).toBe(200);
  });

  it("the quota is a rolling 24 hours: a day later the calls are available again", async () => {
    await control("/quota", "PUT", { limit: 5, used: 5 });
    await errorOf(await t.api(INTEGRATION, "/sobjects/Account/describe"), 403, "REQUEST_LIMIT_EXCEEDED");
    await control("/clock/advance", "POST", { seconds: 25 * 3600 });
    const res = await t.api(INTEGRATION, "/sobjects/Account/describe");
    expect(res.status).toBe(200);
    expect(usageOf(res)).toEqual({ used: 1, max: 5 });
  });

  it("every /services/data response carries Sforce-Limit-Info, counting up by one per successful call", async () => {
    const used: number[] = [];
    for (const path of ["/sobjects/Account/describe", "/sobjects", "/limits", "/sobjects/Contact/describe"]) {
      const res = await t.api(INTEGRATION, path);
      expect(res.status).toBe(200);
      used.push(usageOf(res).used);
    }
    expect(used.slice(1).map((n, i) => n - used[i])).toEqual([1, 1, 1]);
    const max = (await (await t.control("/quota")).json()) as { limit: number };
    const last = await t.api(INTEGRATION, "/sobjects/Account/describe");
    expect(usageOf(last)).toEqual({ used: used[3] + 1, max: max.limit });
  });

  it("error responses of an authenticated caller carry Sforce-Limit-Info too (400, 404, 403)", async () => {
    const responses = [
      await t.api(INTEGRATION, "/sobjects/Account", { method: "POST", body: {} }),
      await t.api(INTEGRATION, "/sobjects/Nope__c/describe"),
      await t.api(PLATFORM, "/limits"),
      await t.api(INTEGRATION, "/sobjects/Account", { method: "POST", body: "{bad json" }),
    ];
    expect(responses.map((r) => r.status)).toEqual([400, 404, 403, 400]);
    const used = responses.map((r) => usageOf(r).used);
    expect(used.slice(1).every((n, i) => n >= used[i])).toBe(true);
  });

  it("/limits DailyApiRequests agrees with Sforce-Limit-Info, and every entry has Max and Remaining", async () => {
    await t.api(INTEGRATION, "/sobjects");
    const res = await t.api(INTEGRATION, "/limits");
    expect(res.status).toBe(200);
    const { used, max } = usageOf(res);
    const limits = (await res.json()) as Record<string, { Max: number; Remaining: number }>;
    expect(limits.DailyApiRequests.Max).toBe(max);
    expect(limits.DailyApiRequests.Remaining).toBe(max - used);
    for (const key of [
      "DailyApiRequests",
      "DailyBulkApiBatches",
      "DailyBulkV2QueryJobs",
      "DailyBulkV2QueryFileStorageMB",
      "DailyAsyncApexExecutions",
      "DailyDurableStreamingApiEvents",
      "DurableStreamingApiConcurrentClients",
      "DailyDeliveredPlatformEvents",
      "HourlyPublishedPlatformEvents",
      "MonthlyPlatformEventsUsageEntitlement",
      "DataStorageMB",
      "FileStorageMB",
      "ConcurrentAsyncGetReportInstances",
    ]) {
      expect(limits[key], key).toBeDefined();
    }
    for (const [key, entry] of Object.entries(limits)) {
      expect(typeof entry.Max, key).toBe("number");
      expect(typeof entry.Remaining, key).toBe("number");
      expect(entry.Remaining, key).toBeLessThanOrEqual(entry.Max);
    }
  });

  it("/limits follows a quota set through the control surface", async () => {
    await control("/quota", "PUT", { limit: 1000, used: 250 });
    const res = await t.api(INTEGRATION, "/limits");
    const limits = (await res.json()) as Record<string, { Max: number; Remaining: number }>;
    expect(limits.DailyApiRequests).toMatchObject({ Max: 1000, Remaining: 749 });
    expect(usageOf(res)).toEqual({ used: 251, max: 1000 });
  });

  it("/limits without View Setup and Configuration is 403 INSUFFICIENT_ACCESS", async () => {
    const res = await t.api(PLATFORM, "/limits");
    await errorOf(res, 403, "INSUFFICIENT_ACCESS");
  });
});

describe("object permissions", () => {
  it("without Read on Contact the object is invisible: describe 404, absent from describeGlobal, create 404", async () => {
    const contact = await t.api(ADMIN, "/sobjects/Contact", { method: "POST", body: { LastName: "Hidden" } });
    const contactId = ((await contact.json()) as { id: string }).id;
    await control("/permissions/Standard%20User", "PATCH", { objects: { Contact: [] } });

    const describe = await errorOf(await t.api(INTEGRATION, "/sobjects/Contact/describe"), 404, "NOT_FOUND");
    expect(describe.message).toBe("The requested resource does not exist");
    await errorOf(await t.api(INTEGRATION, "/sobjects/Contact"), 404, "NOT_FOUND");
    const global = (await (await t.api(INTEGRATION, "/sobjects")).json()) as { sobjects: Array<{ name: string }> };
    const names = global.sobjects.map((s) => s.name);
    expect(names).toContain("Account");
    expect(names).not.toContain("Contact");
    await errorOf(
      await t.api(INTEGRATION, "/sobjects/Contact", { method: "POST", body: { LastName: "Nope" } }),
      404,
      "NOT_FOUND",
    );
    await errorOf(await t.api(INTEGRATION, `/sobjects/Contact/${contactId}`), 404, "NOT_FOUND");
    // the admin still sees it
    expect((await t.api(ADMIN, `/sobjects/Contact/${contactId}`)).status).toBe(200);
  });

  it("Read-only Account: describe says so, and create, update and delete are 400 INSUFFICIENT_ACCESS_OR_READONLY", async () => {
    const id = await createAccount(INTEGRATION, { Name: "Before read-only" });
    await control("/permissions/Standard%20User", "PATCH", { objects: { Account: ["Read"] } });

    const describe = (await (await t.api(INTEGRATION, "/sobjects/Account/describe")).json()) as Record<string, unknown>;
    expect(describe).toMatchObject({
      name: "Account",
      queryable: true,
      createable: false,
      updateable: false,
      deletable: false,
    });

    const create = await t.api(INTEGRATION, "/sobjects/Account", { method: "POST", body: { Name: "Not allowed" } });
    await errorOf(create, 400, "INSUFFICIENT_ACCESS_OR_READONLY");
    const update = await t.api(INTEGRATION, `/sobjects/Account/${id}`, { method: "PATCH", body: { Name: "Changed" } });
    await errorOf(update, 400, "INSUFFICIENT_ACCESS_OR_READONLY");
    const del = await t.api(INTEGRATION, `/sobjects/Account/${id}`, { method: "DELETE" });
    await errorOf(del, 400, "INSUFFICIENT_ACCESS_OR_READONLY");

    const read = await t.api(INTEGRATION, `/sobjects/Account/${id}`);
    expect(read.status).toBe(200);
    expect(((await read.json()) as { Name: string }).Name).toBe("Before read-only");
    expect([...t.org.store.tableOrThrow("Account").live()].some((r) => r.Name === "Not allowed")).toBe(false);
  });

  it("Read-only Account: collection writes fail per record with INSUFFICIENT_ACCESS_OR_READONLY", async () => {
    await control("/permissions/Standard%20User", "PATCH", { objects: { Account: ["Read"] } });
    const res = await t.api(INTEGRATION, "/composite/sobjects", {
      method: "POST",
      body: { allOrNone: false, records: [{ attributes: { type: "Account" }, Name: "Collection not allowed" }] },
    });
    expect(res.status).toBe(200);
    const results = (await res.json()) as Array<{ success: boolean; errors: Array<{ statusCode: string }> }>;
    expect(results[0].success).toBe(false);
    expect(results[0].errors[0].statusCode).toBe("INSUFFICIENT_ACCESS_OR_READONLY");
  });
});

describe("field-level security", () => {
  it("a hidden field (none) is absent from describe and from the record, and writing it is INVALID_FIELD", async () => {
    const id = await createAccount(INTEGRATION, { Name: "FLS none", Industry: "Banking" });
    await control("/permissions/Standard%20User", "PATCH", { fields: { "Account.Industry": "none" } });

    const describe = (await (await t.api(INTEGRATION, "/sobjects/Account/describe")).json()) as {
      fields: Array<{ name: string }>;
    };
    const names = describe.fields.map((f) => f.name);
    expect(names).not.toContain("Industry");
    expect(names).toContain("Name");
    expect(names).toContain("Phone");

    const record = (await (await t.api(INTEGRATION, `/sobjects/Account/${id}`)).json()) as Record<string, unknown>;
    expect(record).not.toHaveProperty("Industry");
    expect(record.Name).toBe("FLS none");

    await errorOf(await t.api(INTEGRATION, `/sobjects/Account/${id}?fields=Name,Industry`), 400, "INVALID_FIELD");
    const create = await errorOf(
      await t.api(INTEGRATION, "/sobjects/Account", { method: "POST", body: { Name: "x", Industry: "Energy" } }),
      400,
      "INVALID_FIELD",
    );
    expect(create.message).toContain("Industry");
    await errorOf(
      await t.api(INTEGRATION, `/sobjects/Account/${id}`, { method: "PATCH", body: { Industry: "Energy" } }),
      400,
      "INVALID_FIELD",
    );

    // the admin still sees the stored value, unchanged
    const asAdmin = (await (await t.api(ADMIN, `/sobjects/Account/${id}`)).json()) as Record<string, unknown>;
    expect(asAdmin.Industry).toBe("Banking");
  });

  it("a read-only field (read) is updateable:false in describe, readable, and writing it is INVALID_FIELD_FOR_INSERT_UPDATE", async () => {
    const id = await createAccount(INTEGRATION, { Name: "FLS read", Industry: "Media" });
    await control("/permissions/Standard%20User", "PATCH", { fields: { "Account.Industry": "read" } });

    const describe = (await (await t.api(INTEGRATION, "/sobjects/Account/describe")).json()) as {
      fields: Array<{ name: string; createable: boolean; updateable: boolean }>;
    };
    const industry = describe.fields.find((f) => f.name === "Industry");
    expect(industry).toMatchObject({ createable: false, updateable: false });
    expect(describe.fields.find((f) => f.name === "Phone")).toMatchObject({ createable: true, updateable: true });

    const record = (await (await t.api(INTEGRATION, `/sobjects/Account/${id}`)).json()) as Record<string, unknown>;
    expect(record.Industry).toBe("Media");

    const update = await errorOf(
      await t.api(INTEGRATION, `/sobjects/Account/${id}`, { method: "PATCH", body: { Industry: "Energy" } }),
      400,
      "INVALID_FIELD_FOR_INSERT_UPDATE",
    );
    expect(update.fields).toEqual(["Industry"]);
    expect(update.message).toMatch(
      /^Unable to create\/update fields: Industry\. Please check the security settings of this field/,
    );
    const create = await t.api(INTEGRATION, "/sobjects/Account", {
      method: "POST",
      body: { Name: "x", Industry: "Energy" },
    });
    await errorOf(create, 400, "INVALID_FIELD_FOR_INSERT_UPDATE");
  });

  it("an external id field hidden by FLS cannot be used for upsert or read: 404 'not accessible'", async () => {
    await createAccount(INTEGRATION, { Name: "Ext hidden", External_Id__c: "HIDDEN-1" });
    await control("/permissions/Standard%20User", "PATCH", { fields: { "Account.External_Id__c": "none" } });
    for (const init of [{ method: "GET" }, { method: "PATCH", body: { Name: "x" } }]) {
      const err = await errorOf(
        await t.api(INTEGRATION, "/sobjects/Account/External_Id__c/HIDDEN-1", init),
        404,
        "NOT_FOUND",
      );
      expect(err.message).toBe("Provided external ID field does not exist or is not accessible: External_Id__c");
    }
  });

  it("hiding a compound field hides its components", async () => {
    await control("/permissions/Standard%20User", "PATCH", { fields: { "Account.BillingAddress": "none" } });
    const describe = (await (await t.api(INTEGRATION, "/sobjects/Account/describe")).json()) as {
      fields: Array<{ name: string }>;
    };
    const names = describe.fields.map((f) => f.name);
    for (const hidden of ["BillingAddress", "BillingCity", "BillingStreet", "BillingPostalCode"])
      expect(names).not.toContain(hidden);
    expect(names).toContain("ShippingCity");
  });
});

describe("faults", () => {
  it("errorRate 1 with 503 answers 503 SERVER_UNAVAILABLE; DELETE /faults restores service", async () => {
    await control("/faults", "PUT", { errorRate: 1, errorStatus: 503 });
    for (let i = 0; i < 3; i++)
      await errorOf(await t.api(INTEGRATION, "/sobjects/Account/describe"), 503, "SERVER_UNAVAILABLE");
    await control("/faults", "DELETE");
    expect((await t.api(INTEGRATION, "/sobjects/Account/describe")).status).toBe(200);
  });

  it("errorRate 1 with 500 answers 500 UNKNOWN_EXCEPTION", async () => {
    await control("/faults", "PUT", { errorRate: 1, errorStatus: 500 });
    await errorOf(await t.api(INTEGRATION, "/sobjects/Account/describe"), 500, "UNKNOWN_EXCEPTION");
  });

  it("an injected error does not perform the write", async () => {
    const before = t.org.store.tableOrThrow("Account").size;
    await control("/faults", "PUT", { errorRate: 1, errorStatus: 503 });
    await errorOf(
      await t.api(INTEGRATION, "/sobjects/Account", { method: "POST", body: { Name: "Faulted" } }),
      503,
      "SERVER_UNAVAILABLE",
    );
    expect(t.org.store.tableOrThrow("Account").size).toBe(before);
  });

  it("pathContains limits rate faults to matching paths", async () => {
    await control("/faults", "PUT", { errorRate: 1, errorStatus: 503, pathContains: "/sobjects/Contact" });
    await errorOf(await t.api(INTEGRATION, "/sobjects/Contact/describe"), 503, "SERVER_UNAVAILABLE");
    expect((await t.api(INTEGRATION, "/sobjects/Account/describe")).status).toBe(200);
  });

  it("unableToLockRow 1: the next DML is 400 UNABLE_TO_LOCK_ROW, reads are unaffected, the DML after succeeds", async () => {
    const id = await createAccount(INTEGRATION, { Name: "Lock target" });
    await control("/faults", "PUT", { unableToLockRow: 1 });
    expect((await t.api(INTEGRATION, `/sobjects/Account/${id}`)).status).toBe(200);
    const locked = await t.api(INTEGRATION, `/sobjects/Account/${id}`, { method: "PATCH", body: { Phone: "locked" } });
    await errorOf(locked, 400, "UNABLE_TO_LOCK_ROW");
    const record = (await (await t.api(INTEGRATION, `/sobjects/Account/${id}`)).json()) as { Phone: string | null };
    expect(record.Phone).toBeNull();
    const retry = await t.api(INTEGRATION, `/sobjects/Account/${id}`, { method: "PATCH", body: { Phone: "unlocked" } });
    expect(retry.status).toBe(204);
    const after = (await (await t.api(INTEGRATION, `/sobjects/Account/${id}`)).json()) as { Phone: string | null };
    expect(after.Phone).toBe("unlocked");
  });

  it("latencyMs delays every API answer", async () => {
    await control("/faults", "PUT", { latencyMs: 200 });
    const started = performance.now();
    const res = await t.api(INTEGRATION, "/sobjects/Account/describe");
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(150);
  });

  it("dropRate 1 drops the connection: fetch rejects; DELETE /faults restores service", async () => {
    await control("/faults", "PUT", { dropRate: 1 });
    await expect(t.api(INTEGRATION, "/sobjects/Account/describe")).rejects.toThrow();
    await control("/faults", "DELETE");
    expect((await t.api(INTEGRATION, "/sobjects/Account/describe")).status).toBe(200);
  });

  it("GET /faults shows the settings and DELETE resets them", async () => {
    await control("/faults", "PUT", { errorRate: 0.5, latencyMs: 10 });
    const set = (await (await t.control("/faults")).json()) as Record<string, unknown>;
    expect(set).toMatchObject({ errorRate: 0.5, latencyMs: 10 });
    const reset = (await (await t.control("/faults", { method: "DELETE" })).json()) as Record<string, unknown>;
    expect(reset).toMatchObject({ errorRate: 0, latencyMs: 0, dropRate: 0, unableToLockRow: 0 });
  });
});

describe("counters", () => {
  it("byKind.rest and byEndpoint count exactly the calls made", async () => {
    const reset = await t.control("/counters", { method: "DELETE" });
    expect(reset.status).toBe(204);
    await t.api(INTEGRATION, "/sobjects/Account/describe");
    await t.api(INTEGRATION, "/sobjects/Account/describe");
    const id = await createAccount(INTEGRATION, { Name: "Counted" });
    await t.api(INTEGRATION, `/sobjects/Account/${id}`);
    await t.api(INTEGRATION, `/sobjects/Account/${id}`, { method: "PATCH", body: { Phone: "1" } });
    await t.api(INTEGRATION, "/limits");
    await t.api(INTEGRATION, "/composite", {
      method: "POST",
      body: {
        compositeRequest: [{ method: "GET", url: `/services/data/v67.0/sobjects/Account/${id}`, referenceId: "r" }],
      },
    });

    const snapshot = (await (await t.control("/counters")).json()) as {
      total: number;
      byKind: Record<string, number>;
      byEndpoint: Record<string, number>;
    };
    expect(snapshot.byKind.rest).toBe(7);
    expect(snapshot.total).toBe(7);
    const rest = Object.fromEntries(Object.entries(snapshot.byEndpoint).filter(([k]) => k.includes("/services/data")));
    expect(rest).toEqual({
      "GET /services/data/:version/sobjects/:object/describe": 2,
      "POST /services/data/:version/sobjects/:object": 1,
      "GET /services/data/:version/sobjects/:object/:id": 1,
      "PATCH /services/data/:version/sobjects/:object/:id": 1,
      "GET /services/data/:version/limits": 1,
      "POST /services/data/:version/composite": 1,
    });
  });
});
