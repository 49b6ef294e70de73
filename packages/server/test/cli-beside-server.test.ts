import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.ts";
import { ACCOUNT_MANIFEST } from "./support/sync-records.ts";

const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;

let h: Harness;
let env: Record<string, string>;
let serve: ChildProcess;
let serveOutput = "";
let url = "";
let connectionId = "";
let emulatorStopped = false;
const scratch = mkdtempSync(join(tmpdir(), "forcelink-cli-beside-"));

/** The CLI as a child process, without blocking this one: the emulator answers from here. */
function forcelink(args: string[], extra: Record<string, string> = {}) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env, ...extra } });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

beforeAll(async () => {
  h = await startHarness();
  const app = await h.demoProviderApp({ clientCredentials: { enabled: true } });
  const res = await h.api("/v1/connections", {
    method: "POST",
    body: { flow: "client_credentials", providerAppId: app.id, endUserId: "beside", myDomain: "forcelink-demo" },
  });
  expect(res.status).toBe(201);
  connectionId = ((await res.json()) as { id: string }).id;
  // The in-process server lets go of the data directory; `forcelink serve` takes it.
  await h.server.close();
  env = {
    FORCELINK_DATA_DIR: h.dataDir,
    FORCELINK_LOG_LEVEL: "silent",
    FORCELINK_SALESFORCE_LOGIN_URL: h.emulator.urls.login,
    FORCELINK_SALESFORCE_SANDBOX_URL: h.emulator.urls.test,
    FORCELINK_SALESFORCE_MYDOMAIN_URL: h.emulator.urls.myDomain,
    FORCELINK_SYNC_LAG_SECONDS: "0",
  };
  serve = spawn(process.execPath, [CLI, "serve", "--port", "0"], { env: { ...process.env, ...env } });
  url = await new Promise<string>((resolve, reject) => {
    serve.stdout!.setEncoding("utf8").on("data", (d: string) => {
      serveOutput += d;
      const listening = /listening on (http:\/\/\S+)/.exec(serveOutput);
      if (listening) resolve(listening[1]);
    });
    serve.stderr!.setEncoding("utf8").on("data", (d: string) => (serveOutput += d));
    serve.once("exit", (code) => reject(new Error(`serve exited (${code}):\n${serveOutput}`)));
  });
}, 180_000);

