import type { ReauthReason } from "@forcelink/salesforce";
import { eq } from "drizzle-orm";
import type { Job, PgBoss } from "pg-boss";
import type { ConnectionRow } from "../connections/connection-store.ts";
import { createNotifyingQueue, DAILY_BACKSTOP_SECONDS } from "../jobs/job-queue.ts";
import type { Platform } from "../platform/platform.ts";
import { connections } from "../store/schema.ts";
import { emitEvent } from "../webhooks/emit.ts";
import { type ConnectionChecklistRun, latestChecklistRun, runConnectionChecklist } from "./connection-checklist.ts";

/** The daily tick: pg-boss's cron sends one job here a day, whose worker queues one job per connection. */
export const CHECKLIST_DAILY_QUEUE = "checklist-daily";
/** One job per active connection: run its checklist and tell the builder when a check starts failing. */
export const CHECKLIST_CONNECTION_QUEUE = "checklist-connection";
export const DEFAULT_CHECKLIST_CRON = "0 3 * * *";

const BATCH_SIZE = 5;
/** A run makes a handful of API calls; this leaves room for a slow org before pg-boss retries the job. */
const JOB_EXPIRE_SECONDS = 300;

/** What a run's outcome is, for comparing one run with the next. */
export interface ChecklistOutcome {
  passed: boolean;
  /** Ids of the checks whose verdict is "fail". */
  failing: string[];
}

export interface ChecklistTransition {
  notify: boolean;
  /** Checks failing now that did not fail in the previous run. */
  newlyFailing: string[];
}

/**
 * Whether a run is news to the builder: it is when a check fails now that did not fail in the run
 * before (a passing run turning into a failing one, or one more check failing). A check still
 * failing from the run before is not announced again; a check that recovers and later fails again
 * is. With no run before, every failing check is new: the connection was working when it was made.
 */
export function checklistTransition(previous: ChecklistOutcome | null, current: ChecklistOutcome): ChecklistTransition {
  const before = new Set(previous?.failing ?? []);
  const newlyFailing = current.failing.filter((id) => !before.has(id));
  return { notify: newlyFailing.length > 0, newlyFailing };
}

export function outcomeOf(run: ConnectionChecklistRun): ChecklistOutcome {
  return { passed: run.passed, failing: run.checks.filter((c) => c.verdict === "fail").map((c) => c.id) };
}

export type DailyChecklistResult =
  | { connectionId: string; status: "ran"; runId: string; passed: boolean; notified: boolean }
  | { connectionId: string; status: "skipped"; reason: "gone" | "needs_reauth" }
  | { connectionId: string; status: "error"; error: string };

/**
 * Runs the checklist of one connection and, when a check starts failing, emits
 * `connection.checklist_failed`. Connections gone, not active or needing re-auth are skipped.
 */
export async function runDailyChecklistFor(platform: Platform, connectionId: string): Promise<DailyChecklistResult> {
  const [row] = await platform.db.select().from(connections).where(eq(connections.id, connectionId));
  if (!row) return { connectionId, status: "skipped", reason: "gone" };
  if (row.status !== "active" || (row.reauth as ReauthReason | null))
    return { connectionId, status: "skipped", reason: "needs_reauth" };
  const previous = await latestChecklistRun(platform, row.projectId, row.id);
  const run = await runConnectionChecklist(platform, row);
  const transition = checklistTransition(previous ? outcomeOf(previous) : null, outcomeOf(run));
  if (transition.notify) await announceFailure(platform, row, run, transition.newlyFailing);
  return { connectionId, status: "ran", runId: run.id, passed: run.passed, notified: transition.notify };
}

