import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { Writable } from "node:stream";
import { DEMO } from "@forcelink/emulator";
import { completeAuthorize } from "@forcelink/emulator/testing";
import { DrizzleQueryError } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/log/logger.ts";
import { createApiKey, createProject } from "../src/projects/api-keys.ts";
import { apiWith } from "./support/api-client.ts";
import {
  connectThroughPages,
  createConnectSession,
  pageText,
  sessionStatus,
  submitConnectPage,
} from "./support/connect-pages.ts";
import { type Harness, startHarness } from "./support/harness.ts";

/**
 * Every /v1 route and public page, fed what people and scripts get wrong: each answer is a 4xx
 * that names the problem, in the API's one error shape (HTML for the customer's pages), and
 * never a 500. Then the store and the log are searched for any secret in plaintext.
 */

let h: Harness;
/** Ids in the default project (A) and in a second project (B), filled in before the table runs. */
const ids: Record<string, string> = {};
let keyB: string;
let apiB: Harness["api"];
let revokedKey: string;
/** Secrets seen on the way, that must never be stored or logged in plaintext. */
const secrets: Record<string, string> = {};
/** A callback URL already used once (replay). */
let usedCallbackUrl: string;

async function createdId(res: Response): Promise<string> {
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return (JSON.parse(text) as { id: string }).id;
}

beforeAll(async () => {
  h = await startHarness({ accounts: 5, logs: true });
  const db = h.server.platform.db;

  // Project A (the key's own project).
  ids.app = (await h.demoProviderApp()).id;
  const run = await connectThroughPages(h, { providerAppId: ids.app, endUserId: "bad-input-a" });
  usedCallbackUrl = run.callbackUrl;
  ids.conn = (await sessionStatus(h, run.session.id)).connectionId!;
  ids.session = run.session.id;
  secrets.connectTokenA = new URL(run.session.url).pathname.split("/").pop()!;
  secrets.stateA = new URL(run.callbackUrl).searchParams.get("state")!;
  secrets.codeA = new URL(run.callbackUrl).searchParams.get("code")!;
  const hook = await h.api("/v1/webhooks", {
    method: "POST",
    body: { url: "http://127.0.0.1:9/hooks", events: ["*"] },
  });
  const hookBody = (await hook.json()) as { id: string; secret: string };
  ids.hook = hookBody.id;
  secrets.webhookSecretA = hookBody.secret;
  const pending = await createConnectSession(h, { providerAppId: ids.app, endUserId: "bad-input-pending" });
  ids.pendingToken = new URL(pending.url).pathname.split("/").pop()!;
  secrets.pendingToken = ids.pendingToken;

  // A key of project A, revoked before it is ever used.
  const doomed = await createApiKey(db, h.server.firstKey!.projectId, "doomed");
  revokedKey = doomed.key;
  expect((await h.api(`/v1/api-keys/${doomed.id}`, { method: "DELETE" })).status).toBe(204);

  // Project B, with one of everything.
  const projectB = await createProject(db, "Other project");
  const b = await createApiKey(db, projectB.id, "b");
  keyB = b.key;
  secrets.apiKeyB = keyB;
  secrets.apiKeyA = h.apiKey;
  ids.keyB = b.id;
  apiB = apiWith(h.server.url, keyB);
  ids.appB = await createdId(
    await apiB("/v1/provider-apps", {
      method: "POST",
      body: {
        name: "B",
        kind: "external_client_app",
        clientId: DEMO.app.clientId,
        clientSecret: DEMO.app.clientSecret,
      },
    }),
  );
  const runB = await connectThroughPages(
    { api: apiB },
    { providerAppId: ids.appB, endUserId: "bad-input-b", username: DEMO.admin.username, password: DEMO.admin.password },
  );
  expect(runB.result.status).toBe(200);
  ids.connB = (await sessionStatus({ api: apiB }, runB.session.id)).connectionId!;
  ids.sessionB = runB.session.id;
  const hookB = await apiB("/v1/webhooks", { method: "POST", body: { url: "http://127.0.0.1:9/b", events: ["*"] } });
  const hookBBody = (await hookB.json()) as { id: string; secret: string };
  ids.hookB = hookBBody.id;
  secrets.webhookSecretB = hookBBody.secret;
});
afterAll(async () => {
  await h?.close();
});

/** Replaces `:name` placeholders with the ids made in beforeAll. */
function fill(text: string): string {
  return text.replace(/:([a-zA-Z]+)/g, (m, name: string) => ids[name] ?? m);
}
function fillBody(body: unknown): unknown {
  if (typeof body === "string") return body;
  return body === undefined ? undefined : JSON.parse(fill(JSON.stringify(body)));
}

interface ApiCase {
  what: string;
  method: string;
  path: string;
  /** A string is sent as is (with content-type application/json unless headers say otherwise). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Which key to send: A (default), B, none, or a literal Authorization header. */
  auth?: "A" | "B" | "none" | "revoked" | { header: string };
  /** The status, or the statuses that are acceptable. */
  status: number | number[];
  /** The error code; "*" for any. */
  code: string;
  /** The message names the problem. */
  message: RegExp;
}

const validApp = {
  name: "App",
  kind: "external_client_app",
  clientId: "3MVG9SomeConsumerKey",
  clientSecret: "some-consumer-secret",
};
const MB = 1024 * 1024;
const big = (bytes: number) =>
  JSON.stringify({
    name: "x".repeat(bytes),
    kind: "external_client_app",
    clientId: "3MVG9Big",
    clientSecret: "big-secret-1",
  });

