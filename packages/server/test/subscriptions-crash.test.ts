import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangeWriter, seededRandom } from "./support/change-writer.ts";
import { startWorker } from "./support/child-process.ts";
import { type SyncHarness, startHarness } from "./support/harness.ts";
import { caughtUp, destinationDifferences, subscribedAccounts } from "./support/subscription-destinations.ts";
import { createTestDatabase, postgresOnly, type TestDatabase } from "./support/test-database.ts";
import { sleep, waitFor } from "./support/wait.ts";

const CHANGES = 50_000;
const KILLS = 10;
const SEED = Number(process.env.SUBSCRIPTION_CRASH_SEED ?? Math.floor(Math.random() * 1_000_000));

const baseUrl = postgresOnly("The subscription crash test (worker processes sharing PostgreSQL)");
const suite = baseUrl ? describe : describe.skip;

/**
 * `kill -9` of the `forcelink worker` holding a subscription at random moments while 50,000
 * changes (creates, updates, deletes through sObject Collections and Bulk ingest) are written,
 * ten times; a standby worker takes the lease over each time it runs out (3 s here) and a new
 * standby is started. Afterwards the PostgreSQL table and the records API equal the source record
 * for record, none holding an older version. Forcelink's store is on PostgreSQL (the workers share it).
 */
suite("subscribers killed with SIGKILL while changes are written", () => {
  let h: SyncHarness;
  let warehouse: TestDatabase;

  beforeAll(async () => {
    warehouse = await createTestDatabase(baseUrl!, "forcelink_subcrash_dest");
    // The API server runs no subscriber: the worker children do.
    h = await startHarness({
      backend: "postgres",
      pubsub: { keepaliveSeconds: 1 },
      env: { FORCELINK_SYNC_WORKERS: "0" },
      sync: { manifest: subscribedAccounts(warehouse.url) },
    });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await warehouse?.drop().catch(() => undefined);
  });

  it(`delivers every change exactly, with ${KILLS} holders killed`, async () => {
    const lease = async () =>
      (
        await h.sql<{ lease_owner: string | null; events_delivered: string; last_keepalive_at: Date | null }>(
          "SELECT lease_owner, events_delivered, last_keepalive_at FROM subscriptions",
        )
      )[0];
    const env = {
      ...h.env,
      FORCELINK_SYNC_WORKERS: "1",
      FORCELINK_LOG_LEVEL: "warn",
      FORCELINK_SUBSCRIPTION_LEASE_SECONDS: "3",
    };
    const random = seededRandom(SEED ^ 0x5f3759df);
    const writer = new ChangeWriter({ api: h.api, connectionId: h.connectionId, seed: SEED });
    const workers = [startWorker(env), startWorker(env)];
    const log: string[] = [];
    try {
      const first = await waitFor(
        async () => {
          const l = await lease();
          return l?.lease_owner && l.last_keepalive_at ? l : null;
        },
        "a worker to subscribe",
        60_000,
      );
      let owner = first.lease_owner!;
      const started = Date.now();
      for (let kill = 0; kill < KILLS; kill++) {
        const at = await lease();
        const delivered = Number(at.events_delivered);
        // A slice of the changes is written while the holder is killed.
        const writing = writer.write(Math.ceil(CHANGES / (KILLS + 1)));
        writing.catch(() => undefined);
        // Killed at a random moment: a few right after the takeover, most after it delivered some.
        const early = random() < 0.1;
        if (early) await sleep(Math.floor(random() * 500));
        else {
          await waitFor(
            async () => Number((await lease()).events_delivered) > delivered,
            `events from the holder before kill ${kill + 1}`,
            60_000,
          );
          await sleep(Math.floor(random() * 2_500));
        }
        const pid = Number(owner.split(":")[1]);
        const holder = workers.find((w) => w.pid === pid);
        expect(holder, `the lease holder ${owner} is one of the workers`).toBeDefined();
        holder!.kill("SIGKILL");
        await holder!.done;
        log.push(
          `kill ${kill + 1} at ${Date.now() - started} ms${early ? " (early)" : ""}: ${owner} after ` +
            `${delivered} → ${Number((await lease()).events_delivered)} records`,
        );
        workers.splice(workers.indexOf(holder!), 1);
        workers.push(startWorker(env));
        await writing;
        const previous = owner;
        owner = await waitFor(
          async () => {
            const l = await lease();
            return l?.lease_owner && l.lease_owner !== previous ? l.lease_owner : null;
          },
          `a worker to take the lease over after kill ${kill + 1}`,
          60_000,
        );
      }
      await writer.write(CHANGES - writer.changes);
      log.push(`kills over after ${Date.now() - started} ms`);
      // Once the checkpoint is the org's latest replay id, every change was confirmed by both destinations.
      await waitFor(() => caughtUp(h), "the subscription to catch up with the org", 120_000);
      const diff = await destinationDifferences(h, writer.ids, warehouse.url);
      expect(diff.slice(0, 20), `seed ${SEED}; ${diff.length} differences; ${log.join("; ")}`).toEqual([]);
      expect(writer.changes).toBeGreaterThanOrEqual(CHANGES);
      if (process.env.SHOW_CRASH_KILLS)
        console.log(
          `seed ${SEED}: ${log.join("; ")}; caught up after ${Date.now() - started} ms; ` +
            `${h.org.capture.bus.counters.published} events for ${writer.changes} changes in ${writer.calls} calls`,
        );
    } catch (e) {
      console.error(`subscriptions crash test failed with seed ${SEED} (SUBSCRIPTION_CRASH_SEED=${SEED} repeats it)`);
      for (const w of workers) if (w.output()) console.error(w.output().slice(-3000));
      throw e;
    } finally {
      for (const w of workers) w.kill("SIGKILL");
      await Promise.all(workers.map((w) => w.done));
    }
  }, 300_000);
});
