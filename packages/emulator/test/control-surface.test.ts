import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEMO, DEMO_SEED } from "../src/seed/demo-seed.ts";
import { type DemoOrg, startDemoOrg } from "../src/testing/index.ts";

// The test control surface under /__emulator: what a test harness uses to set the org up and
// watch it. REST behaviour it unlocks is checked against salesforce-api.md §0, §2.4, §2.9.

const INTEGRATION = DEMO.integration.username;
const V = "/services/data/v67.0";
const SF_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$/;

let t: DemoOrg;
beforeEach(async () => {
  t = await startDemoOrg();
});
afterEach(async () => {
  await t.close();
});

/** A control call with a raw body, so malformed JSON can be sent as is. */
function controlRaw(path: string, method: string, body?: string): Promise<Response> {
  return fetch(`${t.emulator.urls.login}/__emulator${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body,
  });
}

async function ok(res: Response, status = 200): Promise<unknown> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return text ? JSON.parse(text) : null;
}

async function rawToken(username: string): Promise<string> {
  return t.token(username);
}

function callWith(token: string, path = "/sobjects/Account/describe", init: RequestInit = {}): Promise<Response> {
  return fetch(`${t.emulator.urls.myDomain}${V}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.body ? { "content-type": "application/json" } : {}) },
  });
}

describe("GET /__emulator/info", () => {
  it("describes the org, its apps and users with their credentials, matching the demo", async () => {
    const info = (await ok(await t.control("/info"))) as {
      baseUrl: string;
      organizationId: string;
      apps: Array<{ name: string; clientId: string; clientSecret: string; callbackUrls: string[] }>;
      users: Array<{ username: string; password: string; profile: string; active: boolean; id: string }>;
    };
    expect(info.baseUrl).toBe(t.emulator.urls.login);
    expect(info.organizationId).toMatch(/^00D[a-zA-Z0-9]{15}$/);
    const app = info.apps.find((a) => a.clientId === DEMO.app.clientId);
    expect(app).toMatchObject({
      name: DEMO.app.name,
      clientId: DEMO.app.clientId,
      clientSecret: DEMO.app.clientSecret,
      callbackUrls: DEMO.app.callbackUrls,
    });
    const byName = new Map(info.users.map((u) => [u.username, u]));
    for (const [key, profile] of [
      ["admin", "System Administrator"],
      ["integration", "Standard User"],
      ["platform", "Standard Platform User"],
      ["apiOnly", "Minimum Access - API Only Integrations"],
    ] as const) {
      const expected = DEMO[key];
      expect(byName.get(expected.username), key).toMatchObject({
        username: expected.username,
        password: expected.password,
        profile,
        active: true,
      });
      expect(byName.get(expected.username)?.id).toMatch(/^005[a-zA-Z0-9]{15}$/);
    }
  });
});

