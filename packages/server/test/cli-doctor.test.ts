import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { DEMO } from "@forcelink/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThroughPages } from "./support/connect-pages.ts";
import { type Harness, startHarness } from "./support/harness.ts";

const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;

let h: Harness;
let env: Record<string, string>;
/** A web-server-flow connection of the integration user: it holds a refresh token. */
let webServerId: string;
/** A client-credentials connection of the same org. */
let serverSideId: string;
let emulatorStopped = false;

/** The CLI as a child process, without blocking this one: the emulator answers from here. */
function doctor(args: string[], extra: Record<string, string> = {}) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "doctor", ...args], { env: { ...process.env, ...env, ...extra } });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

const emulatorCall = (path: string, method: string, body?: unknown) =>
  fetch(`${h.emulator.urls.login}/__emulator${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  h = await startHarness();
  const app = await h.demoProviderApp({ name: DEMO.app.name, clientCredentials: { enabled: true } });
  const run = await connectThroughPages(h, { providerAppId: app.id, endUserId: "doctor-web" });
  expect(run.result.status).toBe(200);
  const listed = (await (await h.api("/v1/connections?endUserId=doctor-web")).json()) as { data: { id: string }[] };
  webServerId = listed.data[0].id;
  const res = await h.api("/v1/connections", {
    method: "POST",
    body: { flow: "client_credentials", providerAppId: app.id, endUserId: "doctor-cc", myDomain: "forcelink-demo" },
  });
  expect(res.status).toBe(201);
  serverSideId = ((await res.json()) as { id: string }).id;
  // Embedded storage is locked by the server: stop it, keep the emulator.
  await h.server.close();
  env = {
    FORCELINK_DATA_DIR: h.dataDir,
    FORCELINK_LOG_LEVEL: "silent",
    FORCELINK_SALESFORCE_LOGIN_URL: h.emulator.urls.login,
    FORCELINK_SALESFORCE_SANDBOX_URL: h.emulator.urls.test,
    FORCELINK_SALESFORCE_MYDOMAIN_URL: h.emulator.urls.myDomain,
  };
}, 180_000);
afterAll(async () => {
  if (!emulatorStopped) await h?.emulator.close();
  if (h) rmSync(h.dataDir, { recursive: true, force: true });
});

describe("forcelink doctor's exit codes", () => {
  it("exits 2 with one line and a pointer to --help for a usage error", async () => {
    for (const args of [[], [webServerId, "--nope"], [webServerId, "extra"]]) {
      const r = await doctor(args);
      expect(r.code, r.err).toBe(2);
      expect(r.err.trim().split("\n")).toHaveLength(1);
      expect(r.err).toContain("forcelink doctor --help");
      expect(r.out).toBe("");
    }
  });

  it("exits 3 with the explained error, no stack trace, when the refresh is refused", async () => {
    expect(
      (await emulatorCall(`/users/${encodeURIComponent(DEMO.integration.username)}`, "PATCH", { active: false }))
        .status,
    ).toBe(200);
    expect((await emulatorCall("/sessions/expire", "POST", {})).status).toBe(200);
    try {
      const r = await doctor([webServerId]);
      expect(r.code, r.err).toBe(3);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(r.err).toContain("connection_needs_reauth");
      expect(r.err).toMatch(/inactive/);
      expect(r.err).toContain("/v1/connect-sessions");
    } finally {
      await emulatorCall(`/users/${encodeURIComponent(DEMO.integration.username)}`, "PATCH", { active: true });
    }
  });

  it("exits 3 with the explained error, no stack trace, when the org cannot be reached", async () => {
    await h.emulator.close();
    emulatorStopped = true;
    const r = await doctor([serverSideId]);
    expect(r.code, r.err).toBe(3);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.err).toContain("salesforce_unreachable");
  });
});
