import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { Api } from "./bulk-harness.ts";
import { connectDemoApp, readBack, SEED, tempDataDir, type Written, writeSome } from "./support/persist-fixture.ts";

const BIN = fileURLToPath(new URL("../bin/forcelink-emulator.js", import.meta.url));

interface Child {
  process: ChildProcess;
  loginUrl: string;
  myDomainUrl: string;
  output: () => string;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Runs the `forcelink-emulator` bin on free ports and the given data directory, until it prints its URLs. */
async function runBin(dataDir: string): Promise<Child> {
  const seedPath = `${dataDir}.seed.json`;
  writeFileSync(seedPath, JSON.stringify(SEED));
  dirs.push(seedPath);
  const child = spawn(process.execPath, [BIN, "--port", "0", "--seed", seedPath, "--data-dir", dataDir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const urls = await new Promise<{ login: string; myDomain: string }>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the emulator exited (${code}) before it was ready:\n${out}`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const login = /login host \(login\.salesforce\.com\):\s+(\S+)/.exec(out)?.[1];
      const myDomain = /My Domain \/ instance URL:\s+(\S+)/.exec(out)?.[1];
      if (login && myDomain) resolve({ login, myDomain });
    });
  });
  return { process: child, loginUrl: urls.login, myDomainUrl: urls.myDomain, output: () => out };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

/** Everything in the data directory's journals and meta, as text: what a crash now would leave. */
function onDisk(dir: string): string {
  return readdirSync(dir)
    .filter((n) => n.startsWith("journal-") || n === "meta.json")
    .map((n) => readFileSync(join(dir, n), "latin1"))
    .join("\n");
}

async function untilOnDisk(dir: string, texts: string[]): Promise<void> {
  while (!texts.every((t) => onDisk(dir).includes(t))) await new Promise((r) => setTimeout(r, 50));
}

describe("the forcelink-emulator bin with --data-dir", () => {
  async function firstRun() {
    const dir = tempDataDir();
    dirs.push(dir);
    const child = await runBin(dir);
    expect(child.output()).toMatch(/Saving the org in .*: it survives a restart/);
    const connection = await connectDemoApp(child.loginUrl);
    const written = await writeSome(new Api(child.myDomainUrl, connection.accessToken));
    return { dir, child, connection, written };
  }

  async function expectSame(dir: string, connection: Awaited<ReturnType<typeof connectDemoApp>>, written: Written) {
    const again = await runBin(dir);
    expect(again.output()).toMatch(/Loaded the org saved in .* \(\d+ records\)/);
    expect(again.output()).toMatch(/The seed and --records were not applied/);
    const seen = await readBack(again.myDomainUrl, again.loginUrl, connection, written);
    expect(seen.accountStatus).toBe(200);
    expect(seen.account).toMatchObject({ Name: "Kept Across Restarts", NumberOfEmployees: 42 });
    expect(seen.binned).toEqual([expect.objectContaining({ Id: written.deletedId, IsDeleted: true })]);
    expect(seen.ingest).toMatchObject({ id: written.ingestJobId, state: "JobComplete", numberRecordsProcessed: 2 });
    expect(seen.ingestSuccesses).toEqual(["Bulk One", "Bulk Two"]);
    expect(seen.queryCsv).toBe(written.queryCsv);
    expect(seen.refreshStatus).toBe(200);
    expect(seen.withRenewed).toBe(200);
    again.process.kill("SIGTERM");
    await exited(again.process);
  }

  it("SIGTERM writes what is pending: everything written up to the signal is there after a restart", async () => {
    const { dir, child, connection, written } = await firstRun();
    child.process.kill("SIGTERM");
    await exited(child.process);
    expect(child.process.exitCode).toBe(0);
    await expectSame(dir, connection, written);
  });

  it("kill -9 loses only what was not flushed yet: the org, its jobs and the connection load", async () => {
    const { dir, child, connection, written } = await firstRun();
    // Flushes happen twice a second; wait until this run's writes are on disk, then crash.
    await untilOnDisk(dir, [
      written.accountId,
      written.deletedId,
      '"outcomes":[{"ok":true', // the ingest job, processed
      '"snapshot":{"columns":["Id","Name"]', // the query job, completed
      connection.accessToken,
      connection.refreshToken,
    ]);
    child.process.kill("SIGKILL");
    await exited(child.process);
    await expectSame(dir, connection, written);
  });
});