const apiCases: ApiCase[] = [
  // --- API keys
  {
    what: "no Authorization header",
    method: "GET",
    path: "/v1/connections",
    auth: "none",
    status: 401,
    code: "unauthorized",
    message: /needs a project API key/,
  },
  {
    what: "Basic instead of Bearer",
    method: "GET",
    path: "/v1/provider-apps",
    auth: { header: "Basic Zm9vOmJhcg==" },
    status: 401,
    code: "unauthorized",
    message: /needs a project API key/,
  },
  {
    what: "an empty Bearer",
    method: "GET",
    path: "/v1/webhooks",
    auth: { header: "Bearer " },
    status: 401,
    code: "unauthorized",
    message: /needs a project API key/,
  },
  {
    what: "a made-up key",
    method: "GET",
    path: "/v1/connections",
    auth: { header: "Bearer fl_sk_thisisnotakeyatall000000000000" },
    status: 401,
    code: "unauthorized",
    message: /not valid or was revoked/,
  },
  {
    what: "something that is not a key",
    method: "GET",
    path: "/v1/connections",
    auth: { header: "Bearer 00D000000000001!AQ8AQ" },
    status: 401,
    code: "unauthorized",
    message: /not valid or was revoked/,
  },
  {
    what: "a revoked key",
    method: "GET",
    path: "/v1/connections",
    auth: "revoked",
    status: 401,
    code: "unauthorized",
    message: /not valid or was revoked/,
  },
  {
    what: "a key in another header",
    method: "GET",
    path: "/v1/connections",
    auth: "none",
    headers: { "x-api-key": "fl_sk_whatever" },
    status: 401,
    code: "unauthorized",
    message: /needs a project API key/,
  },
  {
    what: "a key on an unknown route",
    method: "GET",
    path: "/v1/nothing-here",
    status: 404,
    code: "route_not_found",
    message: /There is no GET \/v1\/nothing-here/,
  },

  // --- malformed bodies
  {
    what: "truncated JSON",
    method: "POST",
    path: "/v1/provider-apps",
    body: '{"name": "x", ',
    status: 400,
    code: "invalid_json",
    message: /not valid JSON/,
  },
  {
    what: "JSON with a syntax error",
    method: "POST",
    path: "/v1/connect-sessions",
    body: '{"providerAppId": }',
    status: 400,
    code: "invalid_json",
    message: /not valid JSON/,
  },
  {
    what: "an empty JSON body",
    method: "POST",
    path: "/v1/webhooks",
    body: "",
    status: 400,
    code: "invalid_request",
    message: /empty/,
  },
  {
    what: "a JSON array instead of an object",
    method: "POST",
    path: "/v1/provider-apps",
    body: "[1, 2]",
    status: 400,
    code: "invalid_request",
    message: /not valid/,
  },
  {
    what: "JSON null",
    method: "POST",
    path: "/v1/connect-sessions",
    body: "null",
    status: 400,
    code: "invalid_request",
    message: /not valid/,
  },
  // Only the manifest upload takes YAML and only the connect pages take forms: JSON routes answer 415.
  {
    what: "a text body",
    method: "POST",
    path: "/v1/connections",
    body: "flow=client_credentials",
    headers: { "content-type": "text/plain" },
    status: 415,
    code: "unsupported_media_type",
    message: /text\/plain is not accepted here; this endpoint takes application\/json/,
  },
  {
    what: "a form body on the API",
    method: "POST",
    path: "/v1/webhooks",
    body: "url=http://x",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    status: 415,
    code: "unsupported_media_type",
    message: /application\/x-www-form-urlencoded is not accepted here; this endpoint takes application\/json/,
  },
  {
    what: "a YAML body on a JSON route",
    method: "POST",
    path: "/v1/provider-apps",
    body: "name: x",
    headers: { "content-type": "application/yaml" },
    status: 415,
    code: "unsupported_media_type",
    message: /takes application\/json/,
  },
  {
    what: "a body without a Content-Type",
    method: "PATCH",
    path: "/v1/webhooks/:hook",
    body: '{"enabled": false}',
    headers: { "content-type": "" },
    status: 415,
    code: "unsupported_media_type",
    message: /without a Content-Type is not accepted here/,
  },
  {
    what: "a JSON body with __proto__",
    method: "POST",
    path: "/v1/webhooks",
    body: '{"url": "https://example.com/x", "events": ["*"], "__proto__": {"admin": true}}',
    status: 400,
    code: "forbidden_key",
    message: /'__proto__' key at body, which is refused/,
  },
  {
    what: "a JSON body with constructor.prototype",
    method: "PATCH",
    path: "/v1/provider-apps/:app",
    body: '{"name": "x", "requirements": {"constructor": {"prototype": {"admin": true}}}}',
    status: 400,
    code: "forbidden_key",
    message: /'constructor\.prototype' key at body\.requirements/,
  },
  {
    what: "a NUL in a JSON body",
    method: "POST",
    path: "/v1/connect-sessions",
    body: { providerAppId: ":app", endUserId: "a\u0000b" },
    status: 400,
    code: "control_character",
    message: /body field 'body\.endUserId' contains a control character \(U\+0000\)/,
  },
  {
    what: "an unknown content type",
    method: "POST",
    path: "/v1/webhooks",
    body: "<xml/>",
    headers: { "content-type": "application/xml" },
    status: 415,
    code: "unsupported_media_type",
    message: /application\/json/,
  },

  // --- wrong types
  {
    what: "wrong types in a provider app",
    method: "POST",
    path: "/v1/provider-apps",
    body: { name: 123, kind: "x", clientId: true, clientSecret: [] },
    status: 400,
    code: "invalid_request",
    message: /body\.name.*body\.kind.*body\.clientId.*body\.clientSecret/,
  },
  {
    what: "scopes as a string",
    method: "POST",
    path: "/v1/provider-apps",
    body: { ...validApp, scopes: "api refresh_token" },
    status: 400,
    code: "invalid_request",
    message: /body\.scopes/,
  },
  {
    what: "a numeric providerAppId",
    method: "POST",
    path: "/v1/connect-sessions",
    body: { providerAppId: 42, endUserId: "x" },
    status: 400,
    code: "invalid_request",
    message: /body\.providerAppId/,
  },
  {
    what: "an unknown environment",
    method: "POST",
    path: "/v1/connect-sessions",
    body: { providerAppId: ":app", endUserId: "x", environment: "staging" },
    status: 400,
    code: "invalid_request",
    message: /body\.environment/,
  },
  {
    what: "a javascript: returnUrl",
    method: "POST",
    path: "/v1/connect-sessions",
    body: { providerAppId: ":app", endUserId: "x", returnUrl: "javascript:alert(1)" },
    status: 400,
    code: "invalid_request",
    message: /returnUrl/,
  },
  {
    what: "an unknown flow",
    method: "POST",
    path: "/v1/connections",
    body: { flow: "password", providerAppId: ":app", endUserId: "x" },
    status: 400,
    code: "invalid_request",
    message: /flow/,
  },
  {
    what: "an ftp webhook URL",
    method: "POST",
    path: "/v1/webhooks",
    body: { url: "ftp://example.com/x", events: ["*"] },
    status: 400,
    code: "invalid_request",
    message: /body\.url.*ftp/,
  },
  {
    what: "an unknown webhook event",
    method: "POST",
    path: "/v1/webhooks",
    body: { url: "https://example.com/x", events: ["connection.exploded"] },
    status: 400,
    code: "invalid_request",
    message: /body\.events/,
  },
  {
    what: "a string for enabled",
    method: "PATCH",
    path: "/v1/webhooks/:hook",
    body: { enabled: "yes" },
    status: 400,
    code: "invalid_request",
    message: /body\.enabled/,
  },
  {
    what: "a non-numeric limit",
    method: "GET",
    path: "/v1/connections?limit=lots",
    status: 400,
    code: "invalid_request",
    message: /querystring\.limit/,
  },
  {
    what: "an unknown status filter",
    method: "GET",
    path: "/v1/connections?status=zombie",
    status: 400,
    code: "invalid_request",
    message: /querystring\.status/,
  },
  {
    what: "an empty key name",
    method: "POST",
    path: "/v1/api-keys",
    body: { name: "" },
    status: 400,
    code: "invalid_request",
    message: /body\.name/,
  },
  {
    what: "a negative grace period",
    method: "POST",
    path: "/v1/webhooks/:hook/rotate-secret",
    body: { previousSecretValidSeconds: -1 },
    status: 400,
    code: "invalid_request",
    message: /previousSecretValidSeconds/,
  },
  {
    what: "an unknown delivery status",
    method: "GET",
    path: "/v1/webhooks/:hook/deliveries?status=lost",
    status: 400,
    code: "invalid_request",
    message: /querystring\.status/,
  },
  {
    what: "a consumer secret with a line break",
    method: "POST",
    path: "/v1/provider-apps",
    body: { ...validApp, clientSecret: "abc\ndefghij" },
    status: 400,
    code: "invalid_request",
    message: /must not contain spaces or line breaks/,
  },

  // --- unknown fields
  {
    what: "an unknown field on a provider app",
    method: "POST",
    path: "/v1/provider-apps",
    body: { ...validApp, colour: "blue" },
    status: 400,
    code: "invalid_request",
    message: /colour/,
  },
  {
    what: "a sealed column sent as a field",
    method: "PATCH",
    path: "/v1/provider-apps/:app",
    body: { clientSecretSealed: "v1.x" },
    status: 400,
    code: "invalid_request",
    message: /clientSecretSealed/,
  },
  {
    what: "an unknown field on a connect session",
    method: "POST",
    path: "/v1/connect-sessions",
    body: { providerAppId: ":app", endUserId: "x", orgId: "00D" },
    status: 400,
    code: "invalid_request",
    message: /orgId/,
  },
  {
    what: "a password on a server-side connection",
    method: "POST",
    path: "/v1/connections",
    body: { flow: "client_credentials", providerAppId: ":app", endUserId: "x", myDomain: "acme", password: "hunter2" },
    status: 400,
    code: "invalid_request",
    message: /password/,
  },
  {
    what: "a chosen webhook secret",
    method: "POST",
    path: "/v1/webhooks",
    body: { url: "https://example.com/x", events: ["*"], secret: "whsec_mine" },
    status: 400,
    code: "invalid_request",
    message: /secret/,
  },

  // --- missing required fields
  {
    what: "an empty provider app",
    method: "POST",
    path: "/v1/provider-apps",
    body: {},
    status: 400,
    code: "invalid_request",
    message: /body\.name.*body\.kind.*body\.clientId.*body\.clientSecret/,
  },
  {
    what: "a connect session without endUserId",
    method: "POST",
    path: "/v1/connect-sessions",
    body: { providerAppId: ":app" },
    status: 400,
    code: "invalid_request",
    message: /endUserId/,
  },
  {
    what: "a connection without a flow",
    method: "POST",
    path: "/v1/connections",
    body: { providerAppId: ":app", endUserId: "x" },
    status: 400,
    code: "invalid_request",
    message: /flow/,
  },
  {
    what: "client credentials without myDomain",
    method: "POST",
    path: "/v1/connections",
    body: { flow: "client_credentials", providerAppId: ":app", endUserId: "x" },
    status: 400,
    code: "invalid_request",
    message: /myDomain/,
  },
  {
    what: "a webhook without events",
    method: "POST",
    path: "/v1/webhooks",
    body: { url: "https://example.com/x" },
    status: 400,
    code: "invalid_request",
    message: /body\.events/,
  },
  {
    what: "a rotation without the secret",
    method: "POST",
    path: "/v1/provider-apps/:app/rotate-secret",
    body: {},
    status: 400,
    code: "invalid_request",
    message: /body\.clientSecret/,
  },
  {
    what: "the same secret again",
    method: "POST",
    path: "/v1/provider-apps/:app/rotate-secret",
    body: { clientSecret: DEMO.app.clientSecret },
    status: 400,
    code: "invalid_provider_app",
    message: /already stored/,
  },

  // --- control characters and percent-encoding, in the path and the query
  {
    what: "a NUL in a query parameter",
    method: "GET",
    path: "/v1/connections?endUserId=%00",
    status: 400,
    code: "control_character",
    message: /query parameter 'endUserId' contains a control character \(U\+0000\)/,
  },
  {
    what: "a tab in a query parameter",
    method: "GET",
    path: "/v1/webhooks/:hook/deliveries?status=%09failed",
    status: 400,
    code: "control_character",
    message: /query parameter 'status' contains a control character \(U\+0009\)/,
  },
  {
    what: "a NUL in a path parameter",
    method: "GET",
    path: "/v1/provider-apps/app_%00",
    status: 400,
    code: "control_character",
    message: /path parameter 'id' contains a control character \(U\+0000\)/,
  },
  {
    what: "a line break in a path parameter",
    method: "DELETE",
    path: "/v1/webhooks/wh_%0Ax",
    status: 400,
    code: "control_character",
    message: /path parameter 'id' contains a control character \(U\+000A\)/,
  },
  {
    what: "a NUL in the proxy's connection id",
    method: "GET",
    path: "/v1/connections/conn_%00/proxy/services/data/v67.0/limits",
    status: 400,
    code: "control_character",
    message: /path parameter 'id' contains a control character/,
  },
  {
    what: "bad percent-encoding in the proxy's connection id",
    method: "GET",
    path: "/v1/connections/%ZZ/proxy/services/data/v67.0/limits",
    status: 400,
    code: "invalid_percent_encoding",
    message: /path of the URL is not valid percent-encoding/,
  },
  {
    what: "bad percent-encoding in a proxied query",
    method: "GET",
    path: "/v1/connections/:conn/proxy/services/data/v67.0/query?q=SELECT+Id+FROM+Account+WHERE+Name+LIKE+'10%'",
    status: 400,
    code: "invalid_percent_encoding",
    message: /query of the URL is not valid percent-encoding/,
  },
  {
    what: "bad percent-encoding in a path parameter",
    method: "GET",
    path: "/v1/provider-apps/%ZZ",
    status: 400,
    code: "invalid_percent_encoding",
    message: /path of the URL is not valid percent-encoding/,
  },
  {
    what: "percent-encoding that is not UTF-8",
    method: "GET",
    path: "/v1/connections/%C0%AF",
    status: 400,
    code: "invalid_percent_encoding",
    message: /not valid percent-encoding/,
  },
  {
    what: "bad percent-encoding in a query",
    method: "GET",
    path: "/v1/connections?endUserId=%ZZ",
    status: 400,
    code: "invalid_percent_encoding",
    message: /query of the URL is not valid percent-encoding/,
  },
  {
    what: "a DELETE with Content-Type application/json and no body",
    method: "DELETE",
    path: "/v1/webhooks/wh_nope",
    headers: { "content-type": "application/json" },
    status: 404,
    code: "not_found",
    message: /wh_nope/,
  },

  // --- a My Domain the connect page would refuse
  ...(
    [
      ["evil.example.com", /evil\.example\.com is not a Salesforce address/],
      ["acme.lightning.force.com", /Salesforce user interface \(Lightning\)/],
      ["acme.my.salesforce.com@127.0.0.1", /contains a user name or password/],
      ["https://acme.my.salesforce.com:8443", /do not use port 8443/],
      ["", /Enter your My Domain/],
    ] as Array<[string, RegExp]>
  ).map(
    ([myDomain, message]): ApiCase => ({
      what: `a connect session for the My Domain '${myDomain}'`,
      method: "POST",
      path: "/v1/connect-sessions",
      body: { providerAppId: ":app", endUserId: "x", environment: "mydomain", myDomain },
      status: 400,
      code: "invalid_my_domain",
      message: new RegExp(`^myDomain: .*${message.source}`),
    }),
  ),

  // --- unknown ids
  ...(
    [
      ["GET", "/v1/provider-apps/app_nope"],
      ["PATCH", "/v1/provider-apps/app_nope", { name: "x" }],
      ["DELETE", "/v1/provider-apps/app_nope"],
      ["POST", "/v1/provider-apps/app_nope/rotate-secret", { clientSecret: "a-new-secret-123" }],
      ["GET", "/v1/connections/conn_nope"],
      ["DELETE", "/v1/connections/conn_nope"],
      ["GET", "/v1/connections/conn_nope/proxy/services/data/v67.0/limits"],
      ["GET", "/v1/connections/conn_nope/writes"],
      [
        "POST",
        "/v1/connections/conn_nope/writes",
        { object: "Contact", operation: "insert", records: [{ LastName: "x" }] },
      ],
      ["POST", "/v1/connections/conn_nope/proxy/services/data/v67.0/sobjects/Account", { Name: "x" }],
      ["GET", "/v1/connect-sessions/cs_nope"],
      ["POST", "/v1/connect-sessions", { providerAppId: "app_nope", endUserId: "x" }],
      ["POST", "/v1/connect-sessions", { providerAppId: ":app", connectionId: "conn_nope" }],
      [
        "POST",
        "/v1/connections",
        { flow: "client_credentials", providerAppId: "app_nope", endUserId: "x", myDomain: "acme" },
      ],
      ["GET", "/v1/webhooks/wh_nope"],
      ["PATCH", "/v1/webhooks/wh_nope", { enabled: false }],
      ["DELETE", "/v1/webhooks/wh_nope"],
      ["POST", "/v1/webhooks/wh_nope/rotate-secret", {}],
      ["GET", "/v1/webhooks/wh_nope/deliveries"],
      ["POST", "/v1/webhooks/wh_nope/test"],
      ["DELETE", "/v1/api-keys/key_nope"],
    ] as Array<[string, string, unknown?]>
  ).map(
    ([method, path, body]): ApiCase => ({
      what: `an unknown id: ${method} ${path}`,
      method,
      path,
      body,
      status: 404,
      code: "not_found",
      message: new RegExp(
        (/(app_nope|conn_nope|cs_nope|wh_nope|key_nope)/.exec(`${path} ${JSON.stringify(body ?? "")}`) ?? ["nope"])[0],
      ),
    }),
  ),

  // --- another project's ids, with project A's key: as unknown as any other id
  ...(
    [
      ["GET", "/v1/provider-apps/:appB", ":appB"],
      ["PATCH", "/v1/provider-apps/:appB", ":appB", { name: "taken over" }],
      ["DELETE", "/v1/provider-apps/:appB", ":appB"],
      ["POST", "/v1/provider-apps/:appB/rotate-secret", ":appB", { clientSecret: "attacker-secret-1" }],
      ["GET", "/v1/connections/:connB", ":connB"],
      ["DELETE", "/v1/connections/:connB", ":connB"],
      ["GET", "/v1/connections/:connB/proxy/services/data/v67.0/limits", ":connB"],
      ["GET", "/v1/connections/:connB/writes", ":connB"],
      [
        "POST",
        "/v1/connections/:connB/writes",
        ":connB",
        { object: "Contact", operation: "insert", records: [{ LastName: "x" }] },
      ],
      ["GET", "/v1/connect-sessions/:sessionB", ":sessionB"],
      ["POST", "/v1/connect-sessions", ":appB", { providerAppId: ":appB", endUserId: "x" }],
      ["POST", "/v1/connect-sessions", ":connB", { providerAppId: ":app", connectionId: ":connB" }],
      [
        "POST",
        "/v1/connections",
        ":appB",
        { flow: "client_credentials", providerAppId: ":appB", endUserId: "x", myDomain: "acme" },
      ],
      ["GET", "/v1/webhooks/:hookB", ":hookB"],
      ["PATCH", "/v1/webhooks/:hookB", ":hookB", { url: "https://attacker.example/steal" }],
      ["DELETE", "/v1/webhooks/:hookB", ":hookB"],
      ["POST", "/v1/webhooks/:hookB/rotate-secret", ":hookB", {}],
      ["GET", "/v1/webhooks/:hookB/deliveries", ":hookB"],
      ["POST", "/v1/webhooks/:hookB/test", ":hookB"],
      ["DELETE", "/v1/api-keys/:keyB", ":keyB"],
    ] as Array<[string, string, string, unknown?]>
  ).map(
    ([method, path, named, body]): ApiCase => ({
      what: `another project's id: ${method} ${path}`,
      method,
      path,
      body,
      status: 404,
      code: "not_found",
      message: new RegExp(`No [a-z ]+ with id '${named}' in this project`),
    }),
  ),

  // --- writes
  ...(
    [
      [
        "an unknown write operation",
        { object: "Contact", operation: "merge", records: [{}] },
        400,
        "invalid_request",
        /operation/,
      ],
      [
        "an upsert without externalIdField",
        { object: "Contact", operation: "upsert", records: [{ LastName: "x" }] },
        400,
        "external_id_required",
        /externalIdField/,
      ],
      [
        "an update record without Id",
        { object: "Contact", operation: "update", records: [{ Id: "003000000000001AAA" }, { LastName: "x" }] },
        400,
        "record_id_required",
        /records\[1\] has no Id/,
      ],
      [
        "a delete record without Id",
        { object: "Contact", operation: "delete", records: [{ Name: "x" }] },
        400,
        "record_id_required",
        /records\[0\]/,
      ],
      [
        "an upsert record without its external id",
        { object: "Account", operation: "upsert", externalIdField: "External_Id__c", records: [{ Name: "x" }] },
        400,
        "external_id_missing",
        /External_Id__c/,
      ],
      [
        "a write without records",
        { object: "Contact", operation: "insert", records: [] },
        400,
        "no_records",
        /no records/,
      ],
      [
        "an object label instead of an API name",
        { object: "Sales Order", operation: "insert", records: [{ Name: "x" }] },
        400,
        "invalid_object_name",
        /'Sales Order' is not a Salesforce object API name/,
      ],
      [
        "a field label instead of an API name",
        { object: "Contact", operation: "insert", records: [{ "Last Name": "x" }] },
        400,
        "invalid_field_name",
        /records\[0\] has a field 'Last Name'/,
      ],
      [
        "a record that is a list",
        { object: "Contact", operation: "insert", records: [["x"]] },
        400,
        "invalid_request",
        /records/,
      ],
      [
        "a parent reference naming two fields",
        { object: "Contact", operation: "insert", records: [{ Account: { External_Id__c: "A", Name: "B" } }] },
        400,
        "invalid_field_value",
        /Account at records\[0\]/,
      ],
      [
        "an unknown field on a write",
        { object: "Contact", operation: "insert", records: [{ LastName: "x" }], colour: "blue" },
        400,
        "invalid_request",
        /colour/,
      ],
      [
        "allOrNone over 1,000 records",
        {
          object: "Contact",
          operation: "insert",
          allOrNone: true,
          records: Array.from({ length: 1001 }, (_, i) => ({ LastName: `x${i}` })),
        },
        422,
        "all_or_none_too_large",
        /up to 1000 records/,
      ],
    ] as Array<[string, unknown, number, string, RegExp]>
  ).map(
    ([what, body, status, code, message]): ApiCase => ({
      what,
      method: "POST",
      path: "/v1/connections/:conn/writes",
      body,
      status,
      code,
      message,
    }),
  ),
  ...(
    [
      [
        "an NDJSON line that is not a JSON object",
        "?object=Contact&operation=insert",
        "application/x-ndjson",
        '{"LastName": "a"}\n[1]\n',
        "invalid_ndjson",
        /Line 2 of the NDJSON body is not a JSON object/,
      ],
      [
        "an NDJSON line that is not JSON",
        "?object=Contact&operation=insert",
        "application/x-ndjson",
        '{"LastName": "a"',
        "invalid_ndjson",
        /Line 1 of the NDJSON body is not valid JSON/,
      ],
      [
        "a NUL in an NDJSON value",
        "?object=Contact&operation=insert",
        "application/x-ndjson",
        '{"LastName": "a\\u0000b"}',
        "control_character",
        /LastName at line 1/,
      ],
      [
        "a CSV header with a label",
        "?object=Contact&operation=insert",
        "text/csv",
        "LastName,First Name\nA,B\n",
        "invalid_csv",
        /column 2 'First Name'/,
      ],
      [
        "a ragged CSV row",
        "?object=Contact&operation=insert",
        "text/csv",
        "LastName,Email\nA,a@example.com\nB,b@example.com,extra\n",
        "invalid_csv",
        /Row 3 of the CSV body/,
      ],
      [
        "a quote inside an unquoted CSV value",
        "?object=Contact&operation=insert",
        "text/csv",
        'LastName\nO"Brien\n',
        "invalid_csv",
        /Row 2/,
      ],
      [
        "a CSV body without object and operation",
        "",
        "text/csv",
        "LastName\nA\n",
        "invalid_request",
        /needs object and operation in the query/,
      ],
      [
        "an unknown operation in the query",
        "?object=Contact&operation=merge",
        "application/x-ndjson",
        '{"LastName": "a"}',
        "invalid_request",
        /operation/,
      ],
      [
        "allOrNone that is not true or false",
        "?object=Contact&operation=insert&allOrNone=yes",
        "application/x-ndjson",
        '{"LastName": "a"}',
        "invalid_request",
        /allOrNone/,
      ],
      [
        "an empty NDJSON body",
        "?object=Contact&operation=insert",
        "application/x-ndjson",
        "\n\n",
        "no_records",
        /no records/,
      ],
      [
        "a write in plain text",
        "?object=Contact&operation=insert",
        "text/plain",
        "LastName=x",
        "unsupported_media_type",
        /application\/x-ndjson, text\/csv/,
      ],
    ] as Array<[string, string, string, string, string, RegExp]>
  ).map(
    ([what, query, type, body, code, message]): ApiCase => ({
      what,
      method: "POST",
      path: `/v1/connections/:conn/writes${query}`,
      body,
      headers: { "content-type": type },
      status: code === "unsupported_media_type" ? 415 : 400,
      code,
      message,
    }),
  ),
  {
    what: "settings in the query beside a JSON body",
    method: "POST",
    path: "/v1/connections/:conn/writes?object=Contact",
    body: { object: "Contact", operation: "insert", records: [{ LastName: "x" }] },
    status: 400,
    code: "invalid_request",
    message: /object belong in the body/,
  },
  {
    what: "an Idempotency-Key over 200 characters",
    method: "POST",
    path: "/v1/connections/:conn/writes",
    body: { object: "Contact", operation: "insert", records: [{ LastName: "x" }] },
    headers: { "idempotency-key": "k".repeat(201) },
    status: 400,
    code: "invalid_request",
    message: /idempotency-key/,
  },
  {
    what: "a results cursor this API did not give",
    method: "GET",
    path: "/v1/connections/:conn/writes/wr_nope/results?cursor=bm9wZQ",
    status: [400, 404],
    code: "*",
    message: /cursor|wr_nope/,
  },
  {
    what: "a results status that is no record status",
    method: "GET",
    path: "/v1/connections/:conn/writes/wr_nope/results?status=done",
    status: 400,
    code: "invalid_request",
    message: /status/,
  },
  {
    what: "a list cursor this API did not give",
    method: "GET",
    path: "/v1/connections/:conn/writes?cursor=bm9wZQ",
    status: 400,
    code: "invalid_cursor",
    message: /cursor is not one this API gave out/,
  },
  {
    what: "a list limit of 0",
    method: "GET",
    path: "/v1/connections/:conn/writes?limit=0",
    status: 400,
    code: "invalid_request",
    message: /limit/,
  },
  ...(
    [
      ["GET", "/v1/connections/:conn/writes/wr_nope"],
      ["GET", "/v1/connections/:conn/writes/wr_nope/results"],
      ["POST", "/v1/connections/:conn/writes/wr_nope/retry", {}],
      ["POST", "/v1/connections/:conn/writes/wr_nope/retry"],
    ] as Array<[string, string, unknown?]>
  ).map(
    ([method, path, body]): ApiCase => ({
      what: `an unknown write: ${method} ${path}${body ? " with a body" : ""}`,
      method,
      path,
      body,
      status: 404,
      code: "not_found",
      message: /No write with id 'wr_nope' on this connection/,
    }),
  ),

  // --- oversized payloads
  {
    what: "a connect session over 1 MB",
    method: "POST",
    path: "/v1/connect-sessions",
    body: JSON.stringify({ providerAppId: ":app", endUserId: "x".repeat(MB + 10) }),
    status: 413,
    code: "payload_too_large",
    message: /larger than this endpoint accepts/,
  },
  {
    what: "a webhook over 1 MB",
    method: "POST",
    path: "/v1/webhooks",
    body: JSON.stringify({ url: "https://example.com/x", events: ["*"], description: "d".repeat(MB) }),
    status: 413,
    code: "payload_too_large",
    message: /larger than this endpoint accepts/,
  },
  {
    what: "a provider app over its 512 KB limit",
    method: "POST",
    path: "/v1/provider-apps",
    body: big(600 * 1024),
    status: 413,
    code: "payload_too_large",
    message: /larger than this endpoint accepts/,
  },
  {
    what: "a secret rotation over 4 KB",
    method: "POST",
    path: "/v1/provider-apps/:app/rotate-secret",
    body: JSON.stringify({ clientSecret: "s".repeat(5000) }),
    status: 413,
    code: "payload_too_large",
    message: /larger than this endpoint accepts/,
  },
  {
    what: "a server-side connection over 1 MB",
    method: "POST",
    path: "/v1/connections",
    body: JSON.stringify({ flow: "jwt_bearer", providerAppId: ":app", endUserId: "e".repeat(2 * MB) }),
    status: 413,
    code: "payload_too_large",
    message: /larger than this endpoint accepts/,
  },
  {
    what: "a long but small-enough field",
    method: "POST",
    path: "/v1/connect-sessions",
    body: { providerAppId: ":app", endUserId: "x".repeat(201) },
    status: 400,
    code: "invalid_request",
    message: /body\.endUserId/,
  },

  {
    what: "an id longer than the router allows",
    method: "GET",
    path: `/v1/connections/conn_${"c".repeat(300)}`,
    status: [404, 414],
    code: "*",
    message: /\S/,
  },

  // --- the proxy must not leave the connection's instance
  {
    what: "a proxy path to another host (//host)",
    method: "GET",
    path: "/v1/connections/:conn/proxy//evil.example/x",
    status: 400,
    code: "off_instance",
    message: /only calls the connection's own Salesforce instance/,
  },
  {
    what: "a proxy path to another host (/\\host)",
    method: "GET",
    path: "/v1/connections/:conn/proxy/%5Cevil.example/x",
    status: 400,
    code: "off_instance",
    message: /only calls the connection's own Salesforce instance/,
  },
  // --- the proxy serves Salesforce's API paths only
  ...[
    "/__emulator/info",
    "/__emulator/apps",
    "/secur/frontdoor.jsp",
    "/",
    "/services/oauth2/token",
    "/servicesdata",
  ].map(
    (rest): ApiCase => ({
      what: `a proxy path that is no Salesforce API: ${rest}`,
      method: rest === "/services/oauth2/token" ? "POST" : "GET",
      path: `/v1/connections/:conn/proxy${rest}`,
      status: 400,
      code: "path_not_allowed",
      message: /serves Salesforce API paths only \(\/services\/data, \/services\/async, .*\/id, \/cometd/,
    }),
  ),
];

function authHeader(c: ApiCase): Record<string, string> {
  const auth = c.auth ?? "A";
  if (auth === "none") return {};
  if (auth === "A") return { authorization: `Bearer ${h.apiKey}` };
  if (auth === "B") return { authorization: `Bearer ${keyB}` };
  if (auth === "revoked") return { authorization: `Bearer ${revokedKey}` };
  return { authorization: auth.header };
}

describe("the API refuses bad input with a 4xx that names the problem", () => {
  it.each(apiCases.map((c) => [c.what, c] as const))("%s", async (_what, c) => {
    const body = fillBody(c.body);
    const res = await fetch(`${h.server.url}${fill(c.path)}`, {
      method: c.method,
      headers: {
        ...authHeader(c),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...c.headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    expect([c.status].flat(), text.slice(0, 500)).toContain(res.status);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const parsed = JSON.parse(text) as { error: { code: string; message: string; remedy?: string } };
    expect(Object.keys(parsed), `not the API's error shape: ${text.slice(0, 300)}`).toEqual(["error"]);
    expect(typeof parsed.error.code).toBe("string");
    if (c.code !== "*") expect(parsed.error.code).toBe(c.code);
    expect(parsed.error.message).toMatch(
      fill(c.message.source) === c.message.source ? c.message : new RegExp(fill(c.message.source)),
    );
    expect(parsed.error.message.length).toBeLessThan(2000);
  });

  it("needs no key for the OpenAPI document alone, as the README says", async () => {
    const doc = await fetch(`${h.server.url}/v1/openapi.json`);
    expect(doc.status).toBe(200);
    const body = (await doc.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(body.openapi).toMatch(/^3\./);
    // Every route the document lists needs the key.
    for (const [path, methods] of Object.entries(body.paths)) {
      for (const method of Object.keys(methods)) {
        const res = await fetch(`${h.server.url}${path.replace(/\{[^}]+\}/g, "x")}`, { method: method.toUpperCase() });
        expect(res.status, `${method} ${path}`).toBe(401);
      }
    }
  });

  it("leaves the other project's things as they were", async () => {
    expect((await apiB(`/v1/provider-apps/${ids.appB}`)).status).toBe(200);
    expect((await apiB(`/v1/connections/${ids.connB}`)).status).toBe(200);
    const hook = (await (await apiB(`/v1/webhooks/${ids.hookB}`)).json()) as { url: string };
    expect(hook.url).toBe("http://127.0.0.1:9/b");
    expect((await apiB(`/v1/connections/${ids.connB}/proxy/services/data/v67.0/limits`)).status).toBe(200);
    const sessions = await h.sql<{ count: number }>(
      "SELECT count(*)::int AS count FROM connect_sessions WHERE project_id = (SELECT project_id FROM provider_apps WHERE id = $1)",
      [ids.appB],
    );
    expect(sessions[0].count).toBe(1);
  });
});

/** Sends a request line exactly as written: fetch would resolve `..` segments before sending. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; contentType: string; text: string }> {
  const url = new URL(h.server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers["content-type"] ?? ""),
          text: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the proxy with dot segments", () => {
  it.each([
    ["up out of the proxy into the API", "/v1/connections/:conn/proxy/../../../v1/api-keys"],
    ["up out of /services", "/v1/connections/:conn/proxy/services/data/../../../__emulator/info"],
    ["encoded dots", "/v1/connections/:conn/proxy/services/%2e%2e/%2e%2e/__emulator/info"],
    ["the emulator's control surface", "/v1/connections/:conn/proxy/__emulator/info"],
    ["the emulator's app list", "/v1/connections/:conn/proxy/__emulator/apps"],
  ])("refuses %s without calling anything but Salesforce's API paths", async (_what, path) => {
    const before = h.org.counters.snapshot().byKind.control ?? 0;
    const res = await raw("GET", fill(path), { authorization: `Bearer ${h.apiKey}` });
    expect(res.status, res.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
    expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
    // Nothing reached the emulator's control surface (it lists every app's consumer secret).
    expect(res.text).not.toContain(DEMO.app.clientSecret);
    expect(h.org.counters.snapshot().byKind.control ?? 0).toBe(before);
    expect(res.contentType).toMatch(/^application\/json/);
    const parsed = JSON.parse(res.text) as { error?: { code: string; message: string } };
    expect(parsed.error?.message, res.text.slice(0, 300)).toMatch(/\S/);
  });
});

/** Writes bytes as they are to the server and reads its whole answer (the server closes after an error). */
function rawExchange(bytes: string): Promise<{ status: number; headers: string; body: string }> {
  const url = new URL(h.server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const [head, ...rest] = text.split("\r\n\r\n");
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
        headers: head,
        body: rest.join("\r\n\r\n"),
      });
    });
  });
}

