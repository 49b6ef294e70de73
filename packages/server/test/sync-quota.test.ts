import { generateRecords } from "@forcelink/emulator";
import { afterEach, describe, expect, it } from "vitest";
import { SYNC_QUEUE, type SyncJob } from "../src/jobs/sync-queue.ts";
import { type SyncHarness, startHarness } from "./support/harness.ts";
import { ACCOUNT_MANIFEST, expectServedEqualsSource, syncRunsOf, syncStateOf } from "./support/sync-records.ts";

/**
 * The daily API quota: a sync stops at its share of the org's allocation (80% by default) with
 * its checkpoint where it was, says so, queues its own resume, and when the quota allows goes on
 * from there instead of starting over. Salesforce's own REQUEST_LIMIT_EXCEEDED pauses too.
 */

const TOTAL = 10_000;
const LIMIT = 1_000;

let h: SyncHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Outcome = Awaited<ReturnType<SyncHarness["run"]>>;

function ended(outcome: Outcome, status: "completed" | "failed" | "paused") {
  expect(outcome.status, JSON.stringify(outcome)).toBe(status);
  if (outcome.status === "skipped") throw new Error("skipped");
  return outcome.run;
}

async function resumeJobs(s: SyncHarness) {
  const jobs = await s.server.platform.boss.findJobs<SyncJob>(SYNC_QUEUE, { queued: true });
  return jobs.filter((j) => j.data.installationId === s.installationId && j.data.trigger === "resume");
}

describe("the daily API quota", () => {
  it("pauses a REST backfill at the quota share, keeps what it delivered, and resumes from its checkpoint", async () => {
    h = await startHarness({ sync: { manifest: ACCOUNT_MANIFEST }, env: { FORCELINK_SYNC_BULK_THRESHOLD: "1000000" } });
    generateRecords(h.org, "Account", TOTAL);
    // 80% of 1,000 is 800: describe (797), COUNT() (798), page 1 (799), page 2 (800) — the run
    // stops after the 2nd of its 5 pages.
    h.org.apiUsage.limit = LIMIT;
    h.org.apiUsage.setUsed(796);
    const startedAt = Date.now();
    const paused = ended(await h.run("Account"), "paused");
    expect(paused.counts.read, "some pages were read before the pause").toBeGreaterThan(0);
    expect(paused.counts.read, "the pause came before the end of the backfill").toBeLessThan(TOTAL);
    const error = paused.error as { code?: string; message?: string; resumeAt?: string } | null;
    expect(error?.code).toBe("quota_paused");
    expect(error?.message).toMatch(/daily API quota/);
    expect(error?.message).toContain(`of its ${LIMIT} daily API requests`);

    const state = await syncStateOf(h);
    expect(state?.status).toBe("paused");
    expect(state?.statusReason).toMatch(/quota/);
    expect(state?.resumeAt).toBeTruthy();
    // FORCELINK_SYNC_PAUSE_RECHECK_SECONDS defaults to 900.
    expect(Date.parse(state!.resumeAt!)).toBeGreaterThan(startedAt + 800_000);
    expect(state?.checkpoint, "the checkpoint moved to what was delivered").not.toBeNull();
    expect(state?.backfillDone).toBe(false);

    const served = await h.served("Account");
    expect(served.size).toBe(paused.counts.read);
    const source = h.source("Account");
    for (const [id, row] of served) expect(row.data?.Name, `record ${id}`).toBe(source.get(id)?.Name);

    // The paused job queued its own resume, for when the quota is looked at again.
    const [resume, ...others] = await resumeJobs(h);
    expect(others).toEqual([]);
    expect(resume?.data).toMatchObject({ installationId: h.installationId, object: "Account", trigger: "resume" });
    expect(resume.startAfter.getTime()).toBeGreaterThan(startedAt + 800_000);

    const [pausedRun] = await syncRunsOf(h, "Account");
    expect(pausedRun).toMatchObject({ status: "paused", error: { code: "quota_paused" } });

    // The quota is raised: the next run goes on from the checkpoint.
    h.org.apiUsage.limit = 100_000;
    const resumed = ended(await h.run("Account"), "completed");
    expect(resumed.counts.read, "the resumed run does not read everything again").toBeLessThan(TOTAL);
    expect(paused.counts.read + resumed.counts.read).toBeGreaterThanOrEqual(TOTAL);
    await expectServedEqualsSource(h);
    const after = await syncStateOf(h);
    expect(after).toMatchObject({ status: "idle", resumeAt: null, backfillDone: true });
  });

  it("pauses, rather than fails, when Salesforce answers REQUEST_LIMIT_EXCEEDED", async () => {
    h = await startHarness({ sync: { manifest: ACCOUNT_MANIFEST } });
    generateRecords(h.org, "Account", 500);
    h.org.apiUsage.limit = LIMIT;
    h.org.apiUsage.setUsed(LIMIT + 10);
    const paused = ended(await h.run("Account"), "paused");
    expect(h.org.counters.snapshot().byEndpoint["GET /services/data/:version/sobjects/:object/describe"]).toBe(1);
    const error = paused.error as { code?: string; message?: string } | null;
    expect(error?.code).toBe("quota_paused");
    expect(error?.message).toMatch(/daily API quota/);
    expect(error?.message, "the reason gives the org's usage as Salesforce reported it").toContain(
      `of its ${LIMIT} daily API requests`,
    );
    const state = await syncStateOf(h);
    expect(state?.status).toBe("paused");
    expect(state?.resumeAt).toBeTruthy();
    expect(state?.checkpoint).toBeNull();
    expect(await resumeJobs(h)).toHaveLength(1);

    h.org.apiUsage.setUsed(0);
    ended(await h.run("Account"), "completed");
    await expectServedEqualsSource(h);
  });
});
