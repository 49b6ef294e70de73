import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SpawnedEmulator {
  child: ChildProcess;
  loginUrl: string;
  myDomainUrl: string;
  stop(): Promise<void>;
}

const CLI = new URL("../packages/server/src/cli/main.ts", import.meta.url).pathname;

/**
 * Runs `forcelink emulator` in its own process (so client and server don't share a core's event
 * loop), with `extraArgs` after the seed (`--data-dir DIR`). Resolves once it prints its URLs.
 */
export async function spawnEmulator(seed: unknown, extraArgs: string[] = []): Promise<SpawnedEmulator> {
  const seedPath = join(tmpdir(), `forcelink-bench-seed-${process.pid}.json`);
  writeFileSync(seedPath, JSON.stringify(seed));
  const child = spawn(
    process.execPath,
    // A young generation of 16 MB, as npm start runs its processes: left to itself V8 grows it to
    // 128 MB while a million records are made, and keeps it.
    [
      "--max-old-space-size=4096",
      "--max-semi-space-size=16",
      // BENCH_EMULATOR_NODE_ARGS: node options for the emulator, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
      ...(process.env.BENCH_EMULATOR_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
      CLI,
      "emulator",
      "--port",
      "0",
      "--seed",
      seedPath,
      ...extraArgs,
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  const urls = await new Promise<{ login: string; myDomain: string }>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`emulator exited with ${code} before it was ready:\n${out}`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const login = /login host \(login\.salesforce\.com\):\s+(\S+)/.exec(out)?.[1];
      const myDomain = /My Domain \/ instance URL:\s+(\S+)/.exec(out)?.[1];
      if (login && myDomain) resolve({ login, myDomain });
    });
  });
  return {
    child,
    loginUrl: urls.login,
    myDomainUrl: urls.myDomain,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export interface EmulatorProcess {
  rssMB: number;
  peakRssMB: number;
  cpuSeconds: number;
}

/** The emulator process's RSS (now and peak) and CPU seconds used so far. */
export async function processOf(emulator: SpawnedEmulator): Promise<EmulatorProcess> {
  const m = (await (await fetch(`${emulator.loginUrl}/__emulator/process`)).json()) as {
    peakRssBytes: number;
    rssBytes: number;
    cpuSeconds: number;
  };
  return {
    rssMB: Math.round(m.rssBytes / 1e6),
    peakRssMB: Math.round(m.peakRssBytes / 1e6),
    cpuSeconds: Number(m.cpuSeconds.toFixed(1)),
  };
}

export async function passwordLogin(emulator: SpawnedEmulator): Promise<string> {
  const info = (await (await fetch(`${emulator.loginUrl}/__emulator/info`)).json()) as {
    apps: Array<{ clientId: string; clientSecret: string }>;
    users: Array<{ username: string; password: string }>;
  };
  const form = new URLSearchParams({
    grant_type: "password",
    client_id: info.apps[0].clientId,
    client_secret: info.apps[0].clientSecret,
    username: info.users[0].username,
    password: info.users[0].password,
  });
  const res = await fetch(`${emulator.loginUrl}/services/oauth2/token`, { method: "POST", body: form });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}
