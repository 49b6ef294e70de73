import { afterEach, describe, expect, it } from "vitest";
import { ChangeWriter } from "./support/change-writer.ts";
import { type SyncHarness, startHarness } from "./support/harness.ts";
import { caughtUp, destinationDifferences, subscribedAccounts } from "./support/subscription-destinations.ts";
import { createTestDatabase, storeBackends, type TestDatabase } from "./support/test-database.ts";
import { waitFor } from "./support/wait.ts";

const CHANGES = 15_000;
const SEED = Number(process.env.SUBSCRIPTION_FAULTS_SEED ?? Math.floor(Math.random() * 1_000_000));
const { missingPostgres } = storeBackends();

/**
 * A subscription against an unreliable Salesforce while changes are written: the Subscribe
 * stream dropped (UNAVAILABLE) or reset (RST_STREAM) after three batches in five, and 10% of
 * HTTP calls (describe, token, the writes themselves) answered 503. Nothing is lost: once the
 * checkpoint is the org's latest replay id, the records API (and a PostgreSQL table when
 * TEST_DATABASE_URL is set) equal the source record for record.
 */
describe("a subscription through stream drops, resets and HTTP 503s", () => {
  let h: SyncHarness | undefined;
  let warehouse: TestDatabase | undefined;
  afterEach(async () => {
    await h?.close();
    await warehouse?.drop().catch(() => undefined);
  });

  it("loses nothing: the destinations equal the source", async () => {
    warehouse = missingPostgres
      ? undefined
      : await createTestDatabase(process.env.TEST_DATABASE_URL!, "forcelink_subfaults_dest");
    h = await startHarness({ pubsub: { keepaliveSeconds: 1 }, sync: { manifest: subscribedAccounts(warehouse?.url) } });
    const s = h;
    await waitFor(async () => {
      const [sub] = await s.sql<{ state: string; last_keepalive_at: Date | null }>(
        "SELECT state, last_keepalive_at FROM subscriptions",
      );
      return sub?.state === "running" && sub.last_keepalive_at;
    }, "a live subscriber");
    const faults = await fetch(`${s.emulator.urls.login}/__emulator/pubsub/faults`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ dropRate: 0.3, resetRate: 0.3, seed: SEED }),
    });
    expect(faults.status).toBe(200);
    // One call in ten: over the hundred-odd calls of the test, some are answered 503 whatever the seed.
    s.org.faults.configure({ errorRate: 0.1, errorStatus: 503, seed: SEED });
    const subscribes = s.org.capture.bus.counters.subscriptions;
    const writer = new ChangeWriter({ api: s.api, connectionId: s.connectionId, seed: SEED, bulkSize: 1_000 });
    const started = Date.now();
    try {
      await writer.write(CHANGES);
      const written = Date.now() - started;
      await waitFor(() => caughtUp(s), "the subscription to catch up with the org", 120_000);
      const diff = await destinationDifferences(s, writer.ids, warehouse?.url);
      expect(diff.slice(0, 20), `${diff.length} differences`).toEqual([]);
      // The faults did happen: streams were opened again and again, and calls were answered 503.
      expect(s.org.capture.bus.counters.subscriptions - subscribes).toBeGreaterThanOrEqual(3);
      // Calls were answered 503 (the proxy retries what is safe to send again, so the writer may not see one).
      expect(s.org.faults.injected.error).toBeGreaterThan(0);
      if (process.env.SHOW_FAULTS)
        console.log(
          `seed ${SEED}: ${s.org.capture.bus.counters.subscriptions - subscribes} streams, ${s.org.faults.injected.error} calls answered 503, ${writer.retried} retried by the writer, ` +
            `${s.org.capture.bus.counters.published} events for ${writer.changes} changes; written in ${written} ms, caught up after ${Date.now() - started} ms`,
        );
    } catch (e) {
      console.error(`subscription faults test failed with seed ${SEED} (SUBSCRIPTION_FAULTS_SEED=${SEED} repeats it)`);
      throw e;
    }
  }, 240_000);
});
