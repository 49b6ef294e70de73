import { afterEach, describe, expect, it } from "vitest";
import type { Api } from "./support/api-client.ts";
import { type ServerHarness, type SyncHarness, startHarness } from "./support/harness.ts";
import { ACCOUNT_MANIFEST, syncRunsOf } from "./support/sync-records.ts";
import { type Backend, suiteBackends } from "./support/test-database.ts";

const backends = suiteBackends();

let h: SyncHarness | undefined;
let second: ServerHarness | undefined;
afterEach(async () => {
  await second?.close();
  await h?.close();
  h = second = undefined;
});

interface Answer {
  status: number;
  body: { queued: boolean; run: { id: string; status: string; trigger: string } };
}

async function askForRun(api: Api, connectionId: string): Promise<Answer> {
  const res = await api(`/v1/connections/${connectionId}/syncs/Account`, { method: "POST" });
  return { status: res.status, body: (await res.json()) as Answer["body"] };
}

/** A sync harness whose servers run no sync jobs, so a queued run stays queued while it is asked for. */
async function harnessOn(backend: Backend): Promise<SyncHarness> {
  return startHarness({ backend, sync: { manifest: ACCOUNT_MANIFEST }, env: { FORCELINK_SYNC_WORKERS: "0" } });
}

/** Another Forcelink process's view of the same PostgreSQL: its own server, pool and job queue. */
async function secondServer(s: SyncHarness): Promise<Api> {
  second = await startHarness({ emulator: false, shareStoreWith: s, env: { FORCELINK_SYNC_WORKERS: "0" } });
  return second.api;
}

describe.each(backends)("POST /v1/connections/{id}/syncs/{object} asked 20 times at once (%s)", (backend) => {
  it("queues one run and answers every request with it", async () => {
    h = await harnessOn(backend);
    const s = h;
    const apis = [s.api];
    if (backend === "postgres") apis.push(await secondServer(s));
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => askForRun(apis[i % apis.length], s.connectionId)),
    );
    const ids = new Set(answers.map((a) => a.body.run.id));
    expect(ids.size, JSON.stringify(answers)).toBe(1);
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(19);
    expect(answers.find((a) => a.status === 202)!.body.queued).toBe(true);
    for (const a of answers.filter((x) => x.status === 200)) expect(a.body.queued).toBe(false);
    const runs = await syncRunsOf(s, "Account");
    expect(runs.map((r) => [r.id, r.status])).toEqual([[[...ids][0], "queued"]]);

    // The worker runs the queued run itself, not a second one beside it.
    const outcome = await s.run("Account");
    expect(outcome.status).toBe("completed");
    expect(outcome.status !== "skipped" && outcome.run.id).toBe([...ids][0]);
    expect((await syncRunsOf(s, "Account")).map((r) => r.status)).toEqual(["completed"]);

    // Once it finished, a request queues a new run.
    const next = await askForRun(s.api, s.connectionId);
    expect(next.status).toBe(202);
    expect(next.body.run.id).not.toBe([...ids][0]);
  });
});
