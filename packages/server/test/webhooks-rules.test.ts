import { describe, expect, it } from "vitest";
import type { Platform } from "../src/platform/platform.ts";
import {
  configureWebhookDelivery,
  DEFAULT_DELIVERY_SETTINGS,
  describeRequestError,
  jobRetryOptions,
  judgeResponse,
  settleAttempt,
} from "../src/webhooks/delivery-policy.ts";
import { jobIdFor } from "../src/webhooks/delivery-store.ts";
import { buildEvent, secretLikePaths, UnsafeEventDataError } from "../src/webhooks/emit.ts";
import { endpointUrlProblem } from "../src/webhooks/endpoints.ts";
import {
  endpointWants,
  isWebhookEventType,
  normalizeSubscription,
  WEBHOOK_EVENT_TYPES,
} from "../src/webhooks/event-types.ts";
import {
  computeSignature,
  generateSigningSecret,
  parseSignatureHeader,
  signatureHeader,
  verifyWebhookSignature,
  WebhookSignatureError,
} from "../src/webhooks/signing.ts";

const secret = "whsec_test_secret_one";
const other = "whsec_test_secret_two";
const body = '{"id":"evt_1","type":"connection.created","data":{"connectionId":"conn_1"}}';
const t = 1_800_000_000;
const at = (seconds: number) => new Date(seconds * 1000);
const sig = (s: string, ts = t, b: string = body) => computeSignature(s, ts, b);

describe("webhook signatures", () => {
  it("signs HMAC-SHA256 over '<t>.<body>' with the whole secret string as key", async () => {
    const { createHmac } = await import("node:crypto");
    expect(signatureHeader([secret], t, body)).toBe(
      `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`,
    );
  });

  it.each<
    [
      string,
      { secret?: string; header: string | undefined; body?: string | Buffer; now?: Date; tolerance?: number },
      string | null,
    ]
  >([
    ["a fresh, correct signature", { header: `t=${t},v1=${sig(secret)}` }, null],
    ["the raw body given as bytes", { header: `t=${t},v1=${sig(secret)}`, body: Buffer.from(body) }, null],
    [
      "a tampered body",
      { header: `t=${t},v1=${sig(secret)}`, body: body.replace("conn_1", "conn_2") },
      "no_matching_signature",
    ],
    [
      "re-serialized JSON (whitespace differs)",
      { header: `t=${t},v1=${sig(secret)}`, body: JSON.stringify(JSON.parse(body), null, 1) },
      "no_matching_signature",
    ],
    ["the wrong secret", { header: `t=${t},v1=${sig(other)}` }, "no_matching_signature"],
    [
      "a timestamp changed after signing",
      { header: `t=${t + 1},v1=${sig(secret)}`, now: at(t + 1) },
      "no_matching_signature",
    ],
    [
      "a delivery 301 s old (replay)",
      { header: `t=${t},v1=${sig(secret)}`, now: at(t + 301) },
      "timestamp_outside_tolerance",
    ],
    ["a delivery exactly 300 s old", { header: `t=${t},v1=${sig(secret)}`, now: at(t + 300) }, null],
    [
      "a timestamp 301 s in the future",
      { header: `t=${t},v1=${sig(secret)}`, now: at(t - 301) },
      "timestamp_outside_tolerance",
    ],
    [
      "an old delivery with a wider tolerance",
      { header: `t=${t},v1=${sig(secret)}`, now: at(t + 3000), tolerance: 3600 },
      null,
    ],
    ["two signatures, ours second (rotation)", { header: `t=${t},v1=${sig(other)},v1=${sig(secret)}` }, null],
    ["an unknown scheme beside v1", { header: `t=${t},v0=abc,v1=${sig(secret)}` }, null],
    ["spaces after commas", { header: `t=${t}, v1=${sig(secret)}` }, null],
    ["a missing header", { header: undefined }, "malformed_header"],
    ["an empty header", { header: "" }, "malformed_header"],
    ["no timestamp", { header: `v1=${sig(secret)}` }, "malformed_header"],
    ["no v1 signature", { header: `t=${t},v0=${sig(secret)}` }, "malformed_header"],
    ["a non-numeric timestamp", { header: `t=soon,v1=${sig(secret)}` }, "malformed_header"],
    ["two timestamps", { header: `t=${t},t=${t},v1=${sig(secret)}` }, "malformed_header"],
    ["a truncated signature", { header: `t=${t},v1=${sig(secret).slice(0, 63)}` }, "malformed_header"],
    ["upper-case hex", { header: `t=${t},v1=${sig(secret).toUpperCase()}` }, "malformed_header"],
    ["a part without '='", { header: `t=${t},v1` }, "malformed_header"],
  ])("verifies %s", (_name, c, failure) => {
    const run = () =>
      verifyWebhookSignature(c.secret ?? secret, c.header, c.body ?? body, {
        now: c.now ?? at(t),
        ...(c.tolerance !== undefined ? { toleranceSeconds: c.tolerance } : {}),
      });
    if (failure === null) {
      expect(run()).toEqual({ timestamp: t });
    } else {
      expect(run).toThrow(WebhookSignatureError);
      try {
        run();
      } catch (e) {
        expect((e as WebhookSignatureError).reason).toBe(failure);
      }
    }
  });

  it("uses the current time when none is given", () => {
    const now = Math.floor(Date.now() / 1000);
    expect(verifyWebhookSignature(secret, signatureHeader([secret], now, body), body)).toEqual({ timestamp: now });
    expect(() => verifyWebhookSignature(secret, signatureHeader([secret], now - 600, body), body)).toThrow(/tolerance/);
  });

  it("puts one v1 per secret in the header, in order", () => {
    expect(parseSignatureHeader(signatureHeader([secret, other], t, body))).toEqual({
      timestamp: t,
      signatures: [sig(secret), sig(other)],
    });
    expect(() => signatureHeader([], t, body)).toThrow();
  });

  it("generates distinct whsec_ secrets with 256 bits", () => {
    const a = generateSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generateSigningSecret()).not.toBe(a);
  });
});

