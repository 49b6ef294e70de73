import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { NODE_MEMORY_FLAGS } from "../packages/server/src/cli/node-flags.ts";
import { cpuSecondsOf, currentRssMb, exited, peakRssMb, round } from "./bench-support.ts";

const ROOT = new URL("../", import.meta.url).pathname;
/** `npm start`'s command as package.json has it, its leading `node` this process's node. */
const START = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { scripts: { start: string } }
).scripts.start;
/**
 * How long a started process is left alone before its resident memory is read: once at 5 s, and at 15 s, once V8's
 * memory reducer has collected (10 s or so after start-up) what start-up left behind. The later figure is "idle".
 */
const EARLY_MS = 5_000;
const SETTLE_MS = 15_000;

/** A port nobody listens on now (and, for the emulator, the two after it). */
async function freePorts(count: number): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const ok = await Promise.all(
      Array.from(
        { length: count },
        (_, i) =>
          new Promise<boolean>((resolve) => {
            const s = createServer();
            s.once("error", () => resolve(false));
            s.listen(base + i, "127.0.0.1", () => s.close(() => resolve(true)));
          }),
      ),
    );
    if (ok.every(Boolean)) return base;
  }
}

export interface StartFigures {
  /** Spawn to the first 200 from GET `readyPath`. */
  firstAnswerMs: number;
  /** Spawn to the last line the command prints once set up (for `npm start`: "Press Ctrl+C to stop."). */
  readyMs: number;
  /** CPU seconds the process used up to ready: what the start costs, less sensitive to a busy machine than time. */
  cpuSecondsToReady: number;
  /** VmRSS 5 s after ready. */
  rssAt5sMB: number;
  /** VmRSS 15 s after ready. */
  idleRssMB: number;
  peakRssMB: number;
}

/** Spawns `args`, polls `url` every 25 ms, waits for `readyLine` on stdout, lets it settle, reads /proc, stops it. */
async function measureStart(args: string[], env: NodeJS.ProcessEnv, url: string, readyLine: string) {
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, { env, cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let readyMs = 0;
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    if (!readyMs && out.includes(readyLine)) readyMs = performance.now() - started;
  });
  child.stderr!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  try {
    let firstAnswerMs = 0;
    while (!firstAnswerMs || !readyMs) {
      if (exited(child)) throw new Error(`${args.join(" ")} exited early:\n${out}`);
      if (performance.now() - started > 120_000) throw new Error(`not ready after 120 s:\n${out}`);
      if (!firstAnswerMs) {
        const res = await fetch(url).catch(() => undefined);
        if (res?.status === 200) firstAnswerMs = performance.now() - started;
        await res?.body?.cancel();
      }
      await sleep(25);
    }
    const cpuSecondsToReady = round(cpuSecondsOf(child.pid!));
    await sleep(EARLY_MS);
    const rssAt5sMB = currentRssMb(child.pid!);
    await sleep(SETTLE_MS - EARLY_MS);
    return {
      firstAnswerMs: Math.round(firstAnswerMs),
      readyMs: Math.round(readyMs),
      cpuSecondsToReady,
      rssAt5sMB,
      idleRssMB: currentRssMb(child.pid!),
      peakRssMB: peakRssMb(child.pid!),
    } satisfies StartFigures;
  } finally {
    if (!exited(child)) {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await gone;
    }
  }
}

/** A bare node:http server answering 200: the floor any Node process with a listening socket starts from. */
const BARE_SERVER = `require("node:http").createServer((q, s) => s.end("{}")).listen(Number(process.env.PORT), "127.0.0.1", () => console.log("listening"));`;

/**
 * `npm start`'s command (server and emulator in one process) on a fresh data directory, then started again on the
 * same directory, beside a bare node:http process with the same V8 flags, in one run.
 */
export async function demoBench() {
  const dataDir = mkdtempSync(join(tmpdir(), "forcelink-bench-demo-"));
  try {
    const env = { ...process.env, FORCELINK_DATA_DIR: dataDir, FORCELINK_LOG_LEVEL: "warn" };
    const start = async () => {
      const port = await freePorts(1);
      const emulatorPort = await freePorts(3);
      const args = [...START.split(/\s+/).slice(1), "--port", String(port), "--emulator-port", String(emulatorPort)];
      return measureStart(args, env, `http://127.0.0.1:${port}/healthz`, "Press Ctrl+C to stop.");
    };
    const fresh = await start();
    const warm = await start();
    const barePort = await freePorts(1);
    const baseline = await measureStart(
      [...NODE_MEMORY_FLAGS, "-e", BARE_SERVER],
      { ...process.env, PORT: String(barePort) },
      `http://127.0.0.1:${barePort}/`,
      "listening",
    );
    const within = (s: StartFigures) => s.idleRssMB <= 300 && s.readyMs < 10_000;
    return {
      name: "demo.footprint",
      command: START,
      settleSeconds: SETTLE_MS / 1000,
      baseline: { name: "a bare node:http server, same V8 flags", ...baseline },
      fresh: { name: "first start, new data directory (database and org created)", ...fresh },
      warm: { name: "second start, same data directory", ...warm },
      rssOverBaselineMB: { fresh: fresh.idleRssMB - baseline.idleRssMB, warm: warm.idleRssMB - baseline.idleRssMB },
      readySeconds: { fresh: round(fresh.readyMs / 1000), warm: round(warm.readyMs / 1000) },
      target: {
        idleRssMBAtMost: 300,
        readyMsBelow: 10_000,
        metFresh: within(fresh),
        metWarm: within(warm),
        met: within(fresh) && within(warm),
      },
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