async function announceFailure(
  platform: Platform,
  row: ConnectionRow,
  run: ConnectionChecklistRun,
  newlyFailing: string[],
): Promise<void> {
  const isNew = new Set(newlyFailing);
  await emitEvent(platform, row.projectId, "connection.checklist_failed", {
    connectionId: row.id,
    endUserId: row.endUserId,
    runId: run.id,
    ranAt: run.ranAt,
    // Every failing check, each saying whether it failed for the first time in this run; remedies
    // are the customer admin's steps (profile, app and field names), never secrets.
    failing: run.checks
      .filter((c) => c.verdict === "fail")
      .map((c) => ({ id: c.id, title: c.title, new: isNew.has(c.id), remedy: c.remedy ?? [] })),
  });
}

/** Ids of every active connection of every project (those carrying a re-auth reason are skipped later). */
async function activeConnectionIds(platform: Platform): Promise<string[]> {
  const rows = await platform.db
    .select({ id: connections.id })
    .from(connections)
    .where(eq(connections.status, "active"));
  return rows.map((r) => r.id);
}

/**
 * The on-demand sweep: runs the checklist of every active connection in this process, one after
 * the other, and answers what happened to each. A connection's failure does not stop the sweep.
 */
export async function runDailyChecklists(platform: Platform): Promise<DailyChecklistResult[]> {
  const results: DailyChecklistResult[] = [];
  for (const id of await activeConnectionIds(platform)) results.push(await runOneSafely(platform, id));
  return results;
}

async function runOneSafely(platform: Platform, connectionId: string): Promise<DailyChecklistResult> {
  try {
    return await runDailyChecklistFor(platform, connectionId);
  } catch (err) {
    platform.logger.warn({ err, connectionId }, "daily checklist run failed");
    return { connectionId, status: "error", error: err instanceof Error ? err.message : String(err) };
  }
}

/** Queues one checklist job per active connection; answers how many. */
export async function enqueueDailyChecklists(platform: Platform): Promise<number> {
  const ids = await activeConnectionIds(platform);
  if (ids.length === 0) return 0;
  await platform.boss.insert(
    CHECKLIST_CONNECTION_QUEUE,
    ids.map((connectionId) => ({
      data: { connectionId } satisfies ConnectionJob,
      // Failures are logged, not retried: tomorrow's run tries again.
      retryLimit: 0,
      expireInSeconds: JOB_EXPIRE_SECONDS,
    })),
  );
  return ids.length;
}

interface ConnectionJob {
  connectionId: string;
}

/** The checklist's queues; `openPlatform` creates them once when the process starts. */
export async function createChecklistQueues(boss: PgBoss): Promise<void> {
  await createNotifyingQueue(boss, CHECKLIST_DAILY_QUEUE);
  await createNotifyingQueue(boss, CHECKLIST_CONNECTION_QUEUE);
}

/**
 * Schedules the daily checklist (config `checklistCron`, FORCELINK_CHECKLIST_CRON, UTC) and starts
 * its workers in this process; the process's composition (serve, worker) calls it once. Every
 * process may: the schedule is one row, and pg-boss hands each job to one worker.
 */
export async function startDailyChecklist(platform: Platform): Promise<void> {
  const { boss, logger } = platform;
  const cron = platform.config.checklistCron ?? DEFAULT_CHECKLIST_CRON;
  // A server down at the hour runs the missed sweep once when it is back.
  await boss.schedule(CHECKLIST_DAILY_QUEUE, cron, null, { tz: "UTC", missed: "once", retryLimit: 2 });
  await boss.work(
    CHECKLIST_DAILY_QUEUE,
    { batchSize: 2, notifyPollingIntervalSeconds: DAILY_BACKSTOP_SECONDS },
    async () => {
      const queued = await enqueueDailyChecklists(platform);
      logger.info({ connections: queued }, "daily checklist queued");
    },
  );
  await boss.work(
    CHECKLIST_CONNECTION_QUEUE,
    { batchSize: BATCH_SIZE, pollingIntervalSeconds: 5, notifyPollingIntervalSeconds: DAILY_BACKSTOP_SECONDS },
    async (jobs: Job<ConnectionJob>[]) => {
      // A connection whose run fails is logged and left: tomorrow's run tries again.
      await Promise.all(jobs.map((job) => runOneSafely(platform, job.data.connectionId)));
    },
  );
}
