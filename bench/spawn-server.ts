import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { NODE_MEMORY_FLAGS } from "../packages/server/src/cli/node-flags.ts";

const CLI = new URL("../packages/server/src/cli/main.ts", import.meta.url).pathname;

export interface SpawnedServer {
  child: ChildProcess;
  url: string;
  apiKey: string;
  stop(): Promise<void>;
}

export interface SpawnServerOptions {
  /**
   * Added to the server's environment (after the defaults below), e.g. DATABASE_URL for PostgreSQL. On PostgreSQL the
   * server makes no first key, so `forcelink keys create` makes one before it starts.
   */
  env?: Record<string, string>;
  /** Node options before the CLI, e.g. --cpu-prof. */
  nodeArgs?: string[];
}

/** `forcelink serve` in its own process, embedded storage in a fresh directory, pointed at an emulator. */
export async function spawnServer(
  salesforce: {
    login: string;
    test: string;
    myDomain: string;
  },
  options: SpawnServerOptions = {},
): Promise<SpawnedServer> {
  const env = {
    ...process.env,
    FORCELINK_DATA_DIR: mkdtempSync(join(tmpdir(), "forcelink-bench-")),
    FORCELINK_PORT: "0",
    FORCELINK_LOG_LEVEL: "warn",
    FORCELINK_SALESFORCE_LOGIN_URL: salesforce.login,
    FORCELINK_SALESFORCE_SANDBOX_URL: salesforce.test,
    FORCELINK_SALESFORCE_MYDOMAIN_URL: salesforce.myDomain,
    ...options.env,
  };
  let out = "";
  if (options.env?.DATABASE_URL) {
    const created = await promisify(execFile)(process.execPath, [CLI, "keys", "create", "--name", "bench"], { env });
    out = created.stdout;
  }
  // The memory settings the product runs with; options.nodeArgs come after, so they win.
  const child = spawn(process.execPath, [...NODE_MEMORY_FLAGS, ...(options.nodeArgs ?? []), CLI, "serve"], {
    stdio: ["ignore", "pipe", "inherit"],
    env,
  });
  const ready = await new Promise<{ url: string; apiKey: string }>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const url = /listening on (\S+)/.exec(out)?.[1];
      const apiKey = /(fl_sk_\S+)/.exec(out)?.[1];
      if (url && apiKey) resolve({ url, apiKey });
    });
  });
  return {
    child,
    ...ready,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
