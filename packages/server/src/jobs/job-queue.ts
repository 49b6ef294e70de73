import { fromPglite, PgBoss, type Queue } from "pg-boss";
import type { Logger } from "../log/logger.ts";
import type { Clock } from "../platform/clock.ts";
import type { Database } from "../store/database.ts";

/**
 * Durable jobs (webhook deliveries, refreshes, checklist runs, syncs) on pg-boss: over PGlite
 * embedded and over PostgreSQL scaled out, one code path.
 *
 * Workers are woken by LISTEN/NOTIFY (PGlite delivers it in-process, PostgreSQL across processes):
 * a job that can run now wakes every worker of its queue the moment it is committed, so an idle
 * worker's poll is only a backstop (NOTIFY_BACKSTOP, or per queue where a job becomes due later:
 * a retry or a `startAfter`). Polling every second, the process's idle workers cost a query a
 * second each: on PGlite that is the same thread the API answers on.
 */
export async function startJobQueue(database: Database, logger: Logger): Promise<PgBoss> {
  // Flows (jobs that wait for other jobs) are not used: their resolver's poll (every 5 s by default) is slowed down.
  const common = { schema: "pgboss", useListenNotify: true, flowIntervalSeconds: 300 };
  const boss =
    database.kind === "pglite"
      ? new PgBoss({ db: fromPglite(database.pglite!), ...common })
      : new PgBoss({ connectionString: database.connectionString!, max: 5, ...common });
  boss.on("error", (err: Error) => logger.error({ err }, "job queue error"));
  await boss.start();
  return boss;
}

/** How often an idle worker of a notified queue looks anyway (jobs due later, a NOTIFY lost with its connection). */
export const NOTIFY_BACKSTOP_SECONDS = 15;

/** The same for queues a daily cron fills (the checklist, retention): their jobs are never due later. */
export const DAILY_BACKSTOP_SECONDS = 60;

/**
 * Creates a queue whose new jobs NOTIFY its workers (an existing queue is kept, its options as
 * they were, and only has NOTIFY turned on: a queue created before it existed has it off).
 */
export async function createNotifyingQueue(
  boss: PgBoss,
  name: string,
  options: Omit<Queue, "name" | "notify"> = {},
): Promise<void> {
  await boss.createQueue(name, { ...options, notify: true });
  const queue = await boss.getQueue(name);
  if (queue && !queue.notify) await boss.updateQueue(name, { notify: true });
}

/**
 * A job queued to start later is not notified when it becomes due: this process's own workers of
 * its queue are woken then (the backstop poll covers jobs other processes queued).
 */
export function wakeWorkersAt(boss: PgBoss, clock: Clock, workerIds: readonly string[], at: Date): void {
  if (workerIds.length === 0) return;
  const timer = setTimeout(
    () => {
      for (const id of workerIds) boss.notifyWorker(id);
    },
    Math.min(2 ** 31 - 1, Math.max(0, at.getTime() - clock.nowMs())),
  );
  timer.unref();
}
