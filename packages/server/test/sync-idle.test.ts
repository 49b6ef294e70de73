import { DEMO_SEED, generateRecords } from "@forcelink/emulator";
import { afterEach, describe, expect, it } from "vitest";
import { type SyncHarness, startHarness } from "./support/harness.ts";
import { expectServedEqualsSource, syncStateOf } from "./support/sync-records.ts";

let h: SyncHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Six objects of one installation (one more than a `/composite` call may query), deletions tracked but on User. */
const OBJECTS = ["Account", "Contact", "Opportunity", "Lead", "Case", "User"];
const MANIFEST = `
name: crm
destinations:
  cache:
    type: records
objects:
${OBJECTS.map(
  (name) => `  - name: ${name}
    fields: ${name === "Account" ? "[Id, Name]" : "[Id]"}
    schedule: "0 0 1 1 *"
    deletes: ${name !== "User"}
    destinations: [cache]`,
).join("\n")}
`;
const describes = (s: SyncHarness) =>
  s.org.counters.snapshot().byEndpoint["GET /services/data/:version/sobjects/:object/describe"] ?? 0;
const composites = (s: SyncHarness) =>
  s.org.counters.snapshot().byEndpoint["POST /services/data/:version/composite"] ?? 0;

/** `count` more records of the object; then every row of every object last changed ten minutes ago (before the lookback). */
function oldRecords(s: SyncHarness, object: string, count: number): void {
  generateRecords(s.org, object, count);
  for (const name of OBJECTS)
    for (const r of s.org.store.tableOrThrow(name).live()) r.SystemModstamp = s.org.clock.now() - 600_000;
}

/** The next scheduled round: time passes for Forcelink and the org alike (past the reuse of the last check). */
function nextRound(s: SyncHarness): void {
  s.clock.advance(61_000);
  s.org.clock.advance(61_000);
}

async function runAll(s: SyncHarness) {
  const outcomes = [];
  for (const object of OBJECTS) {
    const outcome = await s.run(object);
    expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
    outcomes.push(outcome);
  }
  return outcomes;
}