describe("delivery policy", () => {
  it.each<
    [
      string,
      Parameters<typeof settleAttempt>[0],
      { retryCount: number; retryLimit: number },
      ReturnType<typeof settleAttempt>,
    ]
  >([
    [
      "2xx on the first attempt",
      { ok: true, statusCode: 204 },
      { retryCount: 0, retryLimit: 2 },
      { status: "delivered", retry: false },
    ],
    [
      "2xx on the last attempt",
      { ok: true, statusCode: 200 },
      { retryCount: 2, retryLimit: 2 },
      { status: "delivered", retry: false },
    ],
    [
      "500 with attempts left",
      { ok: false, statusCode: 500, error: "x" },
      { retryCount: 1, retryLimit: 2 },
      { status: "pending", retry: true },
    ],
    [
      "500 on the last attempt",
      { ok: false, statusCode: 500, error: "x" },
      { retryCount: 2, retryLimit: 2 },
      { status: "failed", retry: false },
    ],
    [
      "a connection error, no retries configured",
      { ok: false, statusCode: null, error: "x" },
      { retryCount: 0, retryLimit: 0 },
      { status: "failed", retry: false },
    ],
  ])("settles %s", (_name, result, job, expected) => {
    expect(settleAttempt(result, job)).toEqual(expected);
  });

  it.each<[number, string | undefined, boolean, RegExp | null]>([
    [200, undefined, true, null],
    [204, undefined, true, null],
    [299, undefined, true, null],
    [
      301,
      "https://elsewhere.example/hook?token=abc",
      false,
      /redirected \(HTTP 301\) to https:\/\/elsewhere\.example\/hook\?…; redirects are not followed/,
    ],
    [307, undefined, false, /redirected \(HTTP 307\); redirects are not followed/],
    [400, undefined, false, /HTTP 400/],
    [410, undefined, false, /HTTP 410/],
    [500, undefined, false, /HTTP 500; only 2xx counts/],
  ])("judges HTTP %i", (status, location, ok, error) => {
    const r = judgeResponse(status, location);
    expect(r.ok).toBe(ok);
    expect(r.statusCode).toBe(status);
    if (error) expect(!r.ok && r.error).toMatch(error);
    if (location) expect(JSON.stringify(r)).not.toContain("token=abc");
  });

  it.each<[string, unknown, RegExp]>([
    [
      "a timeout",
      Object.assign(new Error("The operation was aborted due to timeout"), { name: "TimeoutError" }),
      /did not answer within 1000 ms/,
    ],
    ["undici's headers timeout", Object.assign(new Error("x"), { code: "UND_ERR_HEADERS_TIMEOUT" }), /within 1000 ms/],
    [
      "a refused connection",
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }),
      /Connection refused.*\(ECONNREFUSED\)/,
    ],
    [
      "an unknown host",
      Object.assign(new Error("getaddrinfo ENOTFOUND nowhere"), { code: "ENOTFOUND" }),
      /does not resolve/,
    ],
    ["a code in the cause", Object.assign(new Error("fetch failed"), { cause: { code: "ECONNRESET" } }), /reset/],
    [
      "an unknown error with a query string",
      new Error("bad thing at https://x.example/a?secret=1"),
      /^bad thing at https:\/\/x\.example\/a\?…$/,
    ],
  ])("describes %s", (_name, error, expected) => {
    expect(describeRequestError(error, 1000)).toMatch(expected);
  });

  it("maps settings to pg-boss job options", () => {
    expect(jobRetryOptions(DEFAULT_DELIVERY_SETTINGS)).toEqual({
      retryLimit: 9,
      retryDelay: 10,
      retryBackoff: true,
      retryDelayMax: 3600,
      expireInSeconds: 40,
    });
    expect(
      jobRetryOptions({
        ...DEFAULT_DELIVERY_SETTINGS,
        maxAttempts: 1,
        retryBackoff: false,
        retryDelaySeconds: 0,
        timeoutMs: 1500,
      }),
    ).toEqual({ retryLimit: 0, retryDelay: 0, retryBackoff: false, expireInSeconds: 32 });
  });

  it("refuses settings pg-boss cannot honour", () => {
    const platform = {} as Platform;
    expect(() => configureWebhookDelivery(platform, { retryDelaySeconds: 0.5 })).toThrow();
    expect(() => configureWebhookDelivery(platform, { maxAttempts: 0 })).toThrow();
    expect(() => configureWebhookDelivery(platform, { batchSize: 1 })).toThrow();
    expect(configureWebhookDelivery(platform, { maxAttempts: 3 }).maxAttempts).toBe(3);
  });

  it("derives one stable UUID job id per delivery", () => {
    const a = jobIdFor("whd_1");
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(jobIdFor("whd_1")).toBe(a);
    expect(jobIdFor("whd_2")).not.toBe(a);
  });
});

