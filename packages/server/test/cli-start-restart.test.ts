import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO } from "@forcelink/emulator";
import { completeAuthorize } from "@forcelink/emulator/testing";
import { afterAll, describe, expect, it } from "vitest";
import { apiWith } from "./support/api-client.ts";
import { submitConnectPage } from "./support/connect-pages.ts";
import { freePorts } from "./support/ports.ts";
import { waitFor } from "./support/wait.ts";

const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), "forcelink-start-restart-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

/** `forcelink start` (npm start) on fixed ports, so the demo app's callback URL stays the same across runs. */
async function start(port: number, emulatorPort: number, extra: string[] = []) {
  const child = spawn(
    process.execPath,
    [CLI, "start", "--port", String(port), "--emulator-port", String(emulatorPort), ...extra],
    { env: { ...process.env, FORCELINK_DATA_DIR: dataDir, FORCELINK_SYNC_WORKERS: "0", FORCELINK_LOG_LEVEL: "warn" } },
  );
  children.push(child);
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
  await waitFor(() => out.includes("Press Ctrl+C") || child.exitCode !== null, "npm start to be ready", 240_000);
  if (!out.includes("Press Ctrl+C")) throw new Error(`forcelink start exited: ${out}`);
  return {
    child,
    out: () => out,
    link: /Connect the demo org.*\n\s+(\S+)/.exec(out)?.[1],
    key: /Your API key.*\n\s+(fl_sk_\S+)/.exec(out)?.[1],
    url: `http://127.0.0.1:${port}`,
    emulator: `http://127.0.0.1:${emulatorPort}`,
  };
}

async function stop(child: ChildProcess) {
  child.kill("SIGTERM");
  const [code] = await once(child, "exit");
  expect(code).toBe(0);
}

describe("restarting npm start", () => {
  it("keeps the emulator's org, so the demo connection stays active; --fresh starts a new org", async () => {
    const port = await freePorts(1);
    const emulatorPort = await freePorts(3);
    const first = await start(port, emulatorPort);
    expect(first.out()).toMatch(/Its org is kept in .*emulator and survives a restart/);
    const key = first.key!;
    // The customer connects through the connect page and the emulator's login and approval pages.
    const page = await submitConnectPage(first.link!, { environment: "production" });
    expect(page.status).toBe(303);
    const outcome = await completeAuthorize(page.location!, DEMO.integration.username, DEMO.integration.password);
    expect((await fetch(outcome.location, { redirect: "manual" })).status).toBeLessThan(400);
    const api = apiWith(first.url, key);
    const [connection] = (
      (await (await api("/v1/connections")).json()) as { data: Array<{ id: string; status: string }> }
    ).data;
    expect(connection.status).toBe("active");
    const proxied = `/v1/connections/${connection.id}/proxy/services/data/v67.0/limits`;
    expect((await api(proxied)).status).toBe(200);
    await stop(first.child);

    const second = await start(port, emulatorPort);
    expect(second.out()).toMatch(/Its org was loaded from .*emulator \(\d+ records\)/);
    const again = apiWith(second.url, key);
    // The session Forcelink holds still works, and so does its refresh token once sessions expire.
    expect((await again(proxied)).status).toBe(200);
    const expired = await fetch(`${second.emulator}/__emulator/sessions/expire`, { method: "POST" });
    expect(((await expired.json()) as { expired: number }).expired).toBeGreaterThan(0);
    expect((await again(proxied)).status).toBe(200);
    const view = (await (await again(`/v1/connections/${connection.id}`)).json()) as { status: string };
    expect(view.status).toBe("active");
    await stop(second.child);

    const fresh = await start(port, emulatorPort, ["--fresh"]);
    expect(fresh.out()).toMatch(/Its org is kept in .*emulator and survives a restart/);
    const afterFresh = await apiWith(fresh.url, key)(proxied);
    expect(afterFresh.status).toBe(409);
    await stop(fresh.child);
  }, 600_000);
});
