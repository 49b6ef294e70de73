import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "./support/wait.ts";

const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;
const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/** `forcelink serve` as a child process on a free port and a new data directory; resolves once it listens. */
async function serve() {
  const dataDir = mkdtempSync(join(tmpdir(), "forcelink-shutdown-"));
  dataDirs.push(dataDir);
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0"], {
    env: { ...process.env, FORCELINK_DATA_DIR: dataDir, FORCELINK_LOG_LEVEL: "info", FORCELINK_SYNC_WORKERS: "0" },
  });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  await waitFor(
    () => /listening on (\S+)/.test(out) || child.exitCode !== null,
    "the server to listen, or exit",
    240_000,
  );
  const url = /listening on (\S+)/.exec(out)?.[1];
  if (!url) throw new Error(`server did not start: ${out}${err}`);
  return { child, url, out: () => out, err: () => err };
}

/** A GET on a keep-alive connection that stays open afterwards, as a browser's does. */
function getKeepAlive(agent: Agent, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

/** What a browser tab leaves open: a keep-alive connection it used, and one it opened ahead and never used. */
async function browserLikeConnections(url: string) {
  const agent = new Agent({ keepAlive: true });
  expect(await getKeepAlive(agent, `${url}/healthz`)).toBe(200);
  const { hostname, port } = new URL(url);
  const unused = createConnection({ host: hostname, port: Number(port) });
  unused.on("error", () => undefined);
  await once(unused, "connect");
  return () => {
    agent.destroy();
    unused.destroy();
  };
}

async function stop(server: Awaited<ReturnType<typeof serve>>): Promise<{ code: number; ms: number }> {
  const started = Date.now();
  server.child.kill("SIGTERM");
  const [code] = (await once(server.child, "exit")) as [number];
  return { code, ms: Date.now() - started };
}

describe("stopping forcelink serve", () => {
  it("does not wait for idle keep-alive connections: SIGTERM to exit in a few seconds", async () => {
    const server = await serve();
    const release = await browserLikeConnections(server.url);
    try {
      const { code, ms } = await stop(server);
      expect(code, server.err()).toBe(0);
      expect(ms).toBeLessThan(5_000);
      expect(server.err()).not.toContain("waiting for");
    } finally {
      release();
      if (server.child.exitCode === null) server.child.kill("SIGKILL");
    }
  }, 400_000);

  it("says which requests it waits for, and waits for them a bounded time", async () => {
    const server = await serve();
    const release = await browserLikeConnections(server.url);
    // A request whose body never finishes arriving: in flight until the grace period ends.
    const { hostname, port } = new URL(server.url);
    const slow = createConnection({ host: hostname, port: Number(port) });
    slow.on("error", () => undefined);
    await once(slow, "connect");
    slow.write(
      `POST /connect/some-link HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nenvironment=`,
    );
    // Logged as it arrives (the healthz request was the first).
    await waitFor(() => server.out().split('"incoming request"').length > 2, "two requests in the log", 60_000);
    try {
      const { code, ms } = await stop(server);
      expect(code, server.err()).toBe(0);
      expect(server.err()).toMatch(/waiting for 1 open request to finish \(at most 10 s/);
      // The grace period, not the minutes a stuck request or a browser would hold it.
      expect(ms).toBeGreaterThanOrEqual(9_000);
      expect(ms).toBeLessThan(20_000);
    } finally {
      release();
      slow.destroy();
      if (server.child.exitCode === null) server.child.kill("SIGKILL");
    }
  }, 400_000);
});
