import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker } from "./support/child-process.ts";
import { type SyncHarness, startHarness } from "./support/harness.ts";
import { storeBackends } from "./support/test-database.ts";
import { waitFor } from "./support/wait.ts";

const { missingPostgres } = storeBackends();
const suite = missingPostgres && !process.env.CI ? describe.skip : describe;

const MANIFEST = `
name: live
destinations:
  cache:
    type: records
objects:
  - name: Account
    fields: [Id, Name, SystemModstamp]
    schedule: "0 0 1 1 *"
    subscribe: true
    destinations: [cache]
`;

/**
 * `kill -9` of the `forcelink worker` holding a subscription: another worker on the same
 * PostgreSQL store takes the lease over once it runs out (30 s), resumes after the last confirmed
 * replay id, and the changes written meanwhile arrive; nothing is delivered twice.
 */
suite("a subscription's worker killed with SIGKILL", () => {
  let h: SyncHarness;
  const workers: Array<ReturnType<typeof startWorker>> = [];

  beforeAll(async () => {
    if (missingPostgres) throw new Error(missingPostgres);
    // The API server runs no subscriber: the worker children do.
    h = await startHarness({
      backend: "postgres",
      pubsub: true,
      env: { FORCELINK_SYNC_WORKERS: "0" },
      sync: { manifest: MANIFEST },
    });
  });
  afterAll(async () => {
    for (const w of workers) w.kill();
    await Promise.all(workers.map((w) => w.done));
    await h?.close();
  });

  const lease = async () =>
    (
      await h.sql<{ lease_owner: string | null; events_delivered: string; last_keepalive_at: Date | null }>(
        "SELECT lease_owner, events_delivered, last_keepalive_at FROM subscriptions",
      )
    )[0];
  const create = async (name: string) => {
    const res = await h.api(`/v1/connections/${h.connectionId}/proxy/services/data/v67.0/sobjects/Account`, {
      method: "POST",
      body: { Name: name },
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  const arrived = async (ids: string[]) => {
    const served = await h.served("Account");
    const source = h.source("Account");
    return ids.every((id) => served.get(id)?.data?.Name === source.get(id)?.Name);
  };

  it("is taken over by another worker, which delivers what was written meanwhile, once each", async () => {
    const env = { ...h.env, FORCELINK_SYNC_WORKERS: "1", FORCELINK_LOG_LEVEL: "warn" };
    const first = startWorker(env);
    workers.push(first);
    const held = await waitFor(async () => {
      const l = await lease();
      return l?.lease_owner && l.last_keepalive_at ? l : null;
    }, "the first worker to subscribe");
    const before = await create("Heard by the first worker");
    await waitFor(() => arrived([before]), "the first worker's delivery");

    first.kill("SIGKILL");
    await first.done;
    const second = startWorker(env);
    workers.push(second);
    const meanwhile = [await create("Written while nobody listened"), await create("Also written meanwhile")];
    await waitFor(
      async () => {
        const l = await lease();
        return l?.lease_owner && l.lease_owner !== held.lease_owner;
      },
      "the second worker to take the lease over",
      45_000,
    );
    await waitFor(() => arrived([before, ...meanwhile]), "the changes written meanwhile", 30_000);
    expect(Number((await lease()).events_delivered)).toBe(3);
  }, 120_000);
});
