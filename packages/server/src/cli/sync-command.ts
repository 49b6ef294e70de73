import { eq } from "drizzle-orm";
import { parseConfig } from "../config/config.ts";
import { findSyncTarget } from "../integrations/integration-store.ts";
import { createLogger } from "../log/logger.ts";
import { openPlatform } from "../platform/open-platform.ts";
import { connections } from "../store/schema.ts";
import { runObjectSync, type SyncProgress } from "../sync/run-object-sync.ts";
import type { CommandInput } from "./command-line.ts";
import { printSyncRun } from "./command-output.ts";
import { reachableServer } from "./local-server.ts";

/**
 * `forcelink sync CONNECTION OBJECT`: one sync run of an object in this process, with a progress
 * bar (records, rate, ETA) on a terminal. Exit 0 when it completed, 1 when it failed or paused,
 * 2 for a bad argument.
 */
export async function syncCommand(input: CommandInput): Promise<number> {
  const server = reachableServer();
  if (server) return (await import("./through-api.ts")).syncThroughApi(server, input);
  const [connectionId, object] = input.positionals;
  const config = parseConfig();
  const platform = await openPlatform(config, createLogger(config.logLevel === "info" ? "warn" : config.logLevel));
  try {
    const [conn] = await platform.db.select().from(connections).where(eq(connections.id, connectionId));
    if (!conn) {
      process.stderr.write(`No connection with id '${connectionId}'. List them with 'forcelink connections list'.\n`);
      return 2;
    }
    const target = await findSyncTarget(platform, conn.id, object);
    if (!target) {
      process.stderr.write(
        `No integration installed on ${conn.id} syncs '${object}'. Install one whose manifest lists it (POST /v1/connections/${conn.id}/integrations).\n`,
      );
      return 2;
    }
    const bar = progressBar(process.stderr);
    const outcome = await runObjectSync(
      platform,
      { ...target, object: target.spec.name },
      { trigger: "cli", onProgress: bar.update },
    );
    bar.done();
    if (outcome.status === "skipped") {
      process.stderr.write(`Not run: ${outcome.reason}.\n`);
      return 1;
    }
    const run = outcome.run;
    printSyncRun(run, input.flag("json"));
    return run.status === "completed" ? 0 : 1;
  } finally {
    await platform.close();
  }
}

/** `[########........]  45%  450,000 / 1,000,000 records  25,012/s  ETA 22 s`, redrawn in place on a terminal. */
export function progressBar(out: NodeJS.WriteStream) {
  const started = performance.now();
  let lastDraw = 0;
  let last: SyncProgress | null = null;
  const draw = (p: SyncProgress, final: boolean) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? p.read / seconds : 0;
    const total = p.expected && p.expected > 0 ? p.expected : null;
    const share = total ? Math.min(1, p.read / total) : 0;
    const width = 24;
    const filled = Math.round(share * width);
    const bar = total
      ? `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}%  `
      : "";
    const eta = total && rate > 0 && !final ? `  ETA ${Math.max(0, Math.ceil((total - p.read) / rate))} s` : "";
    const line = `${bar}${p.read.toLocaleString("en")}${total ? ` / ${total.toLocaleString("en")}` : ""} records  ${Math.round(rate).toLocaleString("en")}/s${eta}${p.mode ? `  (${p.mode})` : ""}`;
    if (out.isTTY) out.write(`\r${line}\u001b[K${final ? "\n" : ""}`);
    else if (final || performance.now() - lastDraw > 2000) {
      out.write(`${line}\n`);
      lastDraw = performance.now();
    }
  };
  return {
    update: (p: SyncProgress) => {
      last = p;
      draw(p, false);
    },
    done: () => {
      if (last) draw(last, true);
    },
  };
}