describe("event types and subscriptions", () => {
  it("lists the connection, sync and write events in one table", () => {
    expect(Object.keys(WEBHOOK_EVENT_TYPES)).toEqual([
      "connection.created",
      "connection.needs_reauth",
      "connection.refresh_failed",
      "connection.recovered",
      "connection.checklist_failed",
      "connection.deleted",
      "sync.completed",
      "sync.failed",
      "sync.paused",
      "subscription.recovered",
      "subscription.paused",
      "subscription.resumed",
      "write.completed",
      "write.failed",
      "write.paused",
    ]);
    expect(isWebhookEventType("connection.created")).toBe(true);
    expect(isWebhookEventType("toString")).toBe(false);
    expect(isWebhookEventType("webhook.test")).toBe(false);
  });

  it.each<[string[], string, boolean]>([
    [["*"], "connection.created", true],
    [["connection.created"], "connection.created", true],
    [["connection.created"], "connection.deleted", false],
    [["connection.deleted", "connection.created"], "connection.deleted", true],
  ])("an endpoint on %j wants %s: %s", (events, type, wants) => {
    expect(endpointWants(events, type)).toBe(wants);
  });

  it.each<[string[], string[]]>([
    [["connection.created", "connection.created"], ["connection.created"]],
    [["connection.created", "*"], ["*"]],
    [
      ["connection.deleted", "connection.created"],
      ["connection.deleted", "connection.created"],
    ],
  ])("stores %j as %j", (events, stored) => {
    expect(normalizeSubscription(events)).toEqual(stored);
  });
});