describe("malformed control bodies are 400 with a message naming the problem", () => {
  const cases: Array<{ method: string; path: string; body: unknown; names: string }> = [
    { method: "PATCH", path: "/org", body: { edition: 5 }, names: "edition" },
    { method: "PATCH", path: "/org", body: { bogusSetting: true }, names: "bogusSetting" },
    { method: "PATCH", path: "/org", body: { myDomain: "Not A Domain!" }, names: "myDomain" },
    { method: "PATCH", path: "/org", body: { sessionTimeoutSeconds: -5 }, names: "sessionTimeoutSeconds" },
    { method: "POST", path: "/clock/advance", body: {}, names: "seconds" },
    { method: "POST", path: "/clock/advance", body: { seconds: -10 }, names: "seconds" },
    { method: "POST", path: "/clock/advance", body: { seconds: "ten" }, names: "seconds" },
    { method: "PUT", path: "/quota", body: { limit: "many" }, names: "limit" },
    { method: "PUT", path: "/quota", body: { used: -1 }, names: "used" },
    { method: "PUT", path: "/faults", body: { errorRate: 2 }, names: "errorRate" },
    { method: "PUT", path: "/faults", body: { errorStatus: 502 }, names: "errorStatus" },
    { method: "PUT", path: "/faults", body: { latencyMs: "slow" }, names: "latencyMs" },
    { method: "PUT", path: "/faults", body: { lockRows: 1 }, names: "lockRows" },
    { method: "POST", path: "/users", body: { username: "new@example.com" }, names: "password" },
    {
      method: "POST",
      path: "/users",
      body: { username: "new@example.com", password: "p", active: "yes" },
      names: "active",
    },
    { method: "PATCH", path: `/users/${encodeURIComponent(INTEGRATION)}`, body: { active: "no" }, names: "active" },
    { method: "PATCH", path: `/users/${encodeURIComponent(INTEGRATION)}`, body: { nickname: "x" }, names: "nickname" },
    { method: "POST", path: "/permission-sets", body: { label: "No name" }, names: "name" },
    {
      method: "PATCH",
      path: "/permissions/Standard%20User",
      body: { objects: { Account: ["Fly"] } },
      names: "objects",
    },
    {
      method: "PATCH",
      path: "/permissions/Standard%20User",
      body: { fields: { "Account.Industry": "write" } },
      names: "fields",
    },
    {
      method: "PATCH",
      path: "/permissions/Standard%20User",
      body: { system: { NotAPermission: true } },
      names: "system",
    },
    { method: "POST", path: "/apps", body: { name: "No id" }, names: "clientId" },
    {
      method: "POST",
      path: "/apps",
      body: { name: "A", clientId: "c", clientSecret: "s", callbackUrls: ["not a url"] },
      names: "callbackUrls",
    },
    { method: "PATCH", path: `/apps/${DEMO.app.clientId}`, body: { pkceRequired: "yes" }, names: "pkceRequired" },
    { method: "PATCH", path: `/apps/${DEMO.app.clientId}`, body: { clientId: "renamed" }, names: "clientId" },
    { method: "POST", path: "/objects", body: { fields: [] }, names: "name" },
    {
      method: "POST",
      path: "/objects",
      body: { name: "Thing__c", fields: [{ name: "NoSuffix", type: "string" }] },
      names: "fields.0.name",
    },
    {
      method: "POST",
      path: "/objects",
      body: { name: "Thing__c", fields: [{ name: "Blob__c", type: "blob" }] },
      names: "fields.0.type",
    },
    { method: "POST", path: "/records/Account", body: { records: [] }, names: "records" },
    { method: "POST", path: "/records/Account", body: { records: [{ Nope__c: 1 }] }, names: "Nope__c" },
    {
      method: "POST",
      path: "/records/Account",
      body: { records: [{ Name: "x", NumberOfEmployees: "many" }] },
      names: "NumberOfEmployees",
    },
    {
      method: "POST",
      path: "/records/Account",
      body: { records: [{ Name: "x", External_Id__c: { nested: true } }] },
      names: "External_Id__c",
    },
    { method: "POST", path: "/generate/Account", body: { count: 0 }, names: "count" },
    { method: "POST", path: "/generate/Account", body: { count: "lots" }, names: "count" },
    { method: "POST", path: "/sessions/expire", body: { username: 5 }, names: "username" },
    { method: "POST", path: "/sessions/revoke", body: { clientId: 7 }, names: "clientId" },
  ];

  it("every case answers 400 naming the bad field", async () => {
    const problems: string[] = [];
    for (const c of cases) {
      const res = await t.control(c.path, { method: c.method, body: c.body });
      const text = await res.text();
      let message = "";
      try {
        const parsed = JSON.parse(text) as Array<{ message: string }> | { message: string };
        message = Array.isArray(parsed) ? parsed.map((p) => p.message).join(" ") : parsed.message;
      } catch {
        message = text;
      }
      if (res.status !== 400 || !message.includes(c.names))
        problems.push(`${c.method} ${c.path} ${JSON.stringify(c.body)} -> ${res.status} ${text.slice(0, 200)}`);
    }
    expect(problems).toEqual([]);
  });

  it("malformed JSON on a control route is 400, never 500", async () => {
    const routes: Array<[string, string]> = [
      ["PATCH", "/org"],
      ["PUT", "/faults"],
      ["PUT", "/quota"],
      ["POST", "/users"],
      ["POST", "/objects"],
      ["POST", "/records/Account"],
      ["POST", "/clock/advance"],
    ];
    const statuses = [];
    for (const [method, path] of routes)
      statuses.push(`${method} ${path} -> ${(await controlRaw(path, method, '{"broken": ')).status}`);
    expect(statuses).toEqual(routes.map(([m, p]) => `${m} ${p} -> 400`));
  });

  it("a JSON body that is not an object is 400, never 500", async () => {
    const statuses = [];
    for (const body of ["null", "[]", '"text"', "7"]) {
      for (const [method, path] of [
        ["PATCH", "/org"],
        ["PUT", "/faults"],
        ["POST", "/users"],
      ] as const) {
        statuses.push(`${method} ${path} ${body} -> ${(await controlRaw(path, method, body)).status}`);
      }
    }
    expect(statuses.filter((s) => !s.endsWith("-> 400"))).toEqual([]);
  });
});