describe("requests Node refuses before the framework answer in the API's error shape", () => {
  it.each([
    [
      "headers over 16 KB",
      `GET /v1/connections HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
      431,
      "headers_too_large",
    ],
    ["a method that is no HTTP method", "FOO@ /v1/connections HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method_not_allowed"],
    ["a raw tab in the path", "GET /v1/conn\tections HTTP/1.1\r\nHost: x\r\n\r\n", 400, "invalid_url"],
    ["a raw space in the path", "GET /v1/conn ections HTTP/1.1\r\nHost: x\r\n\r\n", 400, "*"],
    [
      "a Content-Length that is no number",
      "POST /v1/webhooks HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n",
      400,
      "invalid_headers",
    ],
    [
      "a header name with a space",
      "GET /v1/connections HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n",
      400,
      "invalid_headers",
    ],
    ["not HTTP at all", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\r\n\r\n", 405, "method_not_allowed"],
  ])("%s", async (_what, bytes, status, code) => {
    const res = await rawExchange(bytes as string);
    expect(res.status, res.headers + res.body).toBe(status);
    expect(res.headers).toMatch(/content-type: application\/json/i);
    const parsed = JSON.parse(res.body) as { error: { code: string; message: string; remedy?: string } };
    expect(Object.keys(parsed)).toEqual(["error"]);
    if (code !== "*") expect(parsed.error.code).toBe(code);
    expect(parsed.error.message).toMatch(/\S/);
    expect(parsed.error.remedy).toMatch(/\S/);
  });
});

describe("the public pages refuse bad input with a page that says what happened", () => {
  interface PageCase {
    what: string;
    method: "GET" | "POST";
    path: string;
    form?: Record<string, string> | string;
    /** The form's Content-Type, when not a form's. */
    contentType?: string;
    /** The status, or the statuses that are acceptable. */
    status: number | number[];
    text: RegExp;
  }
  const pageCases: PageCase[] = [
    {
      what: "a garbage connect token",
      method: "GET",
      path: "/connect/garbage",
      status: 404,
      text: /This connect link is not valid/,
    },
    {
      what: "a connect token of the right shape but unknown",
      method: "GET",
      path: "/connect/cs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      status: 404,
      text: /not valid/,
    },
    {
      what: "a very long connect token",
      method: "GET",
      path: `/connect/${"x".repeat(4000)}`,
      status: [404, 414],
      text: /not valid/,
    },
    {
      what: "a connect token with markup",
      method: "GET",
      path: "/connect/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
      status: 404,
      text: /not valid/,
    },
    {
      what: "a form posted to a garbage token",
      method: "POST",
      path: "/connect/garbage",
      form: { environment: "production" },
      status: 404,
      text: /can't be used/,
    },
    {
      what: "a form without an environment",
      method: "POST",
      path: "/connect/:pendingToken",
      form: {},
      status: 400,
      text: /Choose Production, Sandbox or My Domain/,
    },
    {
      what: "a form with an unknown environment",
      method: "POST",
      path: "/connect/:pendingToken",
      form: { environment: "mars" },
      status: 400,
      text: /Choose Production, Sandbox or My Domain/,
    },
    {
      what: "a form over 16 KB",
      method: "POST",
      path: "/connect/:pendingToken",
      form: { environment: "mydomain", myDomain: "a".repeat(20_000) },
      status: 413,
      text: /larger/,
    },
    { what: "a callback with nothing", method: "GET", path: "/oauth/callback", status: 400, text: /carries no state/ },
    {
      what: "a callback with bad percent-encoding",
      method: "GET",
      path: "/oauth/callback?state=%ZZ&code=c",
      status: 400,
      text: /query of the URL is not valid percent-encoding/,
    },
    {
      what: "a callback with a NUL in its state",
      method: "GET",
      path: "/oauth/callback?state=%00&code=c",
      status: 400,
      text: /query parameter 'state' contains a control character/,
    },
    {
      what: "a connect link with bad percent-encoding",
      method: "GET",
      path: "/connect/%ZZ",
      status: 400,
      text: /not valid percent-encoding/,
    },
    {
      what: "a form with a NUL in the My Domain",
      method: "POST",
      path: "/connect/:pendingToken",
      form: "environment=mydomain&myDomain=acme%00",
      status: 400,
      text: /body field 'body\.myDomain' contains a control character/,
    },
    {
      what: "a form sent as text",
      method: "POST",
      path: "/connect/:pendingToken",
      form: "environment=production",
      contentType: "text/plain",
      status: 415,
      text: /text\/plain is not accepted here; this endpoint takes application\/x-www-form-urlencoded/,
    },
    {
      what: "a callback with a made-up state",
      method: "GET",
      path: "/oauth/callback?state=made-up&code=aPrx.fake",
      status: 400,
      text: /does not match any sign-in in progress/,
    },
    {
      what: "a callback with an error and no state",
      method: "GET",
      path: "/oauth/callback?error=access_denied&error_description=end-user+denied+authorization",
      status: 400,
      text: /carries no state/,
    },
    {
      what: "a callback with two states",
      method: "GET",
      path: "/oauth/callback?state=a&state=b&code=c",
      status: 400,
      text: /state/,
    },
    {
      what: "a callback with an empty state",
      method: "GET",
      path: "/oauth/callback?state=&code=c",
      status: 400,
      text: /carries no state/,
    },
    {
      what: "a callback with a huge state",
      method: "GET",
      path: `/oauth/callback?state=${"s".repeat(6000)}&code=c`,
      status: 400,
      text: /does not match/,
    },
  ];

  it.each(pageCases.map((c) => [c.what, c] as const))("%s", async (_what, c) => {
    // As a browser asks for a page.
    const init: RequestInit = { method: c.method, redirect: "manual", headers: { accept: "text/html" } };
    if (c.form !== undefined) {
      init.body = typeof c.form === "string" ? c.form : new URLSearchParams(c.form).toString();
      init.headers = { accept: "text/html", "content-type": c.contentType ?? "application/x-www-form-urlencoded" };
    }
    const res = await fetch(`${h.server.url}${fill(c.path)}`, init);
    const html = await res.text();
    expect([c.status].flat(), html.slice(0, 400)).toContain(res.status);
    expect(res.headers.get("content-type"), html.slice(0, 200)).toMatch(/^text\/html/);
    expect(pageText(html)).toMatch(c.text);
    expect(html).not.toContain("<script>alert(1)</script>");
  });

  it("a replayed callback shows the completed result and exchanges nothing", async () => {
    const tokenCalls = h.tokenCalls();
    const res = await fetch(usedCallbackUrl);
    expect(res.status).toBe(200);
    expect(pageText(await res.text())).toContain("Salesforce is connected");
    expect(h.tokenCalls()).toBe(tokenCalls);
  });

  it("a callback with its real state and a repeated error_description", async () => {
    const session = await createConnectSession(h, { providerAppId: ids.app, endUserId: "repeated-params" });
    const start = await submitConnectPage(session.url, { environment: "production" });
    const state = new URL(start.location!).searchParams.get("state")!;
    const res = await fetch(
      `${h.server.url}/oauth/callback?state=${encodeURIComponent(state)}&error=access_denied&error_description=a&error_description=b`,
    );
    const html = await res.text();
    // A failure page (200, like every callback error) or a 4xx page; never a 500.
    expect.soft(res.status, html.slice(0, 300)).toBeLessThan(500);
    expect.soft(res.headers.get("content-type")).toMatch(/^text\/html/);
    // The state was used: the session must end failed, not stay "exchanging" for ever.
    expect((await sessionStatus(h, session.id)).status).toBe("failed");
  });

  it("a state from one sign-in with another sign-in's code is refused once the state is used", async () => {
    const session = await createConnectSession(h, { providerAppId: ids.app, endUserId: "mixer" });
    const start = await submitConnectPage(session.url, { environment: "production" });
    const outcome = await completeAuthorize(start.location!, DEMO.admin.username, DEMO.admin.password);
    const mixed = new URL(outcome.location);
    mixed.searchParams.set("state", secrets.stateA);
    const tokenCalls = h.tokenCalls();
    const res = await fetch(mixed);
    // The used state names the completed sign-in A: its result is shown again, and B's code is never redeemed.
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(ids.conn);
    expect(h.tokenCalls()).toBe(tokenCalls);
    expect((await sessionStatus(h, session.id)).status).toBe("authorizing");
  });
});

describe("no secret in plaintext", () => {
  /** Every row of every table, as text. */
  async function dumpStore(): Promise<string> {
    const tables = await h.sql<{ table_schema: string; table_name: string }>(
      "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')",
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        "connections",
        "provider_apps",
        "connect_sessions",
        "api_keys",
        "webhook_endpoints",
        "webhook_deliveries",
      ]),
    );
    let out = "";
    for (const t of tables) {
      const rows = await h.sql(`SELECT * FROM "${t.table_schema}"."${t.table_name}"`);
      out += `\n== ${t.table_schema}.${t.table_name}\n${JSON.stringify(rows)}`;
    }
    return out;
  }

  function issuedBySalesforce(): Record<string, string> {
    const found: Record<string, string> = {};
    for (const token of h.org.sessions.sessions.keys()) found[`access token ${token.slice(0, 20)}…`] = token;
    for (const token of h.org.sessions.grants.keys()) found[`refresh token ${token.slice(0, 12)}…`] = token;
    return found;
  }

  it("the store holds no token, consumer secret, key or link secret", async () => {
    const dump = await dumpStore();
    const issued = issuedBySalesforce();
    expect(Object.keys(issued).length).toBeGreaterThan(2);
    const all = { ...issued, ...secrets, consumerSecret: DEMO.app.clientSecret };
    const leaked = Object.entries(all)
      .filter(([, value]) => dump.includes(value))
      .map(([name]) => name);
    expect(leaked).toEqual([]);
    // The connections are there, sealed.
    const rows = await h.sql<{ access_token_sealed: string; refresh_token_sealed: string | null }>(
      "SELECT access_token_sealed, refresh_token_sealed FROM connections",
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) expect(r.access_token_sealed).toMatch(/^v1\./);
  });

  it("the log holds no Salesforce token, consumer secret or API key", () => {
    const log = h.logs();
    expect(log.length).toBeGreaterThan(1000);
    const issued = issuedBySalesforce();
    const all = {
      ...issued,
      consumerSecret: DEMO.app.clientSecret,
      apiKeyA: secrets.apiKeyA,
      apiKeyB: secrets.apiKeyB,
      webhookSecretA: secrets.webhookSecretA,
      webhookSecretB: secrets.webhookSecretB,
      codeA: secrets.codeA,
      stateA: secrets.stateA,
    };
    const leaked = Object.entries(all)
      .filter(([, value]) => log.includes(value))
      .map(([name]) => name);
    expect(leaked).toEqual([]);
  });

  it("a failed query's parameters never reach the log", () => {
    let line = "";
    const sink = new Writable({
      write(chunk, _encoding, done) {
        line += chunk.toString();
        done();
      },
    });
    const cause = new Error('invalid byte sequence for encoding "UTF8": 0x00');
    createLogger("info", sink).error(
      { err: new DrizzleQueryError('select * from "connections" where "id" = $1', ["conn_what-a-caller-sent"], cause) },
      "unexpected error",
    );
    expect(line).toContain('select * from \\"connections\\"');
    expect(line).toContain("invalid byte sequence");
    expect(line).not.toContain("conn_what-a-caller-sent");
  });

  it("the log holds no connect-link secret (only its hash is stored)", () => {
    const log = h.logs();
    const leaked = (["connectTokenA", "pendingToken"] as const).filter((name) => log.includes(secrets[name]));
    const line = h
      .logs()
      .split("\n")
      .find((l) => l.includes(secrets.pendingToken));
    expect(leaked, `a log line carries the link's secret: ${line?.slice(0, 300)}`).toEqual([]);
  });
});
