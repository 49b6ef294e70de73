/*
 * Forcelink processes a test starts as child processes, to kill them like real ones: servers
 * for the refresh storm (storm-server.ts) and `forcelink worker`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const STORM_SERVER = fileURLToPath(new URL("./storm-server.ts", import.meta.url));
const CLI = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

/**
 * A child's environment: the test's own, less the shell's Forcelink settings (a public URL, a
 * database), which must not leak into servers and workers a test starts; then `env`.
 */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("FORCELINK_") && k !== "DATABASE_URL"),
  );
  return { ...inherited, ...env };
}

/** One Forcelink server running in its own Node process. */
export interface StormServer {
  name: string;
  url: string;
  pid: number;
  /** Moves this server's clock forward (the test clock it runs on). */
  advanceClock(ms: number): Promise<void>;
  /** What the process wrote to stdout and stderr, for diagnosing a failure. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `storm-server.ts` on Node (the running one) with `env`; resolves once it prints its URL. */
export function startStormServer(name: string, env: Record<string, string>, timeoutMs = 60_000): Promise<StormServer> {
  const child = spawn(process.execPath, [STORM_SERVER], {
    env: childEnv(env),
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const stormServer = (url: string): StormServer => ({
    name,
    url,
    pid: child.pid!,
    advanceClock: (ms) => advanceClock(child, ms),
    output: () => output,
    stop: async (graceMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      const ready = /^READY (\S+)$/m.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(stormServer(ready[1]));
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it was ready (code ${code}, signal ${signal}):\n${output}`));
    });
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

function advanceClock(child: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the server process did not confirm the clock change")), 10_000);
    const onMessage = (m: unknown) => {
      if ((m as { type?: string }).type !== "clock-advanced") return;
      clearTimeout(timer);
      child.off("message", onMessage);
      resolve();
    };
    child.on("message", onMessage);
    child.send({ type: "advance-clock", ms });
  });
}

/**
 * `forcelink worker` as a child process on `env`, to be killed like a real one; `output()` is its
 * stderr, and its log (stdout) too when WORKER_STDOUT is set (to diagnose a failing suite).
 */
export function startWorker(env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, [CLI, "worker"], {
    env: childEnv(env),
    stdio: ["ignore", process.env.WORKER_STDOUT ? "pipe" : "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  child.stdout?.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  let exited = false;
  const done = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  return {
    pid: child.pid!,
    done,
    exited: () => exited,
    output: () => stderr,
    kill: (signal: NodeJS.Signals = "SIGKILL") => {
      if (!exited) child.kill(signal);
    },
  };
}
