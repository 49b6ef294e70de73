import { setTimeout as delay } from "node:timers/promises";
import { backoffDelay } from "@forcelink/salesforce";
import { findConnection } from "../connections/connection-store.ts";
import { enqueueWrite } from "../jobs/write-queue.ts";
import type { Platform } from "../platform/platform.ts";
import { tryLock, trySlot } from "../sync/sync-lock.ts";
import { quotaExhausted } from "../sync/sync-plan.ts";
import { bulkPass } from "./write-bulk.ts";
import { sendRecords } from "./write-calls.ts";
import { failWrite, finishWrite, pauseWrite } from "./write-outcome.ts";
import { callFailureOutcome, planWrite, retryChunkSize, retryOrder } from "./write-plan.ts";
import { neverSentCount, pendingRecords, pendingSummary, takePending, takeRecords } from "./write-records.ts";
import { reconcileSending, settleInFlightCalls } from "./write-recovery.ts";
import {
  callFailureOf,
  classified,
  operationOf,
  QuotaPause,
  type WriteRow,
  type WriteRun,
  WriteStopped,
} from "./write-run.ts";
import { loadWrite, updateWrite } from "./write-store.ts";

/** Statuses a runner picks up: a write received whole and not finished. */
const RUNNABLE = new Set(["queued", "running", "paused"]);
/** How long a write waits when its connection already runs as many writes as it may. */
const SLOT_WAIT_MS = 5_000;
/** The longest wait between two passes of a write. */
const MAX_PASS_DELAY_MS = 30_000;
/** Records a retry pass reads from the store at once (and orders by parent). */
const RETRY_PAGE = 2_000;

/**
 * Executes a write: the one entry the route (small writes, in the request), the job worker, the
 * command line and recovery call. One runner per write across every process (an advisory lock),
 * a few per connection. Records left `sending` by a runner that died are settled first; then the
 * never-sent records go out by the planned path (collections, composite or Bulk), and records
 * refused with a retryable error go again, in smaller serial batches grouped by parent, with
 * backoff between passes. Returns when the write completed, failed, paused, or was handed back to
 * the queue; the write's row says which.
 */
export async function runWrite(platform: Platform, writeId: string, options: { signal?: AbortSignal } = {}) {
  const first = await loadWrite(platform, writeId);
  if (!first || !RUNNABLE.has(first.status)) return;
  const lock = await tryLock(platform.database, `write:${writeId}`);
  if (!lock) return;
  try {
    const settings = platform.config.writes;
    const slot = await trySlot(
      platform.database,
      `write-connection:${first.connectionId}`,
      settings.perConnectionConcurrency,
    );
    if (!slot) {
      await updateWrite(platform, writeId, { status: "queued" });
      await enqueueWrite(platform, writeId, new Date(platform.clock.nowMs() + SLOT_WAIT_MS));
      return;
    }
    try {
      // Read again under the lock: another runner may have finished it meanwhile.
      const write = await loadWrite(platform, writeId);
      if (write && RUNNABLE.has(write.status)) await execute(platform, write, options.signal);
    } finally {
      await slot.release();
    }
  } finally {
    await lock.release();
  }
}

/**
 * A runner's state for a write: its connection's client (each answer counted, the quota read).
 * A write whose connection is gone or needs to be connected again fails instead (undefined).
 */
export async function openRun(
  platform: Platform,
  write: WriteRow,
  signal?: AbortSignal,
): Promise<WriteRun | undefined> {
  const conn = await findConnection(platform, write.projectId, write.connectionId);
  if (!conn || conn.status === "needs_reauth") {
    const message = conn
      ? "The connection needs to be connected again: its grant was refused. Records not sent stay pending."
      : "The connection no longer exists.";
    await settleInFlightCalls(platform, write);
    await failWrite(platform, write, { code: "connection_unusable", message });
    return undefined;
  }
  const run: WriteRun = {
    platform,
    write,
    settings: platform.config.writes,
    calls: 0,
    counted: 0,
    bulkFailures: 0,
    usage: null,
    signal,
    client: undefined as unknown as WriteRun["client"],
  };
  run.client = await platform.tokens.jobClient(conn, (used, max) => {
    run.calls++;
    run.usage = { used, max };
  });
  return run;
}

async function execute(platform: Platform, write: WriteRow, signal: AbortSignal | undefined): Promise<void> {
  const settings = platform.config.writes;
  const plan = planWrite({
    operation: operationOf(write),
    total: write.total,
    allOrNone: write.allOrNone,
    syncMax: 0,
    bulkThreshold: settings.bulkThreshold,
  });
  if (!plan.ok) {
    await failWrite(platform, write, { code: plan.code, message: plan.message });
    return;
  }
  const run = await openRun(platform, write, signal);
  if (!run) return;
  // Records are taken (`sending`) only by a run, and a run starts the write first: a write never
  // started holds every record pending and never sent, so nothing needs reading back or counting.
  const fresh = write.startedAt === null;
  run.write =
    (await updateWrite(platform, write.id, {
      status: "running",
      path: write.path ?? plan.path,
      startedAt: write.startedAt ?? platform.clock.now(),
      error: null,
    })) ?? write;
  try {
    if (!fresh) await reconcileSending(run, { wait: true });
    await passes(run, fresh ? write.total : undefined);
    await finishWrite(run);
  } catch (error) {
    if (error instanceof QuotaPause) return pauseWrite(run, error);
    if (error instanceof WriteStopped) return failWrite(platform, run.write, error.cause, run);
    if (signal?.aborted) {
      // Stopped by the process (shutdown): queued again; records in flight are settled when it resumes.
      await updateWrite(platform, write.id, { status: "queued" });
      await enqueueWrite(platform, write.id).catch(() => undefined);
      return;
    }
    throw error;
  }
}

