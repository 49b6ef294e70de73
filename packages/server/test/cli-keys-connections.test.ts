import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO, type RunningEmulator } from "@forcelink/emulator";
import { startDemoOrg } from "@forcelink/emulator/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/config.ts";
import { startServer } from "../src/server.ts";

const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;
let emulator: RunningEmulator;
let dataDir: string;
let env: Record<string, string>;
let connectionId: string;

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The CLI without blocking this process, for commands that call the emulator running in it. */
function cliAsync(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
    child.once("close", (code) => resolve({ code, out, err }));
  });
}

async function withServer<T>(work: (url: string, key: string) => Promise<T>, key?: string): Promise<T> {
  const server = await startServer(parseConfig(env));
  try {
    return await work(server.url, key ?? server.firstKey!.key);
  } finally {
    await server.close();
  }
}

let apiKey: string;

beforeAll(async () => {
  ({ emulator } = await startDemoOrg({ generate: { Account: 3 } }));
  dataDir = mkdtempSync(join(tmpdir(), "forcelink-cli-"));
  env = {
    FORCELINK_DATA_DIR: dataDir,
    FORCELINK_PORT: "0",
    FORCELINK_LOG_LEVEL: "silent",
    FORCELINK_SYNC_LAG_SECONDS: "0",
    FORCELINK_SALESFORCE_LOGIN_URL: emulator.urls.login,
    FORCELINK_SALESFORCE_SANDBOX_URL: emulator.urls.test,
    FORCELINK_SALESFORCE_MYDOMAIN_URL: emulator.urls.myDomain,
  };
  await withServer(async (url, key) => {
    apiKey = key;
    const api = (path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const app = (await (
      await api("/v1/provider-apps", {
        name: "CLI",
        kind: "external_client_app",
        clientId: DEMO.app.clientId,
        clientSecret: DEMO.app.clientSecret,
        clientCredentials: { enabled: true },
      })
    ).json()) as { id: string };
    const conn = await api("/v1/connections", {
      flow: "client_credentials",
      providerAppId: app.id,
      endUserId: "cli-user",
      myDomain: "forcelink-demo",
    });
    expect(conn.status).toBe(201);
    connectionId = ((await conn.json()) as { id: string }).id;
  });
});
afterAll(async () => {
  await emulator?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("forcelink connections list and keys", () => {
  it("lists connections with their status, filtered", () => {
    const all = cli(["connections", "list"]);
    expect(all.code).toBe(0);
    expect(all.out).toMatch(new RegExp(`${connectionId}\\s+cli-user\\s+active\\s+mydomain`));
    const none = cli(["connections", "list", "--status", "needs_reauth"]);
    expect(none.out.trim()).toBe("No connections.");
    expect(cli(["connections", "list", "--status", "weird"]).code).toBe(2);
  });

  it("makes another API key while the server is stopped, and it works", async () => {
    const made = cli(["keys", "create", "--name", "second"]);
    expect(made.code).toBe(0);
    const key = /(fl_sk_\S+)/.exec(made.out)![1];
    await withServer(async (url) => {
      const res = await fetch(`${url}/v1/connections`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
    }, key);
  });

  it("refuses to open the data directory while a server holds it", async () => {
    await withServer(async () => {
      const r = cli(["connections", "list"]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/in use by another Forcelink process/);
    }, apiKey);
  });

  it("checks, uploads and installs a manifest, then runs a sync with a progress line", async () => {
    const bad = join(dataDir, "bad.yaml");
    writeFileSync(bad, "name: crm\nobjects:\n  - name: Account\n    schedual: hourly\n");
    const checked = cli(["integrations", "check", bad]);
    expect(checked.code).toBe(1);
    expect(checked.err).toMatch(/bad\.yaml:4:5: .*schedual.*did you mean schedule/);
    const good = join(dataDir, "crm.yaml");
    writeFileSync(
      good,
      "name: crm\ndestinations:\n  cache:\n    type: records\nobjects:\n  - name: Account\n    fields: [Name, Industry]\n    destinations: [cache]\n",
    );
    expect(cli(["integrations", "upload", good]).out).toMatch(/Created integration crm \(int_/);
    expect(cli(["integrations", "list"]).out).toMatch(/int_\S+ {2}crm/);
    expect(cli(["integrations", "install", connectionId, "crm"]).out).toMatch(/Installed crm on/);
    // Asynchronously: the emulator answering the sync's calls runs in this process.
    const run = await cliAsync(["sync", connectionId, "Account"]);
    expect(run.code, run.err).toBe(0);
    expect(run.err).toMatch(/3 \/ 3 records/);
    expect(run.out).toMatch(/^COMPLETED Account \(rest\): read 3, upserted 3, deleted 0 in [\d.]+ s, \d+ API calls/);
    expect(cli(["sync", connectionId, "Contact"]).code).toBe(2);
    await withServer(async (url) => {
      const res = await fetch(`${url}/v1/connections/${connectionId}/records/Account`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
      expect(((await res.json()) as { records: unknown[] }).records).toHaveLength(3);
    }, apiKey);
  });

  it("re-seals every secret with a new key, and the connection keeps working", async () => {
    const before = readFileSync(join(dataDir, "secret.key"), "utf8");
    const r = cli(["keys", "rotate-secret"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Re-sealed [1-9]\d* values/);
    const after = readFileSync(join(dataDir, "secret.key"), "utf8");
    expect(after).not.toBe(before);
    await withServer(async (url) => {
      const res = await fetch(
        `${url}/v1/connections/${connectionId}/proxy/services/data/v67.0/sobjects/Account/describe`,
        {
          headers: { authorization: `Bearer ${apiKey}` },
        },
      );
      expect(res.status).toBe(200);
    }, apiKey);
    // Nothing sealed with the old key is left to open.
    expect(cli(["keys", "rotate-secret"]).out).toMatch(/Re-sealed \d+ values/);
  });
});