describe("unknown users, apps, holders and objects", () => {
  const cases: Array<{ method: string; path: string; body: unknown; status: number[]; names: string }> = [
    {
      method: "PATCH",
      path: "/users/nobody%40example.com",
      body: { active: false },
      status: [400, 404],
      names: "nobody@example.com",
    },
    {
      method: "POST",
      path: "/sessions/expire",
      body: { username: "nobody@example.com" },
      status: [400, 404],
      names: "nobody@example.com",
    },
    {
      method: "POST",
      path: "/sessions/revoke",
      body: { username: "nobody@example.com" },
      status: [400, 404],
      names: "nobody@example.com",
    },
    {
      method: "POST",
      path: "/sessions/revoke",
      body: { clientId: "NoSuchClient" },
      status: [400, 404],
      names: "NoSuchClient",
    },
    {
      method: "PATCH",
      path: "/apps/NoSuchClient",
      body: { pkceRequired: false },
      status: [400, 404],
      names: "NoSuchClient",
    },
    {
      method: "PATCH",
      path: "/permissions/No%20Such%20Profile",
      body: { system: { ApiEnabled: true } },
      status: [400, 404],
      names: "No Such Profile",
    },
    {
      method: "POST",
      path: "/users",
      body: { username: "x@example.com", password: "p", profile: "No Such Profile" },
      status: [400, 404],
      names: "No Such Profile",
    },
    {
      method: "POST",
      path: "/users",
      body: { username: "y@example.com", password: "p", permissionSets: ["No_Such_Set"] },
      status: [400, 404],
      names: "No_Such_Set",
    },
    {
      method: "PATCH",
      path: `/users/${encodeURIComponent(INTEGRATION)}`,
      body: { profile: "No Such Profile" },
      status: [400, 404],
      names: "No Such Profile",
    },
    {
      method: "PATCH",
      path: `/users/${encodeURIComponent(INTEGRATION)}`,
      body: { addPermissionSets: ["No_Such_Set"] },
      status: [400, 404],
      names: "No_Such_Set",
    },
    {
      method: "PATCH",
      path: "/permissions/Standard%20User",
      body: { objects: { NoSuch__c: ["Read"] } },
      status: [400, 404],
      names: "NoSuch__c",
    },
    {
      method: "PATCH",
      path: "/permissions/Standard%20User",
      body: { fields: { "Account.NoSuch__c": "read" } },
      status: [400, 404],
      names: "NoSuch__c",
    },
    {
      method: "POST",
      path: "/records/NoSuch__c",
      body: { records: [{ Name: "x" }] },
      status: [400, 404],
      names: "NoSuch__c",
    },
    { method: "POST", path: "/generate/NoSuch__c", body: { count: 1 }, status: [400, 404], names: "NoSuch__c" },
    { method: "POST", path: "/objects", body: { name: "NotCustom", fields: [] }, status: [400], names: "NotCustom" },
    {
      method: "POST",
      path: "/objects",
      body: { name: "Account", fields: [{ name: "Ref__c", type: "reference" }] },
      status: [400],
      names: "referenceTo",
    },
    {
      method: "POST",
      path: "/objects",
      body: { name: "Account", fields: [{ name: "Ref__c", type: "reference", referenceTo: "NoSuch__c" }] },
      status: [400],
      names: "NoSuch__c",
    },
    {
      method: "POST",
      path: "/objects",
      body: { name: "Account", fields: [{ name: "F__c", type: "double", formula: "Nope__r.Name" }] },
      status: [400],
      names: "Nope__r",
    },
    {
      method: "POST",
      path: "/users",
      body: { username: DEMO.admin.username, password: "p" },
      status: [400, 409],
      names: DEMO.admin.username,
    },
    {
      method: "POST",
      path: "/apps",
      body: { name: "Dup", clientId: DEMO.app.clientId, clientSecret: "s" },
      status: [400, 409],
      names: DEMO.app.clientId,
    },
  ];

  it("each is refused with 400/404 and a message naming what was not found, never 500", async () => {
    const problems: string[] = [];
    for (const c of cases) {
      const res = await t.control(c.path, { method: c.method, body: c.body });
      const text = await res.text();
      if (!c.status.includes(res.status) || !text.includes(c.names))
        problems.push(`${c.method} ${c.path} ${JSON.stringify(c.body)} -> ${res.status} ${text.slice(0, 200)}`);
    }
    expect(problems).toEqual([]);
  });

  it("an unknown control path is 404", async () => {
    const res = await t.control("/no-such-thing");
    expect(res.status).toBe(404);
  });
});

