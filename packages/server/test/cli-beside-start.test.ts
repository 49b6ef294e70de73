import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO } from "@forcelink/emulator";
import { completeAuthorize } from "@forcelink/emulator/testing";
import { afterAll, describe, expect, it } from "vitest";
import { apiWith } from "./support/api-client.ts";
import { submitConnectPage } from "./support/connect-pages.ts";
import { freePorts } from "./support/ports.ts";
import { ACCOUNT_MANIFEST } from "./support/sync-records.ts";
import { waitFor } from "./support/wait.ts";

const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), "forcelink-beside-start-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

/** The CLI as a child process on the demo's data directory (its settings come from server.json there). */
function forcelink(args: string[]) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FORCELINK_")));
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...inherited, FORCELINK_DATA_DIR: dataDir, FORCELINK_LOG_LEVEL: "silent" },
    });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

describe("the command line while npm start runs", () => {
  it("runs doctor and sync on the demo connection through the running server", async () => {
    const port = await freePorts(1);
    const emulatorPort = await freePorts(3);
    const child = spawn(
      process.execPath,
      [CLI, "start", "--port", String(port), "--emulator-port", String(emulatorPort)],
      {
        env: {
          ...process.env,
          FORCELINK_DATA_DIR: dataDir,
          FORCELINK_LOG_LEVEL: "warn",
          FORCELINK_SYNC_LAG_SECONDS: "0",
        },
      },
    );
    children.push(child);
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
    await waitFor(() => out.includes("Press Ctrl+C") || child.exitCode !== null, "npm start to be ready", 240_000);
    expect(out).toContain("Press Ctrl+C");
    const link = /Connect the demo org.*\n\s+(\S+)/.exec(out)![1];
    const key = /Your API key.*\n\s+(fl_sk_\S+)/.exec(out)![1];
    const url = /Forcelink is running at (\S+)/.exec(out)![1];

    const page = await submitConnectPage(link, { environment: "production" });
    const outcome = await completeAuthorize(page.location!, DEMO.integration.username, DEMO.integration.password);
    expect((await fetch(outcome.location, { redirect: "manual" })).status).toBeLessThan(400);
    const [connection] = (
      (await (await apiWith(url, key)("/v1/connections")).json()) as { data: Array<{ id: string }> }
    ).data;

    const doctor = await forcelink(["doctor", connection.id]);
    expect(doctor.out, doctor.err).toMatch(new RegExp(`^Checklist for ${connection.id}`));
    expect([0, 1]).toContain(doctor.code);

    const manifest = join(dataDir, "crm.yaml");
    writeFileSync(manifest, ACCOUNT_MANIFEST);
    expect((await forcelink(["integrations", "upload", manifest])).code).toBe(0);
    expect((await forcelink(["integrations", "install", connection.id, "crm"])).code).toBe(0);
    const sync = await forcelink(["sync", connection.id, "Account"]);
    expect(sync.code, sync.err).toBe(0);
    expect(sync.out).toMatch(/^COMPLETED Account/);

    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  }, 600_000);
});
