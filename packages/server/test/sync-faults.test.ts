import { DEMO, generateRecords } from "@forcelink/emulator";
import { afterEach, describe, expect, it } from "vitest";
import { type SyncHarness, startHarness } from "./support/harness.ts";
import {
  ACCOUNT_MANIFEST,
  byCursor,
  expectServedEqualsSource,
  syncRunsOf,
  syncStateOf,
} from "./support/sync-records.ts";

/**
 * The sync against an unreliable Salesforce: 503s, a session that drops mid-run, a query that
 * times out, and a permission taken away, which is not worth retrying and must fail the run
 * with the checkpoint kept and a pointer to the checklist.
 */

let h: SyncHarness | undefined;
afterEach(async () => {
  h?.org.faults.reset();
  await h?.close();
  h = undefined;
});

type Outcome = Awaited<ReturnType<SyncHarness["run"]>>;

function ended(outcome: Outcome, status: "completed" | "failed" | "paused") {
  expect(outcome.status, JSON.stringify(outcome)).toBe(status);
  if (outcome.status === "skipped") throw new Error("skipped");
  return outcome.run;
}

/** Every call the emulator's fault dice decides on, with a hook that runs before the call is served. */
interface FaultProbe {
  errors: number;
  calls: string[];
}

/**
 * Wraps the emulator's fault injector (test-side only): counts the calls it answered with an
 * injected error, and lets `before` act on a call (drop the sessions, take a permission away)
 * before the call is authorized and served.
 */
function probeFaults(s: SyncHarness, before: (path: string, probe: FaultProbe) => void = () => {}): FaultProbe {
  const faults = s.org.faults;
  const decide = faults.decide.bind(faults);
  const probe: FaultProbe = { errors: 0, calls: [] };
  faults.decide = (path: string) => {
    probe.calls.push(path);
    before(path, probe);
    const decision = decide(path);
    if (decision.kind === "error") probe.errors++;
    return decision;
  };
  return probe;
}

const tokenCalls = (s: SyncHarness) => s.org.counters.snapshot().byEndpoint["POST /services/oauth2/token"] ?? 0;

/** The first call whose path matches drops every session of the org, once. */
function expireSessionsOnce(s: SyncHarness, on: RegExp) {
  const state = { expired: 0 };
  const probe = probeFaults(s, (path) => {
    if (state.expired === 0 && on.test(path)) state.expired = s.org.sessions.expireAll();
  });
  return { probe, state };
}

const LOCATOR_PAGE = /\/(query|queryAll)\/01g/;
const QUERY = /\/services\/data\/v[\d.]+\/(query|queryAll)$/;