describe("users", () => {
  it("POST /users creates a user who can call the API at once", async () => {
    const created = (await ok(
      await t.control("/users", {
        method: "POST",
        body: {
          username: "newbie@forcelink-demo.example",
          password: "newbie-pass-1",
          profile: "Standard User",
          lastName: "Newbie",
        },
      }),
      201,
    )) as { id: string; username: string };
    expect(created.username).toBe("newbie@forcelink-demo.example");
    expect(created.id).toMatch(/^005[a-zA-Z0-9]{15}$/);
    const res = await t.api("newbie@forcelink-demo.example", "/sobjects/Account", {
      method: "POST",
      body: { Name: "By newbie" },
    });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { id: string }).id;
    const record = (await (await t.api("newbie@forcelink-demo.example", `/sobjects/Account/${id}`)).json()) as {
      OwnerId: string;
      CreatedById: string;
    };
    expect(record.OwnerId).toBe(created.id);
    expect(record.CreatedById).toBe(created.id);
    const info = (await ok(await t.control("/info"))) as {
      users: Array<{ username: string; password: string; profile: string }>;
    };
    expect(info.users.find((u) => u.username === "newbie@forcelink-demo.example")).toMatchObject({
      password: "newbie-pass-1",
      profile: "Standard User",
    });
  });

  it("a new user gets what its profile grants: Standard Platform User cannot see Lead", async () => {
    await ok(
      await t.control("/users", {
        method: "POST",
        body: { username: "plat2@forcelink-demo.example", password: "p", profile: "Standard Platform User" },
      }),
      201,
    );
    expect((await t.api("plat2@forcelink-demo.example", "/sobjects/Lead/describe")).status).toBe(404);
    expect((await t.api("plat2@forcelink-demo.example", "/sobjects/Account/describe")).status).toBe(200);
  });

  it("PATCH /users/{username} active:false makes that user's token 401; other users are unaffected", async () => {
    const token = await rawToken(INTEGRATION);
    expect((await callWith(token)).status).toBe(200);
    const patched = (await ok(
      await t.control(`/users/${encodeURIComponent(INTEGRATION)}`, { method: "PATCH", body: { active: false } }),
    )) as { active: boolean };
    expect(patched.active).toBe(false);
    const res = await callWith(token);
    expect(res.status).toBe(401);
    const body = (await res.json()) as Array<{ errorCode: string; message: string }>;
    expect(body[0]).toMatchObject({ errorCode: "INVALID_SESSION_ID", message: "Session expired or invalid" });
    expect((await t.api(DEMO.admin.username, "/sobjects/Account/describe")).status).toBe(200);
  });

  it("deactivating a user ends their sessions for good: reactivating does not revive the old token", async () => {
    const token = await rawToken(INTEGRATION);
    await ok(
      await t.control(`/users/${encodeURIComponent(INTEGRATION)}`, { method: "PATCH", body: { active: false } }),
    );
    await ok(await t.control(`/users/${encodeURIComponent(INTEGRATION)}`, { method: "PATCH", body: { active: true } }));
    expect((await callWith(token)).status).toBe(401);
    // a new session works again
    const fresh = t.org.sessions.openSession(t.org.userByUsername(INTEGRATION)!.Id, null, ["api"], null).accessToken;
    expect((await callWith(fresh)).status).toBe(200);
  });

  it("a user created inactive cannot call the API", async () => {
    await ok(
      await t.control("/users", {
        method: "POST",
        body: { username: "sleeper@forcelink-demo.example", password: "p", active: false },
      }),
      201,
    );
    const res = await t.api("sleeper@forcelink-demo.example", "/sobjects/Account/describe");
    expect(res.status).toBe(401);
    expect(((await res.json()) as Array<{ errorCode: string }>)[0].errorCode).toBe("INVALID_SESSION_ID");
  });

  it("PATCH /users/{username} profile moves the user's access with it", async () => {
    expect((await t.api(INTEGRATION, "/sobjects/Lead/describe")).status).toBe(200);
    await ok(
      await t.control(`/users/${encodeURIComponent(INTEGRATION)}`, {
        method: "PATCH",
        body: { profile: "Standard Platform User" },
      }),
    );
    expect((await t.api(INTEGRATION, "/sobjects/Lead/describe")).status).toBe(404);
    const info = (await ok(await t.control("/info"))) as { users: Array<{ username: string; profile: string }> };
    expect(info.users.find((u) => u.username === INTEGRATION)?.profile).toBe("Standard Platform User");
  });

  it("permission sets: POST /permission-sets then assigning it grants its objects", async () => {
    await ok(
      await t.control("/permission-sets", {
        method: "POST",
        body: { name: "Lead_Reader", objects: { Lead: ["Read"] }, fields: { "Lead.*": "read" } },
      }),
      201,
    );
    const platform = DEMO.platform.username;
    expect((await t.api(platform, "/sobjects/Lead/describe")).status).toBe(404);
    await ok(
      await t.control(`/users/${encodeURIComponent(platform)}`, {
        method: "PATCH",
        body: { addPermissionSets: ["Lead_Reader"] },
      }),
    );
    const d = await t.api(platform, "/sobjects/Lead/describe");
    expect(d.status).toBe(200);
    expect(((await d.json()) as { createable: boolean }).createable).toBe(false);
    await ok(
      await t.control(`/users/${encodeURIComponent(platform)}`, {
        method: "PATCH",
        body: { removePermissionSets: ["Lead_Reader"] },
      }),
    );
    expect((await t.api(platform, "/sobjects/Lead/describe")).status).toBe(404);
  });
});

describe("sessions", () => {
  it("POST /sessions/expire makes every live token 401", async () => {
    const tokens = [await rawToken(INTEGRATION), await rawToken(DEMO.admin.username)];
    for (const tok of tokens) expect((await callWith(tok)).status).toBe(200);
    const res = (await ok(await t.control("/sessions/expire", { method: "POST", body: {} }))) as { expired: number };
    expect(res.expired).toBeGreaterThanOrEqual(2);
    for (const tok of tokens) {
      const r = await callWith(tok);
      expect(r.status).toBe(401);
      expect(((await r.json()) as Array<{ errorCode: string }>)[0].errorCode).toBe("INVALID_SESSION_ID");
    }
  });

  it("POST /sessions/expire with a username expires only that user's tokens", async () => {
    const mine = await rawToken(INTEGRATION);
    const theirs = await rawToken(DEMO.admin.username);
    const res = (await ok(
      await t.control("/sessions/expire", { method: "POST", body: { username: INTEGRATION } }),
    )) as { expired: number };
    expect(res.expired).toBe(1);
    expect((await callWith(mine)).status).toBe(401);
    expect((await callWith(theirs)).status).toBe(200);
  });

  it("POST /sessions/expire with an empty body is accepted", async () => {
    const tok = await rawToken(INTEGRATION);
    const res = await controlRaw("/sessions/expire", "POST");
    expect(res.status).toBe(200);
    expect((await callWith(tok)).status).toBe(401);
  });
});

