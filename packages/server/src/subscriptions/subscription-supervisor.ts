import { backoffDelay } from "@forcelink/salesforce";
import type { Platform } from "../platform/platform.ts";
import { resumeCleared } from "./resume-subscriptions.ts";
import { runSubscription } from "./subscriber.ts";
import { claimable, leaseMsOf, releaseLease, takeLease } from "./subscription-store.ts";

/**
 * How often a process looks for subscriptions nobody holds: every 2 s, or every third of a
 * shorter lease (a dead holder's lease runs out FORCELINK_SUBSCRIPTION_LEASE_SECONDS after its last renewal).
 */
const SCAN_MS = 2_000;
/** Every this many scans, paused subscriptions are checked against newer checklist runs (every 10 s). */
const RESUME_EVERY_SCANS = 5;

/**
 * Runs in every process that runs jobs (`forcelink serve`, `forcelink worker`): takes the lease of
 * each subscription nobody holds and runs it; a subscriber that fails gives its lease back and is
 * tried again after a backoff. A paused one resumes once a newer checklist run shows its checks
 * passing. Answers a function that stops them all.
 */
export function startSubscriptions(platform: Platform): () => Promise<void> {
  const running = new Map<string, { stop: AbortController; done: Promise<void> }>();
  const failures = new Map<string, { attempts: number; until: number }>();
  const owner = platform.processId;
  let stopped = false;
  let scans = 0;
  const scan = async () => {
    if (++scans % RESUME_EVERY_SCANS === 0) await resumeCleared(platform);
    for (const row of await claimable(platform)) {
      if (stopped || running.has(row.id)) continue;
      const failed = failures.get(row.id);
      if (failed && failed.until > platform.clock.nowMs()) continue;
      if (!(await takeLease(platform, row.id, owner))) continue;
      const stop = new AbortController();
      const done = runSubscription(platform, row.id, owner, stop.signal)
        .then(() => {
          failures.delete(row.id);
        })
        .catch((err: unknown) => {
          const attempts = (failures.get(row.id)?.attempts ?? 0) + 1;
          const wait = backoffDelay(attempts, { baseDelayMs: 1_000, maxDelayMs: 60_000 }, Math.random);
          failures.set(row.id, { attempts, until: platform.clock.nowMs() + wait });
          platform.logger.warn({ err, subscriptionId: row.id, attempts }, "subscription stopped; trying again");
        })
        .finally(async () => {
          running.delete(row.id);
          await releaseLease(platform, row.id, owner).catch(() => undefined);
        });
      running.set(row.id, { stop, done });
    }
  };
  const timer = setInterval(
    () => {
      scan().catch((err: unknown) => platform.logger.warn({ err }, "could not look for subscriptions"));
    },
    Math.min(SCAN_MS, leaseMsOf(platform) / 3),
  );
  return async () => {
    stopped = true;
    clearInterval(timer);
    for (const r of running.values()) r.stop.abort();
    await Promise.allSettled([...running.values()].map((r) => r.done));
  };
}