describe("sync under faults", () => {
  it("REST: 5% of calls answered 503 and the session dropped mid-run still ends equal to the source", async () => {
    h = await startHarness({ sync: { manifest: ACCOUNT_MANIFEST }, env: { FORCELINK_SYNC_BULK_THRESHOLD: "1000000" } });
    generateRecords(h.org, "Account", 6_000);
    const { probe, state } = expireSessionsOnce(h, LOCATOR_PAGE);
    const tokensBefore = tokenCalls(h);
    // Seed 310 rolls a 503 on the 2nd and 4th call after it is set: a run of ~6 calls meets some.
    h.org.faults.configure({ errorRate: 0.05, errorStatus: 503, seed: 310 });
    const outcome = await h.run("Account");
    h.org.faults.reset();
    const run = ended(outcome, "completed");
    expect(run.mode).toBe("rest");
    expect(probe.errors, "the emulator answered some calls with 503").toBeGreaterThan(0);
    expect(state.expired, "the session was dropped during the run").toBeGreaterThan(0);
    expect(tokenCalls(h), "a new token was fetched after the session dropped").toBeGreaterThan(tokensBefore);
    expect(run.counts.read).toBeGreaterThanOrEqual(6_000);
    await expectServedEqualsSource(h);
  });

  it("Bulk: 5% of calls answered 503 and the session dropped while fetching results still ends equal to the source", async () => {
    h = await startHarness({ sync: { manifest: ACCOUNT_MANIFEST }, env: { FORCELINK_SYNC_BULK_THRESHOLD: "1000" } });
    generateRecords(h.org, "Account", 30_000);
    const { probe, state } = expireSessionsOnce(h, /\/jobs\/query\/[^/]+\/results/);
    const tokensBefore = tokenCalls(h);
    // Seed 166 rolls a 503 on the 2nd, 7th and 9th call after it is set.
    h.org.faults.configure({ errorRate: 0.05, errorStatus: 503, seed: 166 });
    const outcome = await h.run("Account");
    h.org.faults.reset();
    const run = ended(outcome, "completed");
    expect(run.mode).toBe("bulk");
    expect(probe.errors, "the emulator answered some calls with 503").toBeGreaterThan(0);
    expect(state.expired, "the session was dropped during the run").toBeGreaterThan(0);
    expect(tokenCalls(h)).toBeGreaterThan(tokensBefore);
    expect(run.counts.read).toBeGreaterThanOrEqual(30_000);
    await expectServedEqualsSource(h);
  }, 60_000);

  it("QUERY_TIMEOUT once on the backfill's read, and once on an incremental run's window, still ends equal to the source", async () => {
    h = await startHarness({ sync: { manifest: ACCOUNT_MANIFEST } });
    generateRecords(h.org, "Account", 3_000);
    // The backfill: the run's 2nd query (after COUNT()) is the read; it times out once.
    let queries = 0;
    const timeouts = { armed: 0 };
    probeFaults(h, (path) => {
      if (!QUERY.test(path)) return;
      queries++;
      if (queries === 2) {
        h!.org.faults.configure({ queryTimeout: 1 });
        timeouts.armed++;
      }
    });
    const backfill = ended(await h.run("Account"), "completed");
    expect(timeouts.armed).toBe(1);
    expect(h.org.faults.settings.queryTimeout, "the injected timeout was met").toBe(0);
    expect(backfill.counts.read).toBeGreaterThanOrEqual(3_000);
    await expectServedEqualsSource(h);

    // An incremental run: its window has both ends, so a timeout splits it in two.
    const ctx = h.org.writeContext(h.adminId);
    const ids = [...h.source("Account").keys()];
    for (const id of ids.slice(0, 25)) h.org.store.update("Account", id, { Name: `After timeout ${id}` }, ctx);
    h.org.store.softDelete("Account", ids[100], ctx);
    h.org.faults.configure({ queryTimeout: 1 });
    const incremental = ended(await h.run("Account"), "completed");
    expect(h.org.faults.settings.queryTimeout).toBe(0);
    expect(incremental.counts.deleted).toBe(1);
    await expectServedEqualsSource(h);
    const served = await h.served("Account");
    expect(served.get(ids[0])?.data?.Name).toBe(`After timeout ${ids[0]}`);
    expect(served.get(ids[100])?.deleted).toBe(true);
  });

  it("QUERY_TIMEOUT when a Bulk query job is created, on a backfill and on an incremental window, still ends equal to the source", async () => {
    h = await startHarness({ sync: { manifest: ACCOUNT_MANIFEST }, env: { FORCELINK_SYNC_BULK_THRESHOLD: "1000" } });
    generateRecords(h.org, "Account", 2_500);
    const s = h;
    // The next Bulk query job created after `armed.next` is set times out, once.
    const armed = { next: true, times: 0 };
    probeFaults(h, (path) => {
      if (!armed.next || !/\/jobs\/query$/.test(path)) return;
      armed.next = false;
      s.org.faults.configure({ queryTimeout: 1 });
      armed.times++;
    });
    const backfill = ended(await h.run("Account"), "completed");
    expect(backfill.mode).toBe("bulk");
    expect(armed.times).toBe(1);
    expect(h.org.faults.settings.queryTimeout).toBe(0);
    await expectServedEqualsSource(h);

    const ctx = h.org.writeContext(h.adminId);
    const ids = [...h.source("Account").keys()];
    for (const id of ids.slice(0, 1_200)) h.org.store.update("Account", id, { Name: `Bulk again ${id}` }, ctx);
    armed.next = true;
    const incremental = ended(await h.run("Account"), "completed");
    expect(incremental.mode).toBe("bulk");
    expect(armed.times).toBe(2);
    expect(h.org.faults.settings.queryTimeout).toBe(0);
    expect(incremental.counts.upserted).toBeGreaterThanOrEqual(1_200);
    await expectServedEqualsSource(h);
    expect((await h.served("Account")).get(ids[0])?.data?.Name).toBe(`Bulk again ${ids[0]}`);
  });
});

/** The Account ObjectPermissions rows, as flags by row id (to check a restore is exact). */
function accountPermissions(s: SyncHarness): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of s.org.store.tableOrThrow("ObjectPermissions").live())
    if (r.SobjectType === "Account")
      out.set(
        `${r.ParentId}`,
        Object.entries(r)
          .filter(([k, v]) => k.startsWith("Permissions") && v === true)
          .map(([k]) => k)
          .sort()
          .join(","),
      );
  return out;
}