describe("apps", () => {
  it("POST /apps registers an app listed by /info and /apps; PATCH /apps/{clientId} changes it", async () => {
    const created = (await ok(
      await t.control("/apps", {
        method: "POST",
        body: {
          name: "Test App",
          clientId: "3MVG9TestClient",
          clientSecret: "test-secret",
          callbackUrls: ["http://localhost:5000/cb"],
        },
      }),
      201,
    )) as { clientId: string; callbackUrls: string[]; name: string };
    expect(created).toMatchObject({
      name: "Test App",
      clientId: "3MVG9TestClient",
      callbackUrls: ["http://localhost:5000/cb"],
    });
    const info = (await ok(await t.control("/info"))) as {
      apps: Array<{ clientId: string; clientSecret: string; callbackUrls: string[] }>;
    };
    expect(info.apps.find((a) => a.clientId === "3MVG9TestClient")).toMatchObject({
      clientSecret: "test-secret",
      callbackUrls: ["http://localhost:5000/cb"],
    });

    const patched = (await ok(
      await t.control("/apps/3MVG9TestClient", {
        method: "PATCH",
        body: { callbackUrls: ["http://localhost:6000/cb"], pkceRequired: true, name: "Renamed" },
      }),
    )) as { clientId: string; callbackUrls: string[]; pkceRequired: boolean; name: string };
    expect(patched).toMatchObject({
      clientId: "3MVG9TestClient",
      callbackUrls: ["http://localhost:6000/cb"],
      pkceRequired: true,
      name: "Renamed",
    });
    const apps = (await ok(await t.control("/apps"))) as Array<{
      clientId: string;
      name: string;
      callbackUrls: string[];
    }>;
    expect(apps.find((a) => a.clientId === "3MVG9TestClient")).toMatchObject({
      name: "Renamed",
      callbackUrls: ["http://localhost:6000/cb"],
    });
    // the demo app is untouched
    expect(apps.find((a) => a.clientId === DEMO.app.clientId)).toMatchObject({
      name: DEMO.app.name,
      callbackUrls: DEMO.app.callbackUrls,
    });
  });

  it("the ConnectedApplication record follows a new app", async () => {
    await ok(
      await t.control("/apps", {
        method: "POST",
        body: { name: "Visible App", clientId: "3MVG9Visible", clientSecret: "s" },
      }),
      201,
    );
    const records = [...t.org.store.tableOrThrow("ConnectedApplication").live()].map((r) => r.Name);
    expect(records).toContain("Visible App");
  });
});

