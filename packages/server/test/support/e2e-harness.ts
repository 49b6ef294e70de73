import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { DEMO, DEMO_SEED, type SeedSpec } from "@forcelink/emulator";
import { type AuthorizeOutcome, type CookieJar, completeAuthorize } from "@forcelink/emulator/testing";
import { expect } from "vitest";
import { parseConfig } from "../../src/config/config.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { apiWith, type Harness, startHarness } from "./server-with-emulator.ts";

/**
 * The end-to-end suites' harness: the same emulated org and Forcelink server as
 * `startHarness()`, plus what those suites look at: every log line (captured at trace level),
 * raw SQL on the store, the emulator's token-call counter, and a second server pointed at the
 * same emulator with other host settings.
 */
export interface E2eHarness extends Harness {
  /** Every log line the server wrote, as raw JSON lines. */
  logs(): string;
  /** Raw SQL against the embedded store (PGlite). */
  sql<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
  /** POST /services/oauth2/token calls the emulator answered so far. */
  tokenCalls(): number;
  /** The demo app's record id in the emulated org, for `admin.updateApp`. */
  appId: string;
}

export interface E2eHarnessOptions {
  seed?: SeedSpec;
  env?: Record<string, string>;
}

export async function startE2eHarness(options: E2eHarnessOptions = {}): Promise<E2eHarness> {
  let logText = "";
  const logSink = new Writable({
    write(chunk, _encoding, done) {
      logText += chunk.toString();
      done();
    },
  });
  const h = await startHarness({
    seed: options.seed ?? { ...DEMO_SEED, generate: { Account: 5 } },
    env: options.env,
    logSink,
  });
  return {
    ...h,
    appId: h.org.appByClientId(DEMO.app.clientId)!.id,
    logs: () => logText,
    sql: async <T>(text: string, values?: unknown[]) => {
      const pglite = h.server.platform.database.pglite;
      if (!pglite) throw new Error("the e2e harness runs on the embedded store only");
      return (await pglite.query<T>(text, values)).rows;
    },
    tokenCalls: () => h.org.counters.snapshot().byEndpoint["POST /services/oauth2/token"] ?? 0,
  };
}

/** Another Forcelink server on the same emulator, e.g. with My Domain mapped onto a login host. */
export async function startSecondServer(
  env: Record<string, string>,
): Promise<{ server: RunningServer; api: Harness["api"]; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), "forcelink-e2e-2-"));
  const server = await startServer(
    parseConfig({
      FORCELINK_DATA_DIR: dataDir,
      FORCELINK_PORT: "0",
      FORCELINK_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      ...env,
    }),
  );
  return {
    server,
    api: apiWith(server.url, server.firstKey!.key),
    close: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---- the connect page, driven like a browser

export interface CreatedSession {
  id: string;
  url: string;
  popupUrl: string;
  status: string;
}

export async function createConnectSession(
  h: Pick<Harness, "api">,
  body: Record<string, unknown>,
): Promise<CreatedSession> {
  const res = await h.api("/v1/connect-sessions", { method: "POST", body });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`connect session not created: ${res.status} ${text}`);
  return JSON.parse(text) as CreatedSession;
}

export interface SessionView {
  id: string;
  status: string;
  environment: string | null;
  myDomain: string | null;
  connectionId: string | null;
  error: { code: string; message: string } | null;
  hint: string | null;
}

export async function sessionStatus(h: Pick<Harness, "api">, id: string): Promise<SessionView> {
  const res = await h.api(`/v1/connect-sessions/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as SessionView;
}

/** Posts the connect page's form; answers the redirect to Salesforce's authorize page (303) or the page shown instead. */
export async function submitConnectPage(
  pageUrl: string,
  form: Record<string, string>,
): Promise<{ status: number; location: string | null; html: string }> {
  const res = await fetch(pageUrl, { method: "POST", body: new URLSearchParams(form), redirect: "manual" });
  return { status: res.status, location: res.headers.get("location"), html: await res.text() };
}

export async function getPage(url: string): Promise<{ status: number; html: string; headers: Headers }> {
  const res = await fetch(url, { redirect: "manual" });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

export interface ConnectRun {
  session: CreatedSession;
  authorizeUrl: string;
  outcome: AuthorizeOutcome;
  /** Where Salesforce sent the browser: Forcelink's callback (or Salesforce's error page). */
  callbackUrl: string;
  result: { status: number; html: string };
}

export interface ConnectOptions {
  providerAppId: string;
  endUserId?: string;
  form?: Record<string, string>;
  sessionBody?: Record<string, unknown>;
  username?: string;
  password?: string;
  approve?: boolean;
  jar?: CookieJar;
  /** Runs between Salesforce's redirect and the browser loading the callback. */
  beforeCallback?: (callbackUrl: string) => void | Promise<void>;
  popup?: boolean;
}

/** The whole web-server flow: connect session, connect page, Salesforce's pages, the callback. */
export async function connectThroughPages(h: Pick<Harness, "api">, options: ConnectOptions): Promise<ConnectRun> {
  const session = await createConnectSession(h, {
    providerAppId: options.providerAppId,
    endUserId: options.endUserId ?? "customer-e2e",
    ...options.sessionBody,
  });
  const pageUrl = options.popup ? session.popupUrl : session.url;
  const start = await submitConnectPage(pageUrl, options.form ?? { environment: "production" });
  if (start.status !== 303 || !start.location)
    throw new Error(
      `the connect page did not send the browser to Salesforce: ${start.status} ${start.html.slice(0, 300)}`,
    );
  const outcome = await completeAuthorize(
    start.location,
    options.username ?? DEMO.integration.username,
    options.password ?? DEMO.integration.password,
    { approve: options.approve, jar: options.jar },
  );
  await options.beforeCallback?.(outcome.location);
  const res = await fetch(outcome.location, { redirect: "manual" });
  return {
    session,
    authorizeUrl: start.location,
    outcome,
    callbackUrl: outcome.location,
    result: { status: res.status, html: await res.text() },
  };
}

/** The visible text of an HTML page, tags dropped and entities decoded, whitespace collapsed. */
export function pageText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/gi, " ")
    .replace(/<style[\s\S]*?<\/style>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

/** The `<li>` items of the result page's remedy list (id="remedy"). */
export function remedySteps(html: string): string[] {
  const list = /<ol id="remedy">([\s\S]*?)<\/ol>/.exec(html);
  if (!list) return [];
  return [...list[1].matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => pageText(m[1]));
}

export async function connectionView(
  h: Pick<Harness, "api">,
  id: string,
): Promise<Record<string, unknown> & { status: string }> {
  const res = await h.api(`/v1/connections/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown> & { status: string };
}

// ---- webhooks

export interface ReceivedEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** A webhook receiver on 127.0.0.1 that keeps every event it is sent, answering 200. */
export async function startEventReceiver(): Promise<{
  url: string;
  events: ReceivedEvent[];
  ofType(type: string, connectionId?: string): ReceivedEvent[];
  close(): Promise<void>;
}> {
  const events: ReceivedEvent[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        events.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as ReceivedEvent);
      } catch {
        // not an event: counted nowhere
      }
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    events,
    ofType: (type, connectionId) =>
      events.filter((e) => e.type === type && (connectionId === undefined || e.data.connectionId === connectionId)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function registerWebhook(h: Pick<Harness, "api">, url: string): Promise<string> {
  const res = await h.api("/v1/webhooks", { method: "POST", body: { url, events: ["*"] } });
  const body = (await res.json()) as { id: string };
  expect(res.status).toBe(201);
  return body.id;
}

export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  ms = 20_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