describe("idle incrementals", () => {
  it("cost one API call for the objects of the connection, and still see updates and deletes", async () => {
    h = await startHarness({ sync: { manifest: MANIFEST }, seed: undefined });
    oldRecords(h, "Account", 50);
    oldRecords(h, "Contact", 30);
    oldRecords(h, "Opportunity", 20);
    await runAll(h);
    await expectServedEqualsSource(h, "Account");
    nextRound(h);

    const before = { calls: h.apiCalls(), describes: describes(h), composites: composites(h) };
    const idle = await runAll(h);
    expect(h.apiCalls() - before.calls).toBe(1);
    expect(composites(h) - before.composites).toBe(1);
    expect(describes(h) - before.describes).toBe(0);
    expect(idle.map((o) => (o.status === "skipped" ? -1 : o.run.counts.read))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(idle.map((o) => (o.status === "skipped" ? -1 : o.run.mode))).toEqual(OBJECTS.map(() => null));
    const state = await syncStateOf(h, "Contact");
    expect(state?.status).toBe("idle");

    // A deleted Account and a renamed Contact: those two read (describe, count, query), the others stay idle.
    const ctx = h.org.writeContext(h.adminId);
    const accounts = [...h.source("Account").keys()];
    const contacts = [...h.source("Contact").keys()];
    h.org.store.softDelete("Account", accounts[0], ctx);
    h.org.store.update("Contact", contacts[0], { LastName: "Renamed" }, ctx);
    nextRound(h);
    const beforeChange = h.apiCalls();
    const [account, contact, opportunity, ...others] = await runAll(h);
    expect(account.status !== "skipped" && account.run.counts.deleted).toBe(1);
    expect(contact.status !== "skipped" && contact.run.counts.read).toBe(1);
    expect(opportunity.status !== "skipped" && opportunity.run.counts.read).toBe(0);
    for (const o of others) expect(o.status !== "skipped" && o.run.mode).toBe(null);
    expect(h.apiCalls() - beforeChange).toBe(1 + 2 * 3);
    await expectServedEqualsSource(h, "Account");
    expect((await h.served("Account")).get(accounts[0])?.deleted).toBe(true);
  });

  it("describes again once a day", async () => {
    h = await startHarness({ sync: { manifest: MANIFEST }, seed: undefined });
    oldRecords(h, "Account", 5);
    await runAll(h);
    nextRound(h);
    await runAll(h);
    const before = { calls: h.apiCalls(), describes: describes(h) };
    h.clock.advance(86_400_000);
    h.org.clock.advance(86_400_000);
    await runAll(h);
    // Every object describes (and reads its empty window) again: describe, count, query each.
    expect(describes(h) - before.describes).toBe(6);
    expect(h.apiCalls() - before.calls).toBe(18);
  });

  it("reads every time with FORCELINK_SYNC_IDLE_CHECK=off", async () => {
    h = await startHarness({
      sync: { manifest: MANIFEST },
      seed: undefined,
      env: { FORCELINK_SYNC_IDLE_CHECK: "off" },
    });
    oldRecords(h, "Account", 5);
    await runAll(h);
    nextRound(h);
    const before = h.apiCalls();
    await runAll(h);
    expect(composites(h)).toBe(0);
    expect(h.apiCalls() - before).toBe(18);
  });
});

/** `count` custom objects Thing01__c…, `deleting` of them syncing deletes, in one installation. */
function thingsSetup(count: number, deleting: number) {
  const names = Array.from({ length: count }, (_, i) => `Thing${String(i + 1).padStart(2, "0")}__c`);
  const manifest = `
name: things
destinations:
  cache:
    type: records
objects:
${names
  .map(
    (name, i) => `  - name: ${name}
    fields: [Id, Name]
    schedule: "0 0 1 1 *"
    deletes: ${i < deleting}
    destinations: [cache]`,
  )
  .join("\n")}
`;
  const things = names.map((name) => ({ name, fields: [], grantTo: ["System Administrator"] }));
  return { names, manifest, seed: { ...DEMO_SEED, objects: [...(DEMO_SEED.objects ?? []), ...things] } };
}

describe("one idle check call holds up to 25 objects", () => {
  // Get Updated (and Get Deleted) are sObject subrequests; a COUNT() is a query, and a
  // `/composite` call takes 25 subrequests of which 5 queries (the emulator refuses more).
  it.each([
    { objects: 25, deleting: 5, calls: 1 },
    { objects: 15, deleting: 15, calls: 1 },
    { objects: 16, deleting: 16, calls: 2 },
  ])("$objects objects, $deleting syncing deletes: $calls call(s)", async ({ objects, deleting, calls }) => {
    const setup = thingsSetup(objects, deleting);
    h = await startHarness({ sync: { manifest: setup.manifest }, seed: setup.seed });
    for (const name of setup.names) {
      generateRecords(h.org, name, 2);
      for (const r of h.org.store.tableOrThrow(name).live()) r.SystemModstamp = h.org.clock.now() - 600_000;
    }
    for (const name of setup.names) expect((await h.run(name)).status).toBe("completed");
    nextRound(h);
    nextRound(h);
    const before = { calls: h.apiCalls(), composites: composites(h) };
    for (const name of setup.names) {
      const outcome = await h.run(name);
      expect(outcome.status !== "skipped" && outcome.run.mode, name).toBe(null);
    }
    expect(composites(h) - before.composites).toBe(calls);
    expect(h.apiCalls() - before.calls).toBe(calls);
  });
});

describe("a change at the edge of the idle check's window", () => {
  // No lag and no lookback: the window is exactly [checkpoint, the whole minute behind Salesforce's
  // clock], so a change landing on either side of its end shows whether the check can skip one.
  const EDGE_MANIFEST = `
name: edge
destinations:
  cache:
    type: records
objects:
  - name: Account
    fields: [Id, Name]
    schedule: "0 0 1 1 *"
    deletes: true
    destinations: [cache]
  - name: Contact
    fields: [Id]
    schedule: "0 0 1 1 *"
    deletes: false
    destinations: [cache]
`;
  const EDGE_ENV = { FORCELINK_SYNC_LAG_SECONDS: "0", FORCELINK_SYNC_LOOKBACK_SECONDS: "0" };
  const CASES = [
    { change: "update", offsetMs: -60_000 },
    { change: "update", offsetMs: -1 },
    { change: "update", offsetMs: 0 },
    { change: "update", offsetMs: 1 },
    { change: "update", offsetMs: 999 },
    { change: "update", offsetMs: 29_999 },
    { change: "delete", offsetMs: -1 },
    { change: "delete", offsetMs: 0 },
  ] as const;

  /** Moves both clocks past the next whole minute M, to M + 30 s; returns M (Salesforce's clock). */
  function toHalfPastNextMinute(s: SyncHarness): number {
    const now = s.org.clock.now();
    const step = 60_000 + ((90_000 - (now % 60_000)) % 60_000);
    s.clock.advance(step);
    s.org.clock.advance(step);
    // The whole minute itself: the clock has ticked on since it was moved (now − 30 s could be M + 1 ms,
    // and a change "1 ms before the window's end" would then land on it, outside the window).
    const at = s.org.clock.now();
    return at - (at % 60_000);
  }

  it("is never skipped, whichever side of the window's end it lands", async () => {
    h = await startHarness({ sync: { manifest: EDGE_MANIFEST }, seed: undefined, env: EDGE_ENV });
    generateRecords(h.org, "Account", CASES.length);
    generateRecords(h.org, "Contact", 2);
    for (const object of ["Account", "Contact"]) expect((await h.run(object)).status).toBe("completed");
    const ids = [...h.source("Account").keys()];
    const ctx = h.org.writeContext(h.adminId);
    for (const [i, { change, offsetMs }] of CASES.entries()) {
      const label = `${change} at the window's end ${offsetMs} ms`;
      // An idle round: the checkpoint moves to a whole minute.
      toHalfPastNextMinute(h);
      const idle = await h.run("Account");
      expect(idle.status !== "skipped" && idle.run.mode, label).toBe(null);
      // One Account changes with SystemModstamp at the next window's end + offset.
      const end = toHalfPastNextMinute(h);
      const id = ids[i];
      if (change === "update") h.org.store.update("Account", id, { Name: `edge ${offsetMs}` }, ctx);
      else h.org.store.softDelete("Account", id, ctx);
      const row = [...h.org.store.tableOrThrow("Account").all()].find((r) => r.Id === id)!;
      row.SystemModstamp = end + offsetMs;
      const seen = async () => {
        const served = (await h!.served("Account")).get(id);
        return change === "update" ? served?.data?.Name === `edge ${offsetMs}` : served?.deleted === true;
      };

      const first = await h.run("Account");
      expect(first.status, label).toBe("completed");
      // Inside the window the check must report the change; and whatever the run did, the
      // checkpoint never passes a change it has not read.
      if (offsetMs < 0) expect(first.status !== "skipped" && first.run.mode, label).not.toBe(null);
      const checkpoint = Date.parse((await syncStateOf(h, "Account"))!.checkpoint!.value);
      if (end + offsetMs < checkpoint) expect(await seen(), `${label}: skipped`).toBe(true);

      // The next round reads it in any case.
      toHalfPastNextMinute(h);
      expect((await h.run("Account")).status, label).toBe("completed");
      expect(await seen(), `${label}: never synced`).toBe(true);
    }
    await expectServedEqualsSource(h, "Account");
  });
});