describe("custom objects", () => {
  it("POST /objects creates Project__c with fields; the granted user can create, read, update, upsert and delete", async () => {
    const created = (await ok(
      await t.control("/objects", {
        method: "POST",
        body: {
          name: "Project__c",
          label: "Project",
          fields: [
            { name: "Budget__c", type: "currency" },
            { name: "Code__c", type: "string", length: 10, unique: true, externalId: true },
            { name: "Status__c", type: "picklist", picklistValues: ["Planned", "Active", "Done"] },
            { name: "Account__c", type: "reference", referenceTo: "Account" },
          ],
          grantTo: ["Standard User"],
        },
      }),
      201,
    )) as { name: string; fields: string[] };
    expect(created.name).toBe("Project__c");
    expect(created.fields).toEqual(
      expect.arrayContaining([
        "Id",
        "Name",
        "Budget__c",
        "Code__c",
        "Status__c",
        "Account__c",
        "CreatedDate",
        "SystemModstamp",
      ]),
    );

    const global = (await (await t.api(INTEGRATION, "/sobjects")).json()) as {
      sobjects: Array<{ name: string; keyPrefix: string; custom: boolean; label: string }>;
    };
    const project = global.sobjects.find((s) => s.name === "Project__c");
    expect(project).toMatchObject({ custom: true, label: "Project" });
    expect(project!.keyPrefix).toMatch(/^[a-zA-Z0-9]{3}$/);
    const others = global.sobjects.filter((s) => s.name !== "Project__c").map((s) => s.keyPrefix);
    expect(others).not.toContain(project!.keyPrefix);

    const describe = (await (await t.api(INTEGRATION, "/sobjects/Project__c/describe")).json()) as {
      fields: Array<{ name: string; type: string; externalId: boolean; length: number }>;
    };
    expect(describe.fields.find((f) => f.name === "Code__c")).toMatchObject({
      type: "string",
      externalId: true,
      length: 10,
    });

    const account = await t.api(INTEGRATION, "/sobjects/Account", { method: "POST", body: { Name: "Project owner" } });
    const accountId = ((await account.json()) as { id: string }).id;
    const create = await t.api(INTEGRATION, "/sobjects/Project__c", {
      method: "POST",
      body: { Name: "Apollo", Budget__c: 1000.5, Code__c: "AP-1", Status__c: "Planned", Account__c: accountId },
    });
    expect(create.status).toBe(201);
    const { id } = (await create.json()) as { id: string };
    expect(id.slice(0, 3)).toBe(project!.keyPrefix);
    expect(id).toHaveLength(18);

    const read = (await (await t.api(INTEGRATION, `/sobjects/Project__c/${id}`)).json()) as Record<string, unknown>;
    expect(read).toMatchObject({
      attributes: { type: "Project__c", url: `${V}/sobjects/Project__c/${id}` },
      Name: "Apollo",
      Budget__c: 1000.5,
      Code__c: "AP-1",
      Status__c: "Planned",
      Account__c: accountId,
    });
    expect(read.CreatedDate).toMatch(SF_DATETIME);

    expect(
      (await t.api(INTEGRATION, `/sobjects/Project__c/${id}`, { method: "PATCH", body: { Status__c: "Active" } }))
        .status,
    ).toBe(204);
    const upsert = await t.api(INTEGRATION, "/sobjects/Project__c/Code__c/AP-1", {
      method: "PATCH",
      body: { Budget__c: 2000 },
    });
    expect(upsert.status).toBe(200);
    expect(await upsert.json()).toEqual({ id, success: true, errors: [], created: false });
    const after = (await (await t.api(INTEGRATION, `/sobjects/Project__c/${id}`)).json()) as Record<string, unknown>;
    expect(after).toMatchObject({ Status__c: "Active", Budget__c: 2000 });

    const tooLong = await t.api(INTEGRATION, "/sobjects/Project__c", {
      method: "POST",
      body: { Name: "Long code", Code__c: "X".repeat(11) },
    });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as Array<{ errorCode: string }>)[0].errorCode).toBe("STRING_TOO_LONG");

    expect((await t.api(INTEGRATION, `/sobjects/Project__c/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await t.api(INTEGRATION, `/sobjects/Project__c/${id}`)).status).toBe(404);
  });

  it("a custom object not granted to a profile stays invisible to its users", async () => {
    await ok(
      await t.control("/objects", {
        method: "POST",
        body: { name: "Secret__c", fields: [{ name: "Note__c", type: "string" }] },
      }),
      201,
    );
    expect((await t.api(INTEGRATION, "/sobjects/Secret__c/describe")).status).toBe(404);
    expect((await t.api(DEMO.admin.username, "/sobjects/Secret__c/describe")).status).toBe(200);
  });

  it("fields added to a standard object without grantTo are visible to the System Administrator only", async () => {
    await ok(
      await t.control("/objects", {
        method: "POST",
        body: { name: "Account", fields: [{ name: "Admin_Only__c", type: "string" }] },
      }),
      201,
    );
    const integration = (await (await t.api(INTEGRATION, "/sobjects/Account/describe")).json()) as {
      fields: Array<{ name: string }>;
    };
    expect(integration.fields.map((f) => f.name)).not.toContain("Admin_Only__c");
    const admin = (await (await t.api(DEMO.admin.username, "/sobjects/Account/describe")).json()) as {
      fields: Array<{ name: string; updateable: boolean }>;
    };
    expect(admin.fields.find((f) => f.name === "Admin_Only__c")).toMatchObject({ updateable: true });
    const write = await t.api(INTEGRATION, "/sobjects/Account", {
      method: "POST",
      body: { Name: "x", Admin_Only__c: "y" },
    });
    expect(write.status).toBe(400);
    expect(((await write.json()) as Array<{ errorCode: string }>)[0].errorCode).toBe("INVALID_FIELD");
  });

  it("an arithmetic formula field computes from the record's number fields and follows updates", async () => {
    await ok(
      await t.control("/objects", {
        method: "POST",
        body: { name: "Invoice__c", fields: [{ name: "Doubled__c", type: "double", formula: "Amount__c * 2 + 1" }] },
      }),
      201,
    );
    const admin = DEMO.admin.username;
    const created = await t.api(admin, "/sobjects/Invoice__c", {
      method: "POST",
      body: { Name: "F-1", Amount__c: 10 },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(
      ((await (await t.api(admin, `/sobjects/Invoice__c/${id}`)).json()) as { Doubled__c: number }).Doubled__c,
    ).toBe(21);
    expect(
      (await t.api(admin, `/sobjects/Invoice__c/${id}`, { method: "PATCH", body: { Amount__c: 15 } })).status,
    ).toBe(204);
    expect(
      ((await (await t.api(admin, `/sobjects/Invoice__c/${id}`)).json()) as { Doubled__c: number }).Doubled__c,
    ).toBe(31);
    const describe = (await (await t.api(admin, "/sobjects/Invoice__c/describe")).json()) as {
      fields: Array<{ name: string; calculated: boolean; updateable: boolean }>;
    };
    expect(describe.fields.find((f) => f.name === "Doubled__c")).toMatchObject({ calculated: true, updateable: false });
  });

  it("two custom objects get different key prefixes", async () => {
    await ok(await t.control("/objects", { method: "POST", body: { name: "First__c" } }), 201);
    await ok(await t.control("/objects", { method: "POST", body: { name: "Second__c" } }), 201);
    const prefixes = ["First__c", "Second__c", "Invoice__c"].map((n) => t.org.objectDef(n)!.keyPrefix);
    expect(new Set(prefixes).size).toBe(3);
  });
});

describe("raw records and generation", () => {
  it("POST /records/Account keeps backdated system fields", async () => {
    const res = (await ok(
      await t.control("/records/Account", {
        method: "POST",
        body: {
          records: [
            {
              Name: "Backdated",
              CreatedDate: "2020-01-01T00:00:00.000+0000",
              LastModifiedDate: "2020-01-02T00:00:00.000+0000",
              SystemModstamp: "2020-01-03T04:05:06.000+0000",
            },
          ],
        },
      }),
      201,
    )) as { ids: string[] };
    expect(res.ids).toHaveLength(1);
    expect(res.ids[0]).toMatch(/^001[a-zA-Z0-9]{15}$/);
    const record = (await (await t.api(INTEGRATION, `/sobjects/Account/${res.ids[0]}`)).json()) as Record<
      string,
      unknown
    >;
    expect(record).toMatchObject({
      Name: "Backdated",
      CreatedDate: "2020-01-01T00:00:00.000+0000",
      LastModifiedDate: "2020-01-02T00:00:00.000+0000",
      SystemModstamp: "2020-01-03T04:05:06.000+0000",
    });
  });

  it("POST /records/Account with only a backdated SystemModstamp keeps it", async () => {
    const res = (await ok(
      await t.control("/records/Account", {
        method: "POST",
        body: { records: [{ Name: "Late", SystemModstamp: "2021-06-01T12:00:00.000+0000" }] },
      }),
      201,
    )) as { ids: string[] };
    const record = (await (await t.api(INTEGRATION, `/sobjects/Account/${res.ids[0]}`)).json()) as Record<
      string,
      unknown
    >;
    expect(record.SystemModstamp).toBe("2021-06-01T12:00:00.000+0000");
  });

  it("POST /generate/Account makes the asked number of records, the same content in two fresh orgs", async () => {
    const before = t.org.store.tableOrThrow("Account").size;
    const res = (await ok(await t.control("/generate/Account", { method: "POST", body: { count: 1000 } }), 201)) as {
      generated: number;
      total: number;
    };
    expect(res.generated).toBe(1000);
    expect(res.total).toBe(before + 1000);

    const other = await startDemoOrg();
    try {
      const res2 = (await ok(
        await other.control("/generate/Account", { method: "POST", body: { count: 1000 } }),
        201,
      )) as { generated: number };
      expect(res2.generated).toBe(1000);
      const names = (o: DemoOrg) => [...o.org.store.tableOrThrow("Account").live()].map((r) => String(r.Name));
      const a = names(t);
      const b = names(other);
      expect(a).toHaveLength(1000);
      expect(a).toEqual(b);
      expect(new Set(a).size).toBeGreaterThan(1);
      // and the records are real: readable over REST, with a Name
      const ids = [...t.org.store.tableOrThrow("Account").live()].slice(0, 3).map((r) => r.Id);
      const retrieved = (await (
        await t.api(INTEGRATION, `/composite/sobjects/Account?ids=${ids.join(",")}&fields=Name`)
      ).json()) as Array<{ Name: string }>;
      expect(retrieved.map((r) => r.Name)).toEqual(a.slice(0, 3));
    } finally {
      await other.close();
    }
  });
});

describe("recycle bin", () => {
  it("POST /recycle-bin/purge empties rows deleted more than 15 days ago; a purged record is then plain NOT_FOUND", async () => {
    const created = await t.api(INTEGRATION, "/sobjects/Account", { method: "POST", body: { Name: "To purge" } });
    const { id } = (await created.json()) as { id: string };
    expect((await t.api(INTEGRATION, `/sobjects/Account/${id}`, { method: "DELETE" })).status).toBe(204);
    const early = (await ok(await t.control("/recycle-bin/purge", { method: "POST" }))) as { purged: number };
    expect(early.purged).toBe(0);
    const again = await t.api(INTEGRATION, `/sobjects/Account/${id}`, { method: "DELETE" });
    expect(((await again.json()) as Array<{ errorCode: string }>)[0].errorCode).toBe("ENTITY_IS_DELETED");

    await ok(await t.control("/clock/advance", { method: "POST", body: { seconds: 16 * 24 * 3600 } }));
    const purged = (await ok(await t.control("/recycle-bin/purge", { method: "POST" }))) as { purged: number };
    expect(purged.purged).toBe(1);
    const gone = await t.api(INTEGRATION, `/sobjects/Account/${id}`, { method: "DELETE" });
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as Array<{ errorCode: string }>)[0].errorCode).toBe("NOT_FOUND");
  });
});

describe("clock", () => {
  it("advancing the clock moves CreatedDate of new records", async () => {
    const before = (await ok(await t.control("/clock"))) as { now: string; offsetMs: number };
    expect(before.offsetMs).toBe(0);
    const advanced = (await ok(await t.control("/clock/advance", { method: "POST", body: { seconds: 86_400 } }))) as {
      now: string;
      offsetMs: number;
    };
    expect(advanced.offsetMs).toBe(86_400_000);
    expect(Date.parse(advanced.now) - Date.parse(before.now)).toBeGreaterThanOrEqual(86_400_000);

    const res = await t.api(INTEGRATION, "/sobjects/Account", { method: "POST", body: { Name: "Tomorrow" } });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const record = (await (await t.api(INTEGRATION, `/sobjects/Account/${id}`)).json()) as { CreatedDate: string };
    expect(record.CreatedDate).toMatch(SF_DATETIME);
    const created = Date.parse(record.CreatedDate.replace("+0000", "Z"));
    expect(created).toBeGreaterThanOrEqual(Date.now() + 86_400_000 - 5_000);
    expect(created).toBeLessThanOrEqual(Date.now() + 86_400_000 + 5_000);
  });
});

describe("the clock drives every time the emulator emits", () => {
  const DAY_MS = 86_400_000;
  /** Within a few seconds of the org clock after an advance of `offsetMs`. */
  function expectOrgTime(ms: number, offsetMs: number, what: string) {
    expect(ms, what).toBeGreaterThanOrEqual(Date.now() + offsetMs - 5_000);
    expect(ms, what).toBeLessThanOrEqual(Date.now() + offsetMs + 5_000);
  }
  const sfTime = (text: string) => Date.parse(text.replace("+0000", "Z"));

  it("the HTTP Date header of every host moves with POST /clock/advance", async () => {
    const calls = () => [
      fetch(`${t.urls.login}/services/data/`),
      fetch(`${t.urls.test}/services/oauth2/token`, { method: "POST" }),
      t.api(INTEGRATION, "/limits"),
      fetch(`${t.urls.myDomain}/no/such/path`),
      t.control("/clock"),
    ];
    for (const res of await Promise.all(calls())) expectOrgTime(Date.parse(res.headers.get("date")!), 0, res.url);
    await ok(await t.control("/clock/advance", { method: "POST", body: { seconds: 86_400 } }));
    for (const res of await Promise.all(calls())) expectOrgTime(Date.parse(res.headers.get("date")!), DAY_MS, res.url);
  });

  it("token issued_at, SystemModstamp, Bulk job times and the API usage window follow the clock", async () => {
    expect((await t.api(INTEGRATION, "/limits")).headers.get("sforce-limit-info")).toMatch(/^api-usage=\d+\/\d+$/);
    await ok(await t.control("/clock/advance", { method: "POST", body: { seconds: 86_400 } }));

    const token = await fetch(`${t.urls.login}/services/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "password",
        client_id: DEMO.app.clientId,
        client_secret: DEMO.app.clientSecret,
        username: DEMO.integration.username,
        password: DEMO.integration.password,
      }),
    });
    const { issued_at } = (await ok(token)) as { issued_at: string };
    expectOrgTime(Number(issued_at), DAY_MS, "issued_at");

    const created = (await ok(
      await t.api(INTEGRATION, "/sobjects/Account", { method: "POST", body: { Name: "Clocked" } }),
      201,
    )) as { id: string };
    const record = (await ok(await t.api(INTEGRATION, `/sobjects/Account/${created.id}`))) as Record<string, string>;
    for (const field of ["CreatedDate", "LastModifiedDate", "SystemModstamp"])
      expectOrgTime(sfTime(record[field]), DAY_MS, field);

    const job = (await ok(
      await t.api(INTEGRATION, "/jobs/query", {
        method: "POST",
        body: { operation: "query", query: "SELECT Id FROM Account" },
      }),
    )) as { createdDate: string; systemModstamp: string };
    expectOrgTime(sfTime(job.createdDate), DAY_MS, "job createdDate");
    expectOrgTime(sfTime(job.systemModstamp), DAY_MS, "job systemModstamp");

    // The usage window is the org's last 24 hours: a day on, the earlier calls have left it.
    const usage = (await t.api(INTEGRATION, "/limits")).headers.get("sforce-limit-info");
    expect(usage).toMatch(/^api-usage=\d+\//);
    expect(Number(/=(\d+)/.exec(usage!)![1])).toBeLessThanOrEqual(4);
  });
});

