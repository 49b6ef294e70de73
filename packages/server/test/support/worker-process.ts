import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

/** `forcelink worker` as a child process on `env`, to be killed like a real one. */
export function startWorker(env: Record<string, string>) {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("FORCELINK_") && k !== "DATABASE_URL"),
  );
  const child: ChildProcess = spawn(process.execPath, [CLI, "worker"], {
    env: { ...inherited, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (c: string) => {
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
    done,
    exited: () => exited,
    output: () => stderr,
    kill: (signal: NodeJS.Signals = "SIGKILL") => {
      if (!exited) child.kill(signal);
    },
  };
}

export async function waitUntil(probe: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms`);
    await sleep(200);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
