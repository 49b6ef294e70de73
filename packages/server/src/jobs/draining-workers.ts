import type { Job, PgBoss } from "pg-boss";

/**
 * Workers that drain a queue: `concurrency` pg-boss workers of one job each, where a worker that
 * has just finished a job fetches the next at once instead of sleeping its polling interval first
 * (pg-boss waits the interval after every fetch, so a worker of one job at a time would take at
 * most one job a second however short the jobs are). Only a fetch that finds nothing waits the
 * interval (`notifyPollingIntervalSeconds` while the queue's NOTIFY reaches this process, job-queue.ts). Returns the workers' ids (for notifyWorker when this process queues a job).
 */
export async function startDrainingWorkers<T extends object>(
  boss: PgBoss,
  queue: string,
  options: { concurrency: number; pollingIntervalSeconds: number; notifyPollingIntervalSeconds?: number },
  handler: (job: Job<T>) => Promise<void>,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < options.concurrency; i++) {
    let id: string | undefined;
    id = await boss.work<T>(
      queue,
      {
        batchSize: 1,
        localConcurrency: 1,
        pollingIntervalSeconds: options.pollingIntervalSeconds,
        notifyPollingIntervalSeconds: options.notifyPollingIntervalSeconds ?? options.pollingIntervalSeconds,
      },
      async (jobs) => {
        try {
          for (const job of jobs) await handler(job);
        } finally {
          // The worker skips its wait once notified during the fetch it is in.
          if (id) boss.notifyWorker(id);
        }
      },
    );
    ids.push(id);
  }
  return ids;
}
