import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker } from "./support/child-process.ts";
import { type Harness, startHarness } from "./support/harness.ts";
import { postgresOnly } from "./support/test-database.ts";
import { sleep, waitFor } from "./support/wait.ts";
import { type Json, writeConnection } from "./support/write-connection.ts";

const RECORDS = 200_000;
const KILLS = 10;
const TAG = "CRASH-";
/**
 * Bulk jobs of about 10,000 rows (an upsert row here is ~26 bytes of CSV): twenty jobs to be killed
 * between and in the middle of, where the default upload limit would make it one. A kill usually
 * comes one or two jobs after the last, so ten kills end well before the write does.
 */
const UPLOAD_BYTES = 265_000;

const baseUrl = postgresOnly("The write crash test (worker processes sharing PostgreSQL)");
const suite = baseUrl ? describe : describe.skip;

/** The i-th input record: an Account upserted by its external id. */
const line = (i: number) => `{"External_Id__c":"${TAG}${i}","Name":"Crash ${i}"}\n`;

/**
 * kill -9 of the worker (a `forcelink worker` process on the same PostgreSQL store) at random
 * moments of a 200,000-record Bulk upsert, ten times; after the last restart the write completes,
 * the org holds exactly one Account per external id, and every input record has exactly one
 * result, the Id of that Account.
 */
suite("a worker killed with SIGKILL in the middle of a Bulk upsert", () => {
  let h: Harness;
  let env: Record<string, string>;
  let connectionId: string;

  beforeAll(async () => {
    const settings = {
      FORCELINK_LOG_LEVEL: "warn",
      FORCELINK_WRITE_BULK_MAX_UPLOAD_BYTES: String(UPLOAD_BYTES),
      FORCELINK_WRITE_RETRY_BASE_MS: "50",
    };
    // The API server runs no write itself: the workers below do, on the same store and org.
    h = await startHarness({
      backend: "postgres",
      env: { ...settings, FORCELINK_WRITE_WORKERS: "0", FORCELINK_SYNC_WORKERS: "0" },
    });
    env = { ...h.env, ...settings, FORCELINK_WRITE_WORKERS: "1", FORCELINK_SYNC_WORKERS: "0" };
    connectionId = await writeConnection(h);
  }, 180_000);

  afterAll(async () => {
    await h?.close();
  });

  it(`completes with one Account per external id and one result per record after ${KILLS} kills`, async () => {
    let body = "";
    for (let i = 0; i < RECORDS; i++) body += line(i);
    const query = new URLSearchParams({ object: "Account", operation: "upsert", externalIdField: "External_Id__c" });
    const posted = await h.api(`/v1/connections/${connectionId}/writes?${query}`, {
      method: "POST",
      body,
      headers: { "content-type": "application/x-ndjson" },
    });
    expect(posted.status, await posted.clone().text()).toBe(202);
    const writeId = ((await posted.json()) as { id: string }).id;
    const view = async (): Promise<Json> => {
      const res = await h.api(`/v1/connections/${connectionId}/writes/${writeId}`);
      expect(res.status).toBe(200);
      return res.json();
    };
    const settledOf = (v: Json): number => v.counts.succeeded + v.counts.failed + v.counts.unknown;
    const settled = async () => settledOf(await view());

    const atKill: Array<{ settled: number; status: string }> = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const worker = startWorker(env);
      const before = await settled();
      // Killed at a random moment: some while it starts and recovers, most just after it settled rows
      // (a worker settles a whole Bulk job's results in one burst: a long wait would let it finish).
      if (Math.random() < 0.2) await sleep(300 + Math.floor(Math.random() * 700));
      else {
        // A write that settled its last record has nothing more to settle: its finish ends the wait
        // too (and the assertion below then says the kills came too late).
        await waitFor(
          async () => {
            const v = await view();
            return (
              settledOf(v) > before ||
              v.status === "completed" ||
              v.status === "failed" ||
              before === RECORDS ||
              worker.exited()
            );
          },
          "records settled by this worker, its write's end, or its exit",
          120_000,
        );
        await sleep(Math.floor(Math.random() * 250));
      }
      worker.kill();
      await worker.done;
      const v = await view();
      atKill.push({ settled: settledOf(v), status: v.status });
      if (v.status === "completed") break;
    }

    // The last worker recovers what the killed one left (a Bulk job read back or its rows sent again) and finishes.
    const last = startWorker(env);
    let final: Json;
    try {
      final = await waitFor(
        async () => {
          const v = await view();
          return v.status === "completed" || v.status === "failed" ? v : undefined;
        },
        "the write to finish",
        300_000,
      );
    } finally {
      last.kill("SIGTERM");
      await last.done;
    }
    const kills = atKill.map((k) => `${k.settled} (${k.status})`).join(", ");
    if (process.env.SHOW_CRASH_KILLS) console.log(`records settled at each kill: ${kills}`);
    expect(atKill.filter((k) => k.status !== "completed").length, `settled at each kill: ${kills}`).toBe(KILLS);
    expect(final.status, JSON.stringify(final.error)).toBe("completed");
    expect(final.path).toBe("bulk");
    expect(final.counts).toEqual({ total: RECORDS, succeeded: RECORDS, failed: 0, unknown: 0, pending: 0 });

    // Every input record has exactly one result, and it names the Account the org holds for its external id.
    const [shape] = await h.sql<{ n: number; distinct_idx: number; lo: number; hi: number; done: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT idx)::int AS distinct_idx, min(idx) AS lo, max(idx) AS hi,
              count(*) FILTER (WHERE status = 'succeeded' AND sf_id IS NOT NULL)::int AS done
       FROM write_records WHERE write_id = $1`,
      [writeId],
    );
    expect(shape).toEqual({ n: RECORDS, distinct_idx: RECORDS, lo: 0, hi: RECORDS - 1, done: RECORDS });
    const byExternalId = new Map<string, string[]>();
    for (const a of h.org.store.tableOrThrow("Account").live()) {
      const ext = a.External_Id__c;
      if (typeof ext !== "string" || !ext.startsWith(TAG)) continue;
      byExternalId.set(ext, [...(byExternalId.get(ext) ?? []), a.Id]);
    }
    expect(byExternalId.size).toBe(RECORDS);
    const results = await h.sql<{ idx: number; sf_id: string; ext: string }>(
      "SELECT idx, sf_id, data->>'External_Id__c' AS ext FROM write_records WHERE write_id = $1 ORDER BY idx",
      [writeId],
    );
    let mismatched = 0;
    for (const r of results) {
      const ids = byExternalId.get(r.ext) ?? [];
      if (ids.length !== 1 || ids[0] !== r.sf_id || r.ext !== `${TAG}${r.idx}`) mismatched++;
    }
    expect(mismatched, "records whose result is not the one Account of their external id").toBe(0);
  }, 900_000);
});