/**
 * Passes until no record is pending: never-sent records by the plan, then retries. `neverSent`:
 * how many records a write never started holds (all of them), known without counting.
 */
async function passes(run: WriteRun, neverSent?: number): Promise<void> {
  for (let pass = 0; ; pass++) {
    const known = pass === 0 && neverSent !== undefined;
    const { count, minAttempts } = known
      ? { count: neverSent, minAttempts: 0 }
      : await pendingSummary(run.platform, run.write.id);
    if (count === 0) return;
    checkGoOn(run);
    if (minAttempts === 0) {
      await firstPass(run, known ? neverSent : undefined);
      continue;
    }
    await delay(
      backoffDelay(pass, { baseDelayMs: run.settings.retryBaseMs, maxDelayMs: MAX_PASS_DELAY_MS }, Math.random),
      undefined,
      { signal: run.signal },
    );
    await retryPass(run, minAttempts);
  }
}

/** The records never sent, by the path the planner picks for how many there are (`left`, when known). */
async function firstPass(run: WriteRun, neverSent?: number): Promise<void> {
  const left = neverSent ?? (await neverSentCount(run.platform, run.write.id));
  const plan = planWrite({
    operation: operationOf(run.write),
    total: left,
    allOrNone: run.write.allOrNone,
    syncMax: 0,
    bulkThreshold: run.settings.bulkThreshold,
  });
  if (!plan.ok) throw new WriteStopped(new Error(plan.message));
  if (plan.path === "bulk") return bulkPass(run).catch((error: unknown) => bulkPassFailed(run, error));
  for (;;) {
    checkGoOn(run);
    const chunk = await takePending(run.platform, run.write.id, { limit: plan.recordsPerCall, neverSent: true });
    if (chunk.length === 0) return;
    await sendRecords(run, chunk);
  }
}

/**
 * A Bulk pass that stopped without results (a failed upload, a lost answer, Salesforce unavailable).
 * Its jobs are read back, so what they wrote is known (an upload that failed left its job aborted,
 * nothing of it processed), and the records left go in a new job after a backoff; a refusal of the
 * request itself stops the write, the quota pauses it.
 */
async function bulkPassFailed(run: WriteRun, error: unknown): Promise<void> {
  if (error instanceof WriteStopped || error instanceof QuotaPause) throw error;
  if (error instanceof TypeError || error instanceof RangeError) throw new WriteStopped(error);
  const failure = classified(error);
  if (!failure || run.signal?.aborted) throw error;
  run.platform.logger.warn({ err: error, writeId: run.write.id }, "Bulk pass failed; reading its jobs back");
  // What the pass's jobs did is settled whatever comes next; if Salesforce cannot tell now, the
  // records stay with their job for the write's next run.
  await reconcileSending(run, { wait: true }).catch((err: unknown) =>
    run.platform.logger.warn({ err, writeId: run.write.id }, "could not read the failed Bulk pass's jobs back"),
  );
  const outcome = callFailureOutcome(operationOf(run.write), callFailureOf(failure));
  if (outcome === "pause") throw new QuotaPause(run.usage?.used ?? 0, run.usage?.max ?? 0);
  if (outcome === "stop" || ++run.bulkFailures >= run.settings.maxPasses) throw new WriteStopped(error);
  await delay(
    backoffDelay(
      run.bulkFailures,
      { baseDelayMs: run.settings.retryBaseMs, maxDelayMs: MAX_PASS_DELAY_MS },
      Math.random,
    ),
    undefined,
    { signal: run.signal },
  );
}

/**
 * Records refused with a retryable error (a locked row), again: one parent's children together,
 * in serial calls that carry fewer records each pass (200, 50, 10, 1). An all-or-none write goes
 * again whole, as one transaction.
 */
async function retryPass(run: WriteRun, minAttempts: number): Promise<void> {
  if (run.write.allOrNone) {
    await sendRecords(run, await takePending(run.platform, run.write.id, { limit: 1_000 }));
    return;
  }
  const size = retryChunkSize(minAttempts);
  for (let after = -1; ; ) {
    const page = await pendingRecords(run.platform, run.write.id, { afterIdx: after, limit: RETRY_PAGE });
    if (page.length === 0) return;
    after = page[page.length - 1].idx;
    const ordered = retryOrder(page);
    for (let i = 0; i < ordered.length; i += size) {
      checkGoOn(run);
      const idxs = ordered.slice(i, i + size).map((r) => r.idx);
      await sendRecords(run, await takeRecords(run.platform, run.write.id, idxs));
    }
  }
}

/** Between calls: the process stopping, or the org's daily quota used up to the write's share. */
function checkGoOn(run: WriteRun): void {
  run.signal?.throwIfAborted();
  if (run.usage && quotaExhausted(run.usage.used, run.usage.max, run.settings.quotaShare))
    throw new QuotaPause(run.usage.used, run.usage.max);
}
