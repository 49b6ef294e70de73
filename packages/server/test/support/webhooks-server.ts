import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { it } from "vitest";
import { parseConfig } from "../../src/config/config.ts";
import { createLogger } from "../../src/log/logger.ts";
import { createApiKey, createProject } from "../../src/projects/api-keys.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { configureWebhookDelivery, type WebhookDeliverySettings } from "../../src/webhooks/delivery-policy.ts";
import { type Backend, freshStore, storeBackends } from "./test-database.ts";

export type { Backend } from "./test-database.ts";

/**
 * PGlite always; PostgreSQL too when TEST_DATABASE_URL names a server where we may CREATE DATABASE.
 * Call inside a describe: without PostgreSQL it registers a test that fails in CI (CI=true) and is
 * reported as skipped, by name, elsewhere.
 */
export function webhookBackends(): Backend[] {
  const { backends, missingPostgres: missing } = storeBackends();
  if (!missing) return backends;
  if (process.env.CI === "true") {
    it("runs on PostgreSQL (TEST_DATABASE_URL)", () => {
      throw new Error(missing);
    });
  } else {
    console.warn(`\n!!! ${missing}\n`);
    it.skip(missing, () => {});
  }
  return ["pglite"];
}

/** Settings that make retries immediate and timeouts short, so suites run in seconds. */
export const FAST_DELIVERY: Partial<WebhookDeliverySettings> = {
  maxAttempts: 3,
  retryDelaySeconds: 0,
  retryBackoff: false,
  timeoutMs: 1000,
};

export interface WebhooksTestServer {
  server: RunningServer;
  url: string;
  projectA: string;
  keyA: string;
  projectB: string;
  keyB: string;
  /** Every log line, at trace level. */
  logs(): string;
  /** Raw SQL against the store, to look at what is stored. */
  query(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function startWebhooksServer(
  backend: Backend,
  delivery: Partial<WebhookDeliverySettings> = FAST_DELIVERY,
): Promise<WebhooksTestServer> {
  const store = await freshStore(backend, "forcelink-webhooks");
  const env = store.env;
  let logText = "";
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logText += chunk.toString();
      done();
    },
  });
  const server = await startServer(parseConfig(env), { logger: createLogger("trace", sink) });
  try {
    configureWebhookDelivery(server.platform, delivery);
    const db = server.platform.db;
    const projectA = server.firstKey?.projectId ?? (await createProject(db, "A")).id;
    const keyA = server.firstKey?.key ?? (await createApiKey(db, projectA, "test")).key;
    const projectB = (await createProject(db, "B")).id;
    const keyB = (await createApiKey(db, projectB, "test")).key;
    const database = server.platform.database;
    return {
      server,
      url: server.url,
      projectA,
      keyA,
      projectB,
      keyB,
      logs: () => logText,
      query: async (text, values) =>
        database.kind === "pglite"
          ? (await database.pglite!.query<Record<string, unknown>>(text, values)).rows
          : (await database.pool!.query(text, values)).rows,
      close: async () => {
        await server.close();
        await store.dispose();
      },
    };
  } catch (e) {
    await server.close();
    await store.dispose();
    throw e;
  }
}

/** JSON over real HTTP with a project's key; answers status and parsed body. */
// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely and assert on them
type Json = any;
export function apiClient(baseUrl: string, key: string) {
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  body: Buffer;
  at: number;
}

export type Reply = number | { status: number; headers?: Record<string, string>; delayMs?: number };

/** A webhook receiver on 127.0.0.1: records every request and answers what `reply` says for the n-th (0-based). */
export async function startReceiver(reply: (n: number, req: ReceivedRequest) => Reply = () => 200) {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r: ReceivedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
      };
      const n = received.length;
      received.push(r);
      const answer = reply(n, r);
      const { status, headers, delayMs } = typeof answer === "number" ? { status: answer } : answer;
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(status, headers);
        res.end("ok");
      };
      if (delayMs) setTimeout(send, delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  what: string,
  ms = 30_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
