import { generateRecords } from "@forcelink/emulator";
import { afterEach, describe, expect, it } from "vitest";
import { type SyncHarness, startHarness } from "./support/harness.ts";
import { expectServedEqualsSource, syncStateOf } from "./support/sync-records.ts";

let h: SyncHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Six objects of one installation (one more than a `/composite` call counts), deletions tracked but on User. */
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
  it("cost one API call for every five objects of the connection, and still see updates and deletes", async () => {
    h = await startHarness({ sync: { manifest: MANIFEST }, seed: undefined });
    oldRecords(h, "Account", 50);
    oldRecords(h, "Contact", 30);
    oldRecords(h, "Opportunity", 20);
    await runAll(h);
    await expectServedEqualsSource(h, "Account");
    nextRound(h);

    const before = { calls: h.apiCalls(), describes: describes(h), composites: composites(h) };
    const idle = await runAll(h);
    expect(h.apiCalls() - before.calls).toBe(2);
    expect(composites(h) - before.composites).toBe(2);
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
    expect(h.apiCalls() - beforeChange).toBe(2 + 2 * 3);
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
