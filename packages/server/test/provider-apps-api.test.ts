import { generateKeyPairSync } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getProviderApp, getProviderAppById, openProviderAppSecrets } from "../src/provider-apps/provider-app-store.ts";
import { providerApps } from "../src/store/schema.ts";
import { type ServerHarness, startHarness } from "./support/harness.ts";
import { type Backend, suiteBackends } from "./support/test-database.ts";

const backends = suiteBackends();

const { privateKey: JWT_KEY } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
/** A line from the middle of the key: if it shows up anywhere, the key leaked. */
const JWT_KEY_LINE = JWT_KEY.split("\n")[5];
const JWT_KEY_FIRST_LINE = JWT_KEY.split("\n")[1];
const SECRET = "SECRET-0123456789abcdef-do-not-leak";
const CLIENT_ID = "3MVG9ForcelinkTestConsumerKey.0123456789";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the assertions, not the compiler.
type Json = Record<string, any>;

describe.each(backends)("provider apps API on %s", (backend: Backend) => {
  let t: ServerHarness;
  let projectB: { projectId: string; key: string };
  /** Every response body this suite saw, to prove no secret ever left the server. */
  const seen: string[] = [];

  beforeAll(async () => {
    t = await startHarness({ emulator: false, backend, logs: true });
    projectB = await t.addProject("B");
  });
  afterAll(async () => {
    await t?.close();
  });

  async function call(
    method: string,
    path: string,
    options: { body?: unknown; raw?: string; key?: string | null } = {},
  ): Promise<{ status: number; body: Json; text: string }> {
    const key = options.key === undefined ? t.apiKey : options.key;
    const headers: Record<string, string> = {};
    if (key) headers.authorization = `Bearer ${key}`;
    let payload: string | undefined;
    if (options.raw !== undefined) payload = options.raw;
    else if (options.body !== undefined) payload = JSON.stringify(options.body);
    if (payload !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${t.server.url}${path}`, { method, headers, body: payload });
    const text = await res.text();
    seen.push(text);
    return { status: res.status, body: text ? JSON.parse(text) : {}, text };
  }

  const create = (overrides: Json = {}, key?: string) =>
    call("POST", "/v1/provider-apps", {
      key,
      body: { name: "Acme sync", kind: "connected_app", clientId: CLIENT_ID, clientSecret: SECRET, ...overrides },
    });

  describe("create", () => {
    it("registers an app with the defaults and shows what to set in Salesforce", async () => {
      const { status, body } = await create();
      expect(status).toBe(201);
      expect(body).toMatchObject({
        name: "Acme sync",
        kind: "connected_app",
        clientId: CLIENT_ID,
        scopes: ["api", "refresh_token", "id"],
        pkce: true,
        clientCredentialsEnabled: false,
        jwt: null,
        requirements: null,
        callbackUrl: `${t.server.url}/oauth/callback`,
      });
      expect(body.id).toMatch(/^app_/);
      expect(body).not.toHaveProperty("clientSecret");
      expect(body.setup.join("\n")).toContain(`${t.server.url}/oauth/callback`);
      expect(body.setup.join("\n")).toContain('"Manage user data via APIs (api)"');
      expect(body.setup.join("\n")).toContain("Permitted Users");
      expect(new Date(body.createdAt).getTime()).toBeGreaterThan(0);
    });

    it.each<[string, Json, Json]>([
      [
        "an External Client App with client credentials",
        { kind: "external_client_app", clientCredentials: { enabled: true } },
        { kind: "external_client_app", pkce: true, clientCredentialsEnabled: true },
      ],
      ["a Connected App with PKCE off", { pkce: false }, { pkce: false }],
      [
        "repeated and synonym scopes",
        { scopes: ["api", "offline_access", "api", "openid", "cdp_query_api"] },
        { scopes: ["api", "offline_access", "openid", "cdp_query_api"] },
      ],
      ["full instead of api", { scopes: ["full", "refresh_token"] }, { scopes: ["full", "refresh_token"] }],
      [
        "pasted values with spaces around",
        { name: "  Padded  ", clientId: `  ${CLIENT_ID}\n` },
        { name: "Padded", clientId: CLIENT_ID },
      ],
      [
        "a JWT key and username",
        { jwt: { username: "integration@acme.example", privateKey: JWT_KEY } },
        {
          jwt: {
            username: "integration@acme.example",
            configured: true,
            keyFingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
          },
        },
      ],
      ["jwt null", { jwt: null }, { jwt: null }],
      [
        "requirements",
        {
          requirements: {
            objects: [
              { name: "Account", access: ["write", "read"], fields: ["Name", "Industry", "Name"] },
              { name: "Invoice__c", access: ["subscribe"] },
            ],
          },
        },
        {
          requirements: {
            objects: [
              { name: "Account", access: ["read", "write"], fields: ["Name", "Industry"] },
              { name: "Invoice__c", access: ["subscribe"] },
            ],
          },
        },
      ],
    ])("accepts %s", async (_, overrides, expected) => {
      const { status, body } = await create(overrides);
      expect(status).toBe(201);
      expect(body).toMatchObject(expected);
    });

    it.each<[string, Json | string, string, RegExp]>([
      ["no name", { name: undefined }, "invalid_request", /body\.name/],
      ["an unknown kind", { kind: "lightning_app" }, "invalid_request", /body\.kind/],
      ["a short consumer key", { clientId: "abc" }, "invalid_request", /body\.clientId/],
      ["a consumer key that is too long", { clientId: "k".repeat(300) }, "invalid_request", /body\.clientId/],
      ["an empty secret", { clientSecret: "" }, "invalid_request", /body\.clientSecret/],
      [
        "a secret with a space inside",
        { clientSecret: "two words-here" },
        "invalid_request",
        /body\.clientSecret: .*spaces/,
      ],
      [
        "the consumer key as secret",
        { clientSecret: CLIENT_ID },
        "invalid_provider_app",
        /clientSecret: .*consumer key was pasted twice/,
      ],
      [
        "scopes without api",
        { scopes: ["refresh_token", "id"] },
        "invalid_provider_app",
        /scopes: Without the `api` scope .*REST/,
      ],
      [
        "scopes without refresh_token",
        { scopes: ["api", "id"] },
        "invalid_provider_app",
        /scopes: Without `refresh_token`.*session ends/,
      ],
      [
        "an unknown scope",
        { scopes: ["api", "refresh_token", "banana"] },
        "invalid_provider_app",
        /no OAuth scope named "banana"/,
      ],
      ["scopes as one string", { scopes: "api refresh_token" }, "invalid_request", /body\.scopes/],
      [
        "an External Client App without PKCE",
        { kind: "external_client_app", pkce: false },
        "invalid_provider_app",
        /pkce: External Client Apps require PKCE/,
      ],
      ["pkce as a string", { pkce: "yes" }, "invalid_request", /body\.pkce/],
      ["client credentials as a boolean", { clientCredentials: true }, "invalid_request", /body\.clientCredentials/],
      [
        "a JWT username without a key",
        { jwt: { username: "a@b.example" } },
        "invalid_request",
        /body\.jwt\.privateKey/,
      ],
      ["a JWT key without a username", { jwt: { privateKey: JWT_KEY } }, "invalid_request", /body\.jwt\.username/],
      [
        "a JWT username that is not one",
        { jwt: { username: "bob", privateKey: JWT_KEY } },
        "invalid_request",
        /body\.jwt\.username/,
      ],
      [
        "a JWT key that is not a key",
        { jwt: { username: "a@b.example", privateKey: "hello" } },
        "invalid_provider_app",
        /jwt\.privateKey: .*not a PEM private key/,
      ],
      [
        "a requirement with an unknown access",
        { requirements: { objects: [{ name: "Account", access: ["destroy"] }] } },
        "invalid_request",
        /body\.requirements\.objects\.0\.access\.0/,
      ],
      [
        "a requirement with no access",
        { requirements: { objects: [{ name: "Account", access: [] }] } },
        "invalid_request",
        /body\.requirements\.objects\.0\.access/,
      ],
      [
        "a requirement with a label for a name",
        { requirements: { objects: [{ name: "Account Name", access: ["read"] }] } },
        "invalid_request",
        /body\.requirements\.objects\.0\.name: must be a Salesforce API name/,
      ],
      [
        "a requirement with a bad field",
        { requirements: { objects: [{ name: "Account", access: ["read"], fields: ["Billing City"] }] } },
        "invalid_request",
        /body\.requirements\.objects\.0\.fields\.0/,
      ],
      [
        "an object required twice",
        {
          requirements: {
            objects: [
              { name: "Account", access: ["read"] },
              { name: "ACCOUNT", access: ["write"] },
            ],
          },
        },
        "invalid_provider_app",
        /requirements\.objects\.1\.name: .*twice/,
      ],
      ["requirements without objects", { requirements: {} }, "invalid_request", /body\.requirements\.objects/],
      ["a misspelt field", { scope: ["api"] }, "invalid_request", /scope/],
      ["a body that is not JSON", "{not json", "invalid_json", /not valid JSON/],
      ["a body that is an array", "[]", "invalid_request", /body/],
    ])("refuses %s with 400 naming the problem", async (_, change, code, message) => {
      const res =
        typeof change === "string" ? await call("POST", "/v1/provider-apps", { raw: change }) : await create(change);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message).toMatch(message);
      expect(res.text).not.toContain(SECRET);
      if (code === "invalid_provider_app") {
        expect(res.body.error.remedy).toBeTruthy();
        expect(res.body.error.details.length).toBeGreaterThan(0);
      }
    });

    it("reports every problem at once, each with its remedy", async () => {
      const { status, body } = await create({ kind: "external_client_app", pkce: false, scopes: ["id"] });
      expect(status).toBe(400);
      expect(body.error.details.map((d: Json) => d.code)).toEqual([
        "api_scope_missing",
        "refresh_scope_missing",
        "pkce_required",
      ]);
      expect(body.error.remedy).toContain("Manage user data via APIs (api)");
      expect(body.error.remedy).toContain("Perform requests at any time (refresh_token, offline_access)");
      expect(body.error.remedy).toContain("Leave pkce on");
    });

    it("lists the known scopes when one is unknown", async () => {
      const { body } = await create({ scopes: ["api", "refresh_token", "Api"] });
      expect(body.error.message).toContain('did you mean "api"');
      expect(body.error.details[0].details.known).toContain("sfap_api");
      expect(body.error.remedy).toContain("offline_access");
    });

    it("refuses oversized bodies with 413", async () => {
      const big = await create({ name: "x".repeat(600 * 1024) });
      expect(big.status).toBe(413);
      expect(big.body.error.code).toBe("payload_too_large");
    });

    it("needs an API key", async () => {
      const { status, body } = await call("GET", "/v1/provider-apps", { key: null });
      expect(status).toBe(401);
      expect(body.error.code).toBe("unauthorized");
    });
  });

  describe("read", () => {
    it("lists and fetches apps, and answers 404 for an unknown id", async () => {
      const created = (await create({ name: "Listed" })).body;
      const list = await call("GET", "/v1/provider-apps");
      expect(list.status).toBe(200);
      expect(list.body.data.map((a: Json) => a.id)).toContain(created.id);
      const one = await call("GET", `/v1/provider-apps/${created.id}`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(created);
      const missing = await call("GET", "/v1/provider-apps/app_nope");
      expect(missing.status).toBe(404);
      expect(missing.body.error).toMatchObject({
        code: "not_found",
        message: "No provider app with id 'app_nope' in this project.",
      });
      // An id longer than any real one is refused by the route's validation.
      expect((await call("GET", `/v1/provider-apps/${"x".repeat(101)}`)).status).toBe(400);
    });

    it("describes the routes in the OpenAPI document", async () => {
      const { status, body } = await call("GET", "/v1/openapi.json");
      expect(status).toBe(200);
      expect(Object.keys(body.paths)).toEqual(
        expect.arrayContaining(["/v1/provider-apps", "/v1/provider-apps/{id}", "/v1/provider-apps/{id}/rotate-secret"]),
      );
    });
  });

  describe("secrets", () => {
    it("seals the secret and the key in the store and opens them for the connect flow", async () => {
      const { body } = await create({ name: "Sealed", jwt: { username: "jwt@acme.example", privateKey: JWT_KEY } });
      const rows = await t.sql("select * from provider_apps");
      const row = rows.find((r) => r.id === body.id)!;
      expect(row.client_secret_sealed).toMatch(/^v1\./);
      expect(row.jwt_private_key_sealed).toMatch(/^v1\./);
      const everything = JSON.stringify(rows);
      expect(everything).not.toContain(SECRET);
      expect(everything).not.toContain(JWT_KEY_LINE);
      expect(everything).not.toContain("PRIVATE KEY");

      const app = await getProviderApp(t.server.platform, t.projectId, body.id);
      expect(app).not.toBeNull();
      expect(await openProviderAppSecrets(t.server.platform, app!)).toEqual({
        clientSecret: SECRET,
        jwtPrivateKey: JWT_KEY,
      });
      expect(await getProviderAppById(t.server.platform, body.id)).toEqual(app);
      expect(await getProviderApp(t.server.platform, projectB.projectId, body.id)).toBeNull();
    });

    it("rotates the secret", async () => {
      const { body } = await create({ name: "Rotating" });
      const rotated = await call("POST", `/v1/provider-apps/${body.id}/rotate-secret`, {
        body: { clientSecret: "NEW-SECRET-9876543210" },
      });
      expect(rotated.status).toBe(200);
      expect(rotated.body).toMatchObject({ id: body.id, clientId: CLIENT_ID });
      expect(rotated.text).not.toContain("NEW-SECRET-9876543210");
      expect(new Date(rotated.body.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(body.updatedAt).getTime());
      const app = await getProviderApp(t.server.platform, t.projectId, body.id);
      expect((await openProviderAppSecrets(t.server.platform, app!)).clientSecret).toBe("NEW-SECRET-9876543210");
      expect(JSON.stringify(await t.sql("select * from provider_apps"))).not.toContain("NEW-SECRET-9876543210");

      const again = await call("POST", `/v1/provider-apps/${body.id}/rotate-secret`, {
        body: { clientSecret: "NEW-SECRET-9876543210" },
      });
      expect(again.status).toBe(400);
      expect(again.body.error.details[0].code).toBe("client_secret_unchanged");
      const keyAsSecret = await call("POST", `/v1/provider-apps/${body.id}/rotate-secret`, {
        body: { clientSecret: CLIENT_ID },
      });
      expect(keyAsSecret.status).toBe(400);
      expect(keyAsSecret.body.error.details[0].code).toBe("client_secret_is_client_id");
      const empty = await call("POST", `/v1/provider-apps/${body.id}/rotate-secret`, { body: {} });
      expect(empty.status).toBe(400);
      expect(empty.body.error.message).toMatch(/body\.clientSecret/);
      const huge = await call("POST", `/v1/provider-apps/${body.id}/rotate-secret`, {
        body: { clientSecret: "s".repeat(8000) },
      });
      expect(huge.status).toBe(413);
      const missing = await call("POST", "/v1/provider-apps/app_nope/rotate-secret", {
        body: { clientSecret: "whatever-123" },
      });
      expect(missing.status).toBe(404);
    });
  });

  describe("isolation", () => {
    it("keeps one project's apps out of another's reach", async () => {
      const mine = (await create({ name: "Project A's" })).body;
      const theirs = (await create({ name: "Project B's" }, projectB.key)).body;
      const asB = { key: projectB.key };

      const listB = await call("GET", "/v1/provider-apps", asB);
      expect(listB.body.data.map((a: Json) => a.id)).toEqual([theirs.id]);
      const listA = await call("GET", "/v1/provider-apps");
      expect(listA.body.data.map((a: Json) => a.id)).not.toContain(theirs.id);

      expect((await call("GET", `/v1/provider-apps/${mine.id}`, asB)).status).toBe(404);
      expect((await call("PATCH", `/v1/provider-apps/${mine.id}`, { ...asB, body: { name: "stolen" } })).status).toBe(
        404,
      );
      expect(
        (
          await call("POST", `/v1/provider-apps/${mine.id}/rotate-secret`, {
            ...asB,
            body: { clientSecret: "hijacked-secret" },
          })
        ).status,
      ).toBe(404);
      expect((await call("DELETE", `/v1/provider-apps/${mine.id}`, asB)).status).toBe(404);

      const after = await call("GET", `/v1/provider-apps/${mine.id}`);
      expect(after.body).toEqual(mine);
      const app = await getProviderApp(t.server.platform, t.projectId, mine.id);
      expect((await openProviderAppSecrets(t.server.platform, app!)).clientSecret).toBe(SECRET);
    });
  });

  describe("update", () => {
    it("changes what is sent and re-checks the whole app", async () => {
      const app = (await create({ name: "Patchable", pkce: false })).body;
      const path = `/v1/provider-apps/${app.id}`;

      const renamed = await call("PATCH", path, {
        body: { name: "Renamed", scopes: ["api", "refresh_token", "chatter_api"] },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({
        name: "Renamed",
        scopes: ["api", "refresh_token", "chatter_api"],
        pkce: false,
        clientId: CLIENT_ID,
      });

      const noApi = await call("PATCH", path, { body: { scopes: ["refresh_token"] } });
      expect(noApi.status).toBe(400);
      expect(noApi.body.error.details[0].code).toBe("api_scope_missing");

      const toEca = await call("PATCH", path, { body: { kind: "external_client_app" } });
      expect(toEca.status).toBe(400);
      expect(toEca.body.error.details[0]).toMatchObject({ field: "pkce", code: "pkce_required" });

      const newIdOnly = await call("PATCH", path, { body: { clientId: "3MVG9AnotherConsumerKey" } });
      expect(newIdOnly.status).toBe(400);
      expect(newIdOnly.body.error.details[0].code).toBe("client_secret_required");

      const badShape = await call("PATCH", path, { body: { pkce: "off" } });
      expect(badShape.status).toBe(400);
      expect(badShape.body.error.message).toMatch(/body\.pkce/);
      const unknownField = await call("PATCH", path, { body: { secret: "x" } });
      expect(unknownField.status).toBe(400);

      expect((await call("GET", path)).body).toEqual(renamed.body);

      const moved = await call("PATCH", path, {
        body: {
          kind: "external_client_app",
          pkce: true,
          clientId: "3MVG9AnotherConsumerKey",
          clientSecret: "another-secret-value",
          clientCredentials: { enabled: true },
          jwt: { username: "jwt@acme.example", privateKey: JWT_KEY },
          requirements: { objects: [{ name: "Contact", access: ["read"] }] },
        },
      });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({
        kind: "external_client_app",
        pkce: true,
        clientId: "3MVG9AnotherConsumerKey",
        clientCredentialsEnabled: true,
        jwt: { username: "jwt@acme.example", configured: true },
        requirements: { objects: [{ name: "Contact", access: ["read"] }] },
      });
      expect(moved.body.setup.join("\n")).toContain("External Client App Manager");
      expect(moved.text).not.toContain("another-secret-value");
      let row = await getProviderApp(t.server.platform, t.projectId, app.id);
      expect(await openProviderAppSecrets(t.server.platform, row!)).toEqual({
        clientSecret: "another-secret-value",
        jwtPrivateKey: JWT_KEY,
      });

      const keepKey = await call("PATCH", path, { body: { name: "Key kept" } });
      expect(keepKey.body.jwt).toEqual(moved.body.jwt);

      const cleared = await call("PATCH", path, { body: { jwt: null, requirements: null } });
      expect(cleared.status).toBe(200);
      expect(cleared.body).toMatchObject({ jwt: null, requirements: null });
      row = await getProviderApp(t.server.platform, t.projectId, app.id);
      expect(row).toMatchObject({ jwtUsername: null, jwtPrivateKeySealed: null, jwtKeyFingerprint: null });

      expect((await call("PATCH", "/v1/provider-apps/app_nope", { body: { name: "x" } })).status).toBe(404);
    });
  });

  describe("delete", () => {
    it("removes the app", async () => {
      const app = (await create({ name: "Doomed" })).body;
      const deleted = await call("DELETE", `/v1/provider-apps/${app.id}`);
      expect(deleted.status).toBe(204);
      expect((await call("GET", `/v1/provider-apps/${app.id}`)).status).toBe(404);
      expect((await call("DELETE", `/v1/provider-apps/${app.id}`)).status).toBe(404);
      expect(await t.server.platform.db.select().from(providerApps).where(eq(providerApps.id, app.id))).toEqual([]);
    });

    it("takes the app's connections and connect sessions with it: every reference cascades", async () => {
      const result = (await t.server.platform.db.execute(
        sql`select conrelid::regclass::text as "table", confdeltype as "onDelete" from pg_constraint where confrelid = 'provider_apps'::regclass`,
      )) as unknown as { rows: Array<{ table: string; onDelete: string }> };
      expect(result.rows.map((r) => r.table)).toEqual(expect.arrayContaining(["connections", "connect_sessions"]));
      for (const row of result.rows) expect(row, `${row.table} must cascade`).toMatchObject({ onDelete: "c" });
    });
  });

  describe("leaks", () => {
    it("never shows a secret or a private key in a response or a log line", () => {
      expect(seen.length).toBeGreaterThan(40);
      for (const text of seen) {
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(JWT_KEY_LINE);
        expect(text).not.toContain(JWT_KEY_FIRST_LINE);
      }
      const logs = t.logs();
      expect(logs).toContain("/v1/provider-apps");
      expect(logs).not.toContain(SECRET);
      expect(logs).not.toContain(JWT_KEY_LINE);
    });
  });
});
