import { createReadStream } from "node:fs";
import { resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { eq } from "drizzle-orm";
import { parseConfig } from "../config/config.ts";
import { writeRule } from "../integrations/write-allowed.ts";
import { createLogger } from "../log/logger.ts";
import { openPlatform } from "../platform/open-platform.ts";
import type { Platform } from "../platform/platform.ts";
import { connections } from "../store/schema.ts";
import { runWrite } from "../writes/write-executor.ts";
import { checkSpec, csvWriteRecords, ndjsonRecords, type WriteSpec } from "../writes/write-input.ts";
import { receiveWrite } from "../writes/write-intake.ts";
import { isFinished, loadWrite, type WriteRow } from "../writes/write-store.ts";
import { writeViewOf } from "../writes/write-views.ts";
import { EXIT } from "./command-line.ts";
import { stopSignal } from "./stop-signal.ts";
import type { WriteFileRequest } from "./write-command.ts";
import { failedRowsPath, inputColumns, writeFailedRows } from "./write-failed-rows.ts";

/**
 * The work of `forcelink write` once its arguments are checked (write-command.ts): the file's
 * records streamed through the same intake as `POST /v1/connections/{id}/writes`, run by the one
 * executor with a progress bar, then the summary and FILE.failed.csv. Loaded only then, since
 * opening the store takes most of a command's start.
 */

/** How often the progress bar reads the write's counts. */
const POLL_MS = 250;
/** How long to wait before running a write again that another runner holds. */
const HELD_WAIT_MS = 1000;

export async function writeFile(request: WriteFileRequest): Promise<number> {
  const { connectionId, object, file, format } = request;
  const spec: WriteSpec = {
    object,
    operation: request.operation as WriteSpec["operation"],
    externalIdField: request.externalIdField ?? null,
    allOrNone: request.allOrNone,
  };
  // Settings no record can fix are refused before the store is opened.
  checkSpec(spec);
  const config = parseConfig();
  const platform = await openPlatform(config, createLogger(config.logLevel === "info" ? "warn" : config.logLevel));
  try {
    const [conn] = await platform.db.select().from(connections).where(eq(connections.id, connectionId));
    if (!conn) {
      process.stderr.write(
        `forcelink write: No connection with id '${connectionId}'. List them with 'forcelink connections list'.\n`,
      );
      return EXIT.usage;
    }
    const allowed = await writeRule(platform, conn.id, {
      object,
      operation: spec.operation,
      ...(spec.externalIdField ? { externalIdField: spec.externalIdField } : {}),
    });
    const source = createReadStream(file);
    const records = format === "csv" ? csvWriteRecords(source) : ndjsonRecords(source);
    const { write } = await receiveWrite(
      platform,
      { projectId: conn.projectId, connectionId: conn.id, spec, allowed },
      records,
    );
    const started = performance.now();
    const done = await execute(platform, write.id, progress(process.stderr));
    return await report(platform, done, {
      file,
      format,
      json: request.json,
      seconds: (performance.now() - started) / 1000,
    });
  } finally {
    await platform.close();
  }
}

/**
 * Runs the write to its end in this process. A write another runner holds, or one waiting for a
 * slot of its connection, is tried again shortly; a paused one (the org's daily quota) is left to
 * Forcelink's workers, as is one stopped with Ctrl+C.
 */
async function execute(platform: Platform, writeId: string, bar: Progress): Promise<WriteRow> {
  const stop = new AbortController();
  void stopSignal().then(() => stop.abort());
  let polling: Promise<void> = Promise.resolve();
  const ticker = setInterval(() => {
    polling = polling.then(async () => {
      const seen = await loadWrite(platform, writeId);
      if (seen) bar.update(seen);
    });
  }, POLL_MS);
  try {
    for (;;) {
      await runWrite(platform, writeId, { signal: stop.signal });
      const now = await loadWrite(platform, writeId);
      if (!now) throw new Error(`write ${writeId} is gone`);
      if (isFinished(now) || now.status === "paused" || stop.signal.aborted) {
        bar.done(now);
        return now;
      }
      bar.update(now);
      await delay(HELD_WAIT_MS);
    }
  } finally {
    clearInterval(ticker);
    await polling.catch(() => undefined);
  }
}

interface Progress {
  update(write: WriteRow): void;
  done(write: WriteRow): void;
}

/** `[#######.........]  45%  450 / 1,000 records  440 ok  10 failed  1,234/s  ETA 1 s  (composite)`. */
function progress(out: NodeJS.WriteStream): Progress {
  const started = performance.now();
  let lastLine = 0;
  const line = (w: WriteRow, final: boolean) => {
    const settled = w.succeeded + w.failed + w.unknown;
    const share = w.total > 0 ? Math.min(1, settled / w.total) : 0;
    const width = 24;
    const filled = Math.round(share * width);
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? settled / seconds : 0;
    const eta = !final && rate > 0 ? `  ETA ${Math.ceil((w.total - settled) / rate)} s` : "";
    const n = (x: number) => x.toLocaleString("en");
    const problems = `${w.failed > 0 ? `  ${n(w.failed)} failed` : ""}${w.unknown > 0 ? `  ${n(w.unknown)} unknown` : ""}`;
    return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}%  ${n(settled)} / ${n(w.total)} records  ${n(w.succeeded)} ok${problems}  ${n(Math.round(rate))}/s${eta}${w.path ? `  (${w.path})` : ""}`;
  };
  const draw = (w: WriteRow, final: boolean) => {
    if (out.isTTY) out.write(`\r${line(w, final)}\u001b[K${final ? "\n" : ""}`);
    else if (final || performance.now() - lastLine > 2000) {
      out.write(`${line(w, final)}\n`);
      lastLine = performance.now();
    }
  };
  return { update: (w) => draw(w, false), done: (w) => draw(w, true) };
}

/**
 * The summary (or the write as the API shows it, with --json), and the failed rows beside the
 * input. Exit 0 when every record succeeded, 1 otherwise.
 */
async function report(
  platform: Platform,
  write: WriteRow,
  options: { file: string; format: WriteFileRequest["format"]; json: boolean; seconds: number },
): Promise<number> {
  const path = resolve(failedRowsPath(options.file));
  const unsettled = write.failed + write.unknown;
  const failedRows =
    unsettled > 0
      ? await writeFailedRows(platform, write.id, path, await inputColumns(options.file, options.format))
      : 0;
  if (options.json) {
    console.log(
      JSON.stringify(
        { ...writeViewOf(write, platform.config.writes.retentionMs), ...(failedRows > 0 ? { failedRows: path } : {}) },
        null,
        2,
      ),
    );
  } else {
    const calls = `${write.apiCalls} API call${write.apiCalls === 1 ? "" : "s"}`;
    const through = write.path ? ` through ${write.path}` : "";
    console.log(
      `${write.status.toUpperCase()} ${write.operation} of ${write.total} ${write.object} records: ${write.succeeded} succeeded, ${write.failed} failed, ${write.unknown} unknown in ${options.seconds.toFixed(1)} s${through}, ${calls} (write ${write.id})`,
    );
    const error = write.error as { message?: string; remedy?: string } | null;
    if (error?.message) console.log(`  ${error.message}${error.remedy ? ` ${error.remedy}` : ""}`);
    if (write.status === "paused" || !isFinished(write))
      console.log("  Not finished: Forcelink's workers (forcelink serve or forcelink worker) carry it on.");
    if (failedRows > 0) console.log(`  ${failedRows} row${failedRows === 1 ? "" : "s"} not written: ${path}`);
  }
  return write.status === "completed" && unsettled === 0 ? EXIT.ok : EXIT.failed;
}