afterAll(async () => {
  if (serve && serve.exitCode === null) {
    serve.kill("SIGTERM");
    await new Promise((resolve) => serve.once("exit", resolve));
  }
  if (!emulatorStopped) await h?.emulator.close();
  if (h) rmSync(h.dataDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

describe("the command line beside a running `forcelink serve` on the same data directory", () => {
  it("announces the server in the data directory, its keys sealed", () => {
    const file = readFileSync(join(h.dataDir, "server.json"), "utf8");
    const announced = JSON.parse(file) as { url: string; keys: Record<string, string> };
    expect(announced.url).toBe(url);
    expect(Object.keys(announced.keys)).toEqual([h.projectId]);
    expect(file).not.toContain("fl_sk_");
  });

  it("lists connections through the API", async () => {
    const r = await forcelink(["connections", "list", "--json"]);
    expect(r.code, r.err).toBe(0);
    const rows = JSON.parse(r.out) as Array<{ id: string; projectId: string; status: string }>;
    expect(rows.map((c) => [c.id, c.projectId, c.status])).toEqual([[connectionId, h.projectId, "active"]]);
    const table = await forcelink(["connections", "list", "--status", "needs_reauth"]);
    expect(table.out.trim()).toBe("No connections.");
  });

  it("runs doctor through the API, and says so for an unknown connection", async () => {
    const r = await forcelink(["doctor", connectionId]);
    expect(r.err).toBe("");
    expect(r.out).toMatch(new RegExp(`^Checklist for ${connectionId}`));
    expect([0, 1]).toContain(r.code);
    const unknown = await forcelink(["doctor", "conn_nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("No connection with id 'conn_nope'");
  });

  it("uploads, lists and installs an integration, then syncs an object through the running server", async () => {
    const file = join(scratch, "crm.yaml");
    writeFileSync(file, ACCOUNT_MANIFEST);
    const uploaded = await forcelink(["integrations", "upload", file]);
    expect(uploaded.code, uploaded.err).toBe(0);
    expect(uploaded.out).toMatch(/^Created integration crm \(int_/);
    expect((await forcelink(["integrations", "upload", file])).out).toMatch(/^Updated integration crm/);
    const listed = await forcelink(["integrations", "list", "--json"]);
    expect((JSON.parse(listed.out) as Array<{ name: string }>).map((i) => i.name)).toEqual(["crm"]);
    const installed = await forcelink(["integrations", "install", connectionId, "crm"]);
    expect(installed.code, installed.err).toBe(0);
    expect(installed.out).toMatch(new RegExp(`^Installed crm on ${connectionId}`));
    expect((await forcelink(["integrations", "install", connectionId, "crm"])).out).toMatch(/^Already installed/);

    const synced = await forcelink(["sync", connectionId, "Account", "--json"]);
    expect(synced.code, synced.err).toBe(0);
    const run = JSON.parse(synced.out) as { status: string; counts: { read: number } };
    expect(run.status).toBe("completed");
    expect(run.counts.read).toBe([...h.org.store.tableOrThrow("Account").live()].length);
    const notSynced = await forcelink(["sync", connectionId, "Contact"]);
    expect(notSynced.code).toBe(2);
    expect(notSynced.err).toContain("No integration installed");
  });

  it("goes through FORCELINK_URL and FORCELINK_API_KEY from anywhere", async () => {
    const elsewhere = { FORCELINK_DATA_DIR: join(scratch, "empty"), FORCELINK_URL: url, FORCELINK_API_KEY: h.apiKey };
    const r = await forcelink(["connections", "list", "--json"], elsewhere);
    expect(r.code, r.err).toBe(0);
    expect((JSON.parse(r.out) as Array<{ id: string }>).map((c) => c.id)).toEqual([connectionId]);
    const badKey = await forcelink(["connections", "list"], { ...elsewhere, FORCELINK_API_KEY: "fl_sk_wrong" });
    expect(badKey.code).toBe(2);
    expect(badKey.err).toContain("code:");
  });

  it("ignores an announcement left by a process that died, and says so when a key cannot be opened", async () => {
    const dir = join(scratch, "announced");
    mkdirSync(dir);
    const announce = (pid: number) =>
      writeFileSync(
        join(dir, "server.json"),
        JSON.stringify({ url: "http://127.0.0.1:9", pid, keys: { proj_x: "v1.abc.def.ghi.jkl" } }),
      );
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((resolve) => dead.once("exit", resolve));
    announce(dead.pid!);
    const stale = await forcelink(["connections", "list"], { FORCELINK_DATA_DIR: dir });
    expect(stale.code, stale.err).toBe(0);
    expect(stale.out.trim()).toBe("No connections.");
    announce(process.pid);
    const sealed = await forcelink(["connections", "list"], { FORCELINK_DATA_DIR: dir });
    expect(sealed.code).toBe(2);
    expect(sealed.err).toMatch(/its command-line key cannot be opened/);
  });

  it("exits 3 with the API's explanation when the org cannot be reached", async () => {
    await h.emulator.close();
    emulatorStopped = true;
    const r = await forcelink(["doctor", connectionId]);
    expect(r.code, r.err).toBe(3);
    expect(r.err).toMatch(/^forcelink doctor: /);
    expect(r.err).toContain("salesforce_unreachable");
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("opens the store again once the server stopped", async () => {
    serve.kill("SIGTERM");
    await new Promise((resolve) => serve.once("exit", resolve));
    expect(existsSync(join(h.dataDir, "server.json"))).toBe(false);
    const r = await forcelink(["connections", "list", "--json"]);
    expect(r.code, r.err).toBe(0);
    expect((JSON.parse(r.out) as Array<{ id: string }>).map((c) => c.id)).toEqual([connectionId]);
  });
});
