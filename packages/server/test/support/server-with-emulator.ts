import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { DEMO, type Org, type OrgAdmin, type RunningEmulator, type SeedSpec } from "@forcelink/emulator";
import { startDemoOrg } from "@forcelink/emulator/testing";
import { parseConfig } from "../../src/config/config.ts";
import { createLogger } from "../../src/log/logger.ts";
import { TestClock } from "../../src/platform/clock.ts";
import { ensureDefaultProject } from "../../src/projects/default-project.ts";
import { type RunningServer, startServer } from "../../src/server.ts";

export interface Harness {
  org: Org;
  admin: OrgAdmin;
  emulator: RunningEmulator;
  server: RunningServer;
  /** The server's clock: move it to make time pass for the server (not for the emulated org). */
  clock: TestClock;
  /** The server's data directory (removed by close()). */
  dataDir: string;
  apiKey: string;
  /** Calls the Forcelink API with the default project's key. */
  api(path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  /** Registers the demo app as a provider app and lets the emulator accept this server's callback. */
  demoProviderApp(extra?: Record<string, unknown>): Promise<{ id: string; callbackUrl: string }>;
  close(): Promise<void>;
}

/** An emulated org and a Forcelink server pointed at it, on free ports, embedded storage. */
export async function startHarness(
  options: {
    seed?: SeedSpec;
    env?: Record<string, string>;
    /** Receives the server's log at trace level (otherwise the log follows TEST_LOG_LEVEL, silent by default). */
    logSink?: Writable;
  } = {},
): Promise<Harness> {
  const { org, admin, emulator } = await startDemoOrg(
    options.seed ? { seed: options.seed } : { generate: { Account: 20 } },
  );
  const dataDir = mkdtempSync(join(tmpdir(), "forcelink-test-"));
  const clock = new TestClock();
  const server = await startServer(
    parseConfig({
      FORCELINK_DATA_DIR: dataDir,
      FORCELINK_PORT: "0",
      FORCELINK_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      FORCELINK_SALESFORCE_LOGIN_URL: emulator.urls.login,
      FORCELINK_SALESFORCE_SANDBOX_URL: emulator.urls.test,
      FORCELINK_SALESFORCE_MYDOMAIN_URL: emulator.urls.myDomain,
      ...options.env,
    }),
    { clock, ...(options.logSink ? { logger: createLogger("trace", options.logSink) } : {}) },
  );
  // On PostgreSQL the server makes no first key; the harness makes the default project's itself.
  const apiKey = (server.firstKey ?? (await ensureDefaultProject(server.platform.db)))!.key;
  const api = apiWith(server.url, apiKey);
  return {
    org,
    admin,
    emulator,
    server,
    clock,
    dataDir,
    apiKey,
    api,
    demoProviderApp: async (extra = {}) => {
      const res = await api("/v1/provider-apps", {
        method: "POST",
        body: {
          name: "Demo",
          kind: "external_client_app",
          clientId: DEMO.app.clientId,
          clientSecret: DEMO.app.clientSecret,
          scopes: ["api", "refresh_token", "id"],
          ...extra,
        },
      });
      if (res.status !== 201) throw new Error(`provider app not created: ${res.status} ${await res.text()}`);
      const created = (await res.json()) as { id: string; callbackUrl: string };
      const app = org.appByClientId(DEMO.app.clientId)!;
      if (!app.callbackUrls.includes(created.callbackUrl))
        admin.updateApp(app.id, { callbackUrls: [...app.callbackUrls, created.callbackUrl] });
      return created;
    },
    close: async () => {
      await server.close();
      await emulator.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Calls a Forcelink server's API with one key: JSON bodies, other headers as given. */
export function apiWith(baseUrl: string, key: string): Harness["api"] {
  return (path, init = {}) =>
    fetch(`${baseUrl}${path}`, {
      method: init.method ?? "GET",
      headers: {
        authorization: `Bearer ${key}`,
        ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
    });
}