describe("the control surface is served on the production login host only", () => {
  const calls: Array<[string, string, unknown?]> = [
    ["GET", "/info"],
    ["GET", "/clock"],
    ["POST", "/clock/advance", { seconds: 3600 }],
    ["PATCH", `/users/${INTEGRATION}`, { active: false }],
    ["POST", "/sessions/revoke", {}],
  ];

  it("the sandbox login host and the My Domain (instance) host answer Salesforce's 404 and change nothing", async () => {
    for (const host of [t.urls.test, t.urls.myDomain]) {
      for (const [method, path, body] of calls) {
        const res = await fetch(`${host}/__emulator${path}`, {
          method,
          headers: body === undefined ? {} : { "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const what = `${method} ${host}/__emulator${path}`;
        expect(res.status, what).toBe(404);
        expect(await res.json(), what).toEqual([
          { errorCode: "NOT_FOUND", message: "The requested resource does not exist" },
        ]);
      }
    }
    expect(t.org.clock.offset).toBe(0);
    expect(t.org.userByUsername(INTEGRATION)?.IsActive).toBe(true);
    expect((await t.api(INTEGRATION, "/limits")).status).toBe(200);
  });

  it("the login host serves it, and /info points at it, in a sandbox org too", async () => {
    const sandbox = await startDemoOrg({ seed: { ...DEMO_SEED, org: { ...DEMO_SEED.org, isSandbox: true } } });
    try {
      const info = (await ok(await sandbox.control("/info"))) as { control: string; loginUrl: string };
      expect(info.control).toBe(`${sandbox.urls.login}/__emulator`);
      expect((await fetch(`${sandbox.urls.test}/__emulator/info`)).status).toBe(404);
    } finally {
      await sandbox.close();
    }
  });
});

describe("org settings", () => {
  it("GET /org reflects PATCH /org", async () => {
    const patched = (await ok(
      await t.control("/org", {
        method: "PATCH",
        body: { name: "Renamed Org", isSandbox: false, sessionTimeoutSeconds: 900 },
      }),
    )) as Record<string, unknown>;
    expect(patched).toMatchObject({ name: "Renamed Org", sessionTimeoutSeconds: 900 });
    const view = (await ok(await t.control("/org"))) as Record<string, unknown>;
    expect(view).toMatchObject({
      name: "Renamed Org",
      edition: DEMO_SEED.org?.edition,
      sessionTimeoutSeconds: 900,
      apiEnabled: true,
    });
  });

  it("a shorter session timeout takes effect for live tokens", async () => {
    const token = await rawToken(INTEGRATION);
    await ok(await t.control("/org", { method: "PATCH", body: { sessionTimeoutSeconds: 60 } }));
    expect((await callWith(token)).status).toBe(200);
    await ok(await t.control("/clock/advance", { method: "POST", body: { seconds: 61 } }));
    expect((await callWith(token)).status).toBe(401);
  });
});
