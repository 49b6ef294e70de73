import { DEMO } from "@forcelink/emulator";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Api } from "./support/api-client.ts";
import { startWorker } from "./support/child-process.ts";
import { type Harness, startHarness } from "./support/harness.ts";
import { ACCOUNT_MANIFEST } from "./support/sync-records.ts";
import { postgresOnly } from "./support/test-database.ts";
import { waitFor } from "./support/wait.ts";

const baseUrl = postgresOnly("An interrupted sync across processes on PostgreSQL");
const suite = baseUrl ? describe : describe.skip;

interface RunView {
  id: string;
  status: string;
  finishedAt: string | null;
  error: { code: string; message: string } | null;
}

/**
 * A worker killed with kill -9 while its run has a Bulk query job open in the org: the next
 * worker closes the run as interrupted, deletes the job, and resumes in a new run.
 */
suite("a sync run killed with SIGKILL while its Bulk query job is open", () => {
  let h: Harness;
  let env: Record<string, string>;
  let api: Api;
  let db: pg.Client;
  let connectionId: string;

  beforeAll(async () => {
    const settings = {
      FORCELINK_LOG_LEVEL: "warn",
      FORCELINK_SYNC_LAG_SECONDS: "0",
      // Every read goes through a Bulk query job.
      FORCELINK_SYNC_BULK_THRESHOLD: "0",
    };
    // The API server takes no sync runs itself: the workers below do, with the same store and org.
    h = await startHarness({
      backend: "postgres",
      accounts: 20_000,
      env: { ...settings, FORCELINK_SYNC_WORKERS: "0" },
    });
    h.org.faults.configure({ latencyMs: 20 });
    env = { ...h.env, ...settings, FORCELINK_SYNC_WORKERS: "2" };
    api = h.api;
    db = new pg.Client({ connectionString: h.env.DATABASE_URL });
    await db.connect();
    const app = await api("/v1/provider-apps", {
      method: "POST",
      body: {
        name: "Interrupted",
        kind: "external_client_app",
        clientId: DEMO.app.clientId,
        clientSecret: DEMO.app.clientSecret,
        scopes: ["api", "refresh_token", "id"],
        clientCredentials: { enabled: true },
      },
    });
    const providerAppId = ((await app.json()) as { id: string }).id;
    const conn = await api("/v1/connections", {
      method: "POST",
      body: { flow: "client_credentials", providerAppId, endUserId: "killed", myDomain: "forcelink-demo" },
    });
    expect(conn.status).toBe(201);
    connectionId = ((await conn.json()) as { id: string }).id;
    const up = await api("/v1/integrations", {
      method: "POST",
      body: ACCOUNT_MANIFEST,
      headers: { "content-type": "application/yaml" },
    });
    expect(up.status, await up.clone().text()).toBe(201);
    const installed = await api(`/v1/connections/${connectionId}/integrations`, {
      method: "POST",
      body: { integration: "crm", startNow: false },
    });
    expect(installed.status).toBe(201);
  }, 180_000);

  afterAll(async () => {
    await db?.end();
    await h?.close();
  });

  const runs = async () =>
    ((await (await api(`/v1/connections/${connectionId}/sync-runs?object=Account`)).json()) as { data: RunView[] })
      .data;
  /** The org's Bulk query jobs, as Salesforce lists them (through the connection's proxy). */
  const openJobs = async () => {
    const res = await api(`/v1/connections/${connectionId}/proxy/services/data/v67.0/jobs/query`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { records: Array<{ id: string }> }).records.map((j) => j.id);
  };

  it("is closed as interrupted, its Bulk job deleted, and the sync resumes in a new run", async () => {
    const queued = await api(`/v1/connections/${connectionId}/syncs/Account`, { method: "POST" });
    expect(queued.status).toBe(202);
    const runId = ((await queued.json()) as { run: { id: string } }).run.id;

    const first = startWorker(env);
    let jobId: string | null = null;
    await waitFor(
      async () => {
        const { rows } = await db.query<{ bulk_job_id: string | null }>(
          "SELECT bulk_job_id FROM sync_runs WHERE id = $1",
          [runId],
        );
        jobId = rows[0]?.bulk_job_id ?? null;
        return jobId !== null || first.exited();
      },
      "the run's Bulk query job, or the worker's exit",
      60_000,
    );
    first.kill();
    await first.done;
    expect(jobId, first.output()).not.toBeNull();

    // Nobody runs it any more, yet it still says running, and its job is still in the org.
    expect((await runs()).find((r) => r.id === runId)?.status).toBe("running");
    expect(await openJobs()).toContain(jobId);

    const second = startWorker(env);
    try {
      await waitFor(
        async () => {
          const all = await runs();
          return all.find((r) => r.id === runId)?.status === "interrupted" && all[0]?.status === "completed";
        },
        "the run interrupted and the next one completed",
        120_000,
      );
    } finally {
      second.kill("SIGTERM");
      await second.done;
    }
    const all = await runs();
    const interrupted = all.find((r) => r.id === runId)!;
    expect(interrupted.finishedAt).not.toBeNull();
    expect(interrupted.error?.code).toBe("run_interrupted");
    expect(all.filter((r) => r.status === "running")).toEqual([]);
    expect(await openJobs()).not.toContain(jobId);
    const { rows } = await db.query("SELECT bulk_job_id FROM sync_runs WHERE bulk_job_id IS NOT NULL");
    expect(rows).toEqual([]);
    const state = (await (await api(`/v1/connections/${connectionId}/syncs`)).json()) as {
      data: Array<{ object: string; status: string }>;
    };
    expect(state.data.find((s) => s.object === "Account")?.status).toBe("idle");
  }, 300_000);
});
