import { DEMO, type Org } from "@forcelink/emulator";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Api } from "./support/api-client.ts";
import { startWorker } from "./support/child-process.ts";
import { type Harness, startHarness } from "./support/harness.ts";
import { createTestDatabase, postgresOnly, type TestDatabase } from "./support/test-database.ts";
import { sleep, waitFor } from "./support/wait.ts";

const RECORDS = 200_000;
const KILLS = 10;

const baseUrl = postgresOnly("The sync crash test (worker processes sharing PostgreSQL)");
const suite = baseUrl ? describe : describe.skip;

/**
 * kill -9 of the worker at random moments of a 200,000-record backfill into a PostgreSQL table,
 * ten times; after the last restart the table equals the source row for row, without duplicates.
 * Forcelink's store is on PostgreSQL too (the worker and the API server share it).
 */
suite("a worker killed with SIGKILL in the middle of a backfill", () => {
  let h: Harness;
  let org: Org;
  let destination: TestDatabase;
  let env: Record<string, string>;
  let connectionId: string;
  let api: Api;

  beforeAll(async () => {
    const settings = {
      FORCELINK_LOG_LEVEL: "warn",
      FORCELINK_SYNC_LAG_SECONDS: "0",
      // REST pages of 2,000: a hundred checkpoints to be killed between.
      FORCELINK_SYNC_BULK_THRESHOLD: "100000000",
      FORCELINK_SYNC_RETRY_BASE_MS: "50",
    };
    // The API server takes no sync runs itself: the workers below do, with the same store and org.
    h = await startHarness({
      backend: "postgres",
      accounts: RECORDS,
      env: { ...settings, FORCELINK_SYNC_WORKERS: "0" },
    });
    org = h.org;
    api = h.api;
    // Salesforce takes tens of milliseconds a call: the backfill lasts long enough for ten kills.
    org.faults.configure({ latencyMs: 25 });
    destination = await createTestDatabase(baseUrl!, "forcelink_crash_dest");
    env = { ...h.env, ...settings, FORCELINK_SYNC_WORKERS: "2" };
    const app = await api("/v1/provider-apps", {
      method: "POST",
      body: {
        name: "Crash",
        kind: "external_client_app",
        clientId: DEMO.app.clientId,
        clientSecret: DEMO.app.clientSecret,
        scopes: ["api", "refresh_token", "id"],
        clientCredentials: { enabled: true },
      },
    });
    expect(app.status).toBe(201);
    const providerAppId = ((await app.json()) as { id: string }).id;
    const conn = await api("/v1/connections", {
      method: "POST",
      body: { flow: "client_credentials", providerAppId, endUserId: "crash", myDomain: "forcelink-demo" },
    });
    expect(conn.status).toBe(201);
    connectionId = ((await conn.json()) as { id: string }).id;
    const manifest = `
name: crash
destinations:
  warehouse:
    type: postgres
    url: ${destination.url}
objects:
  - name: Account
    fields: [Id, Name, Industry, AnnualRevenue, NumberOfEmployees, BillingCity, BillingCountry]
    destinations: [warehouse]
`;
    const up = await api("/v1/integrations", {
      method: "POST",
      body: manifest,
      headers: { "content-type": "application/yaml" },
    });
    expect(up.status, await up.clone().text()).toBe(201);
    const installed = await api(`/v1/connections/${connectionId}/integrations`, {
      method: "POST",
      body: { integration: "crash", startNow: false },
    });
    expect(installed.status).toBe(201);
  }, 180_000);

  afterAll(async () => {
    await h?.close();
    await destination?.drop().catch(() => undefined);
  });

  it(`ends equal to the source after ${KILLS} kills`, async () => {
    const queued = await api(`/v1/connections/${connectionId}/syncs/Account`, { method: "POST" });
    expect(queued.status).toBe(202);
    const dest = new pg.Client({ connectionString: destination.url });
    await dest.connect();
    try {
      const rowsInTable = async () =>
        Number(
          (await dest.query("SELECT count(*)::int AS n FROM account").catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n,
        );
      const seen: number[] = [];
      for (let kill = 0; kill < KILLS; kill++) {
        const worker = startWorker(env);
        const before = await rowsInTable();
        // Killed at a random moment: some before this worker delivered anything, most a little after.
        if (Math.random() < 0.2) await sleep(Math.floor(Math.random() * 1_500));
        else {
          await waitFor(
            async () => (await rowsInTable()) > before || worker.exited(),
            "rows from this worker, or its exit",
            60_000,
          );
          await sleep(Math.floor(Math.random() * 400));
        }
        worker.kill();
        await worker.done;
        seen.push(await rowsInTable());
        if (seen[seen.length - 1] >= RECORDS) break;
      }
      // The last worker resumes from the checkpoint and finishes.
      const last = startWorker(env);
      try {
        await waitFor(
          async () => {
            const res = await api(`/v1/connections/${connectionId}/sync-runs?object=Account&limit=1`);
            const runs = ((await res.json()) as { data: Array<{ status: string }> }).data;
            return runs[0]?.status === "completed";
          },
          "the run to complete",
          240_000,
        );
      } finally {
        last.kill("SIGTERM");
        await last.done;
      }
      // Most kills landed in the middle of the backfill, with part of it in the table.
      const midway = seen.filter((n) => n < RECORDS);
      expect(midway.length, `rows in the table at each kill: ${seen.join(", ")}`).toBe(KILLS);
      if (process.env.SHOW_CRASH_KILLS) console.log(`rows at each kill: ${seen.join(", ")}`);
      const { rows } = await dest.query<{ id: string; name: string | null; deleted: string | null }>(
        "SELECT id, name, _forcelink_deleted_at AS deleted FROM account",
      );
      expect(rows.length).toBe(RECORDS);
      const source = new Map<string, unknown>();
      for (const r of org.store.tableOrThrow("Account").live()) source.set(r.Id as string, r.Name);
      expect(source.size).toBe(RECORDS);
      const ids = new Set<string>();
      for (const row of rows) {
        expect(ids.has(row.id), `duplicate ${row.id}`).toBe(false);
        ids.add(row.id);
        expect(row.deleted).toBeNull();
        expect(row.name).toBe(source.get(row.id) ?? "missing from the source");
      }
    } finally {
      await dest.end();
    }
  }, 600_000);
});