describe("event data never carries secrets", () => {
  it.each<[string, unknown, string[]]>([
    [
      "plain connection facts",
      {
        connectionId: "conn_1",
        orgId: "00D000000000001",
        instanceUrl: "https://x.my.salesforce.com",
        tokenExpiresAt: "2030-01-01",
      },
      [],
    ],
    ["an access token key", { accessToken: "abc" }, ["data.accessToken"]],
    ["a snake_case refresh token", { refresh_token: "abc" }, ["data.refresh_token"]],
    ["a nested client secret", { app: { clientSecret: "x" } }, ["data.app.clientSecret"]],
    ["a password in a list", { users: [{ name: "a", password: "p" }] }, ["data.users[0].password"]],
    ["a private key", { privateKey: "x" }, ["data.privateKey"]],
    ["an authorization header", { headers: { Authorization: "x" } }, ["data.headers.Authorization"]],
    ["a sealed column", { accessTokenSealed: "v1.abc" }, ["data.accessTokenSealed"]],
    ["an API key as a value", { note: "fl_sk_abcdef" }, ["data.note"]],
    ["a signing secret as a value", { s: ["whsec_abc"] }, ["data.s[0]"]],
    ["a sealed value", { s: "v1.AbCdEf12.aaa.bbb.ccc" }, ["data.s"]],
    ["a Salesforce session id", { s: "00D5g000004xyz1!AQ0AQH.abc_def" }, ["data.s"]],
    ["a bearer value", { s: "Bearer abc" }, ["data.s"]],
    ["a PEM private key", { s: "-----BEGIN RSA PRIVATE KEY-----\nabc" }, ["data.s"]],
  ])("%s", (_name, data, paths) => {
    expect(secretLikePaths(data)).toEqual(paths);
  });

  it("refuses to build an event with secret-looking data, naming where", () => {
    expect(() =>
      buildEvent("proj_1", "connection.created", { connectionId: "c", refreshToken: "x" }, new Date()),
    ).toThrow(UnsafeEventDataError);
    expect(() =>
      buildEvent("proj_1", "connection.created", { connectionId: "c", refreshToken: "x" }, new Date()),
    ).toThrow(/data\.refreshToken/);
  });

  it("builds the documented envelope, with JSON values only", () => {
    const e = buildEvent(
      "proj_1",
      "connection.created",
      { at: new Date("2030-01-01T00:00:00Z"), n: 1 },
      new Date("2031-01-01T00:00:00Z"),
    );
    expect(Object.keys(e)).toEqual(["id", "type", "createdAt", "projectId", "data"]);
    expect(e).toMatchObject({
      type: "connection.created",
      createdAt: "2031-01-01T00:00:00.000Z",
      projectId: "proj_1",
      data: { at: "2030-01-01T00:00:00.000Z", n: 1 },
    });
    expect(e.id).toMatch(/^evt_/);
  });
});

describe("endpoint URLs", () => {
  it.each<[string, RegExp | null]>([
    ["https://example.com/webhooks", null],
    ["http://127.0.0.1:8080/hooks?tenant=1", null],
    ["ftp://example.com/x", /must use https \(or http\); 'ftp'/],
    ["javascript:alert(1)", /'javascript'/],
    ["file:///etc/passwd", /'file'/],
    ["example.com/webhooks", /absolute URL/],
    ["", /absolute URL/],
    ["https://user:pass@example.com/x", /user name or password/],
    [`https://example.com/${"a".repeat(2100)}`, /at most 2048/],
  ])("%s", (url, problem) => {
    const found = endpointUrlProblem(url);
    if (problem) expect(found).toMatch(problem);
    else expect(found).toBeNull();
  });
});
