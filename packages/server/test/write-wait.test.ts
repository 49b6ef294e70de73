import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker } from "./support/child-process.ts";
import { type Harness, startHarness } from "./support/harness.ts";
import { postgresOnly, suiteBackends } from "./support/test-database.ts";
import { type Json, postWrite, writeConnection } from "./support/write-connection.ts";

/**
 * GET /v1/connections/{id}/writes/{writeId}?wait=N: the answer is held until the write ends
 * (completed, failed or paused) or N seconds pass. The write's end wakes a waiting request of the
 * same process at once; one another process ran is seen by the waiting request's own re-reads.
 */

const ndjson = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ External_Id__c: `${prefix}${i}`, Name: `Wait ${i}` })).join(
    "\n",
  );
const upsert = { object: "Account", operation: "upsert", externalIdField: "External_Id__c" };

async function getWrite(h: Harness, conn: string, writeId: string, query = "") {
  const started = performance.now();
  const res = await h.api(`/v1/connections/${conn}/writes/${writeId}${query}`);
  const body = (await res.json()) as Json;
  return { status: res.status, body, ms: performance.now() - started };
}

describe.each(suiteBackends())("a waiting GET of a write this process runs (%s)", (backend) => {
  let h: Harness;
  let conn: string;
  beforeAll(async () => {
    h = await startHarness({ backend, accounts: 1 });
    conn = await writeConnection(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("answers as soon as the write completes, long before the wait is up", async () => {
    // Every Salesforce call takes a second and a half: the write is still going when the GET arrives.
    h.org.faults.configure({ latencyMs: 1_500 });
    try {
      const posted = await postWrite(h, conn, ndjson("WAIT-A-", 500), { type: "application/x-ndjson", query: upsert });
      expect(posted.status, JSON.stringify(posted.body)).toBe(202);
      const now = await getWrite(h, conn, posted.body.id);
      expect(["queued", "running"]).toContain(now.body.status);
      const waited = await getWrite(h, conn, posted.body.id, "?wait=50");
      expect(waited.status).toBe(200);
      expect(waited.body.status).toBe("completed");
      expect(waited.body.counts).toMatchObject({ total: 500, succeeded: 500, pending: 0 });
      // Woken by the write's end, not by the wait running out.
      expect(waited.ms).toBeLessThan(30_000);
    } finally {
      h.org.faults.configure({ latencyMs: 0 });
    }
  });

  it("answers an ended write at once", async () => {
    const posted = await postWrite(h, conn, ndjson("WAIT-B-", 3), { type: "application/x-ndjson", query: upsert });
    expect(posted.body.status).toBe("completed");
    const waited = await getWrite(h, conn, posted.body.id, "?wait=60");
    expect(waited.body.status).toBe("completed");
    expect(waited.ms).toBeLessThan(5_000);
  });
});

describe("a waiting GET of a write that does not end (pglite)", () => {
  let h: Harness;
  let conn: string;
  let writeId: string;
  beforeAll(async () => {
    // No write workers: a queued write stays queued.
    h = await startHarness({ accounts: 1, env: { FORCELINK_WRITE_WORKERS: "0" } });
    conn = await writeConnection(h);
    const posted = await postWrite(h, conn, ndjson("WAIT-C-", 300), { type: "application/x-ndjson", query: upsert });
    expect(posted.status).toBe(202);
    writeId = posted.body.id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it("answers the write as it stands once the wait is up", async () => {
    const waited = await getWrite(h, conn, writeId, "?wait=1.5");
    expect(waited.status).toBe(200);
    expect(waited.body.status).toBe("queued");
    expect(waited.ms).toBeGreaterThanOrEqual(1_400);
  });

  it.each([
    ["abc", "wait"],
    ["61", "wait"],
    ["-1", "wait"],
  ])("refuses wait=%s with a 400 naming the parameter", async (value, named) => {
    const res = await getWrite(h, conn, writeId, `?wait=${value}`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain(named);
  });

  it("refuses a query parameter it does not know", async () => {
    const res = await getWrite(h, conn, writeId, "?wiat=5");
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain("wiat");
  });

  it("lets go of a waiting request whose client went away", async () => {
    const controller = new AbortController();
    const pending = fetch(`${h.server.url}/v1/connections/${conn}/writes/${writeId}?wait=60`, {
      headers: { authorization: `Bearer ${h.apiKey}` },
      signal: controller.signal,
    }).catch(() => "aborted");
    await new Promise((r) => setTimeout(r, 300));
    expect(h.server.platform.writeEnds.size).toBe(1);
    controller.abort();
    expect(await pending).toBe("aborted");
    const until = Date.now() + 5_000;
    while (h.server.platform.writeEnds.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(h.server.platform.writeEnds.size).toBe(0);
  });
});

const pgUrl = postgresOnly("A waiting GET of a write another process runs");

describe.runIf(pgUrl)("a waiting GET of a write another process runs (postgres)", () => {
  let h: Harness;
  let conn: string;
  beforeAll(async () => {
    // The API server runs no write: a `forcelink worker` process on the same store does.
    h = await startHarness({ backend: "postgres", accounts: 1, env: { FORCELINK_WRITE_WORKERS: "0" } });
    conn = await writeConnection(h);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it("sees the write's end by reading it again, and answers completed", async () => {
    const posted = await postWrite(h, conn, ndjson("WAIT-D-", 400), { type: "application/x-ndjson", query: upsert });
    expect(posted.status).toBe(202);
    const waiting = getWrite(h, conn, posted.body.id, "?wait=60");
    const worker = startWorker({ ...h.env, FORCELINK_WRITE_WORKERS: "1", FORCELINK_SYNC_WORKERS: "0" });
    try {
      const waited = await waiting;
      expect(waited.body.status, worker.output().slice(-2_000)).toBe("completed");
      expect(waited.body.counts).toMatchObject({ total: 400, succeeded: 400 });
      expect(waited.ms).toBeLessThan(50_000);
    } finally {
      worker.kill("SIGTERM");
      await worker.done;
    }
  }, 90_000);
});