const HOLDERS = ["Standard User", "Forcelink_Integration"];

function takeAccountAway(s: SyncHarness): void {
  for (const holder of HOLDERS) s.admin.setObjectPermissions(holder, "Account", []);
}

/** Gives back what the seed granted the Standard User profile on Account (the permission set had none). */
function giveAccountBack(s: SyncHarness, before: Map<string, string>): void {
  s.admin.setObjectPermissions("Standard User", "Account", ["Read", "Create", "Edit", "Delete"]);
  expect([...accountPermissions(s).values()].sort()).toEqual([...before.values()].sort());
}

describe("a failure that is not worth retrying", () => {
  it("Read on Account taken away mid-run: the run fails naming object-access, keeps its checkpoint, and resumes once access is back", async () => {
    h = await startHarness({ sync: { manifest: ACCOUNT_MANIFEST, runAs: DEMO.integration.username } });
    generateRecords(h.org, "Account", 5_000);
    const before = accountPermissions(h);
    // At the read's 2nd page: Read goes, and the open cursor dies with it, so the engine reads
    // again from its checkpoint (after page 1) and meets the missing permission.
    const s = h;
    let fired = false;
    probeFaults(h, (path) => {
      if (fired || !LOCATOR_PAGE.test(path)) return;
      fired = true;
      takeAccountAway(s);
      s.org.settings.locatorTtlSeconds = 0;
    });
    const failed = ended(await h.run("Account"), "failed");
    expect(fired).toBe(true);
    h.org.settings.locatorTtlSeconds = 900;
    const error = failed.error as { code?: string; check?: { id: string; remedy: string[] } } | null;
    expect(error?.code, JSON.stringify(error)).toBe("INVALID_TYPE");
    expect(error?.check?.id, JSON.stringify(error)).toBe("object-access");
    expect(error?.check?.remedy.length).toBeGreaterThan(0);
    expect(failed.counts.read).toBe(2_000);

    // The checkpoint is the last record of the page delivered, not beyond.
    const state = await syncStateOf(h);
    expect(state?.status).toBe("failed");
    expect(state?.statusReason).toBeTruthy();
    const served = await h.served("Account");
    expect(served.size).toBe(2_000);
    const lastDelivered = [...served.values()]
      .map((r) => ({ stamp: Date.parse(String(r.data?.SystemModstamp)), id: String(r.data?.Id) }))
      .sort(byCursor)
      .at(-1)!;
    expect(state?.checkpoint?.id).toBe(lastDelivered.id);
    expect(Date.parse(state?.checkpoint?.value ?? "")).toBe(lastDelivered.stamp);
    const [lastRun] = await syncRunsOf(h, "Account");
    expect(lastRun).toMatchObject({ status: "failed", error: { check: { id: "object-access" } } });

    giveAccountBack(h, before);
    const resumed = ended(await h.run("Account"), "completed");
    expect(resumed.counts.read, "the next run starts from the checkpoint, not from scratch").toBeLessThan(5_000);
    await expectServedEqualsSource(h);
    expect((await syncStateOf(h))?.status).toBe("idle");
  });

  it("Read on Account taken away between runs: the next run fails naming object-access, and completes once access is back", async () => {
    h = await startHarness({ sync: { manifest: ACCOUNT_MANIFEST, runAs: DEMO.integration.username } });
    generateRecords(h.org, "Account", 300);
    const before = accountPermissions(h);
    ended(await h.run("Account"), "completed");
    const checkpoint = (await syncStateOf(h))?.checkpoint;
    expect(checkpoint).not.toBeNull();

    takeAccountAway(h);
    const failed = ended(await h.run("Account"), "failed");
    const error = failed.error as { code?: string; message?: string; check?: { id: string } } | null;
    expect(error?.check?.id, JSON.stringify(error)).toBe("object-access");
    const state = await syncStateOf(h);
    expect(state?.status).toBe("failed");
    expect(state?.checkpoint, "the checkpoint is kept").toEqual(checkpoint);

    giveAccountBack(h, before);
    const ctx = h.org.writeContext(h.adminId);
    const [first] = h.source("Account").keys();
    h.org.store.update("Account", first, { Name: "Changed while access was gone" }, ctx);
    ended(await h.run("Account"), "completed");
    await expectServedEqualsSource(h);
  });
});
