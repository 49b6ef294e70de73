import { afterEach, describe, expect, it } from "vitest";
import { esc } from "../src/connect/html.ts";
import {
  confirmDelivered,
  ensureSubscription,
  leaseMsOf,
  releaseLease,
  takeLease,
  updateSubscription,
} from "../src/subscriptions/subscription-store.ts";
import { signIn } from "./support/console-client.ts";
import { type SyncHarness, startHarness } from "./support/harness.ts";
import { fillChannelAllocation, live, liveManifest, sf, subscriptionOf } from "./support/subscription-client.ts";
import { suiteBackends } from "./support/test-database.ts";
import { waitFor } from "./support/wait.ts";

/**
 * Subscriptions against the emulator's Pub/Sub API: installing a `subscribe: true` object selects
 * it for Change Data Capture, a subscriber in the server delivers every change per record to the
 * records destination, and what the stream cannot be trusted with is read by query.
 */

const MANIFEST = liveManifest([
  { name: "Account", fields: ["Id", "Name", "Industry", "SystemModstamp"], subscribe: true, deletes: true },
]);

const backends = suiteBackends();

describe.each(backends)("subscriptions (%s)", (backend) => {
  let h: SyncHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const start = async () => {
    h = await startHarness({ backend, pubsub: true, sync: { manifest: MANIFEST } });
    return h;
  };
  const control = async (s: SyncHarness, method: string, path: string, body: unknown) => {
    const res = await fetch(`${s.emulator.urls.login}/__emulator${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
  };
  /** The records API serves exactly the source's rows among `ids` (Name, Industry; deleted ones as deleted). */
  const servedEqualsSource = async (s: SyncHarness, ids: string[]) => {
    const served = await s.served("Account");
    const source = s.source("Account");
    return ids.every((id) => {
      const row = source.get(id);
      const got = served.get(id);
      if (!row) return got?.deleted === true;
      return (
        got && !got.deleted && got.data?.Name === row.Name && (got.data?.Industry ?? null) === (row.Industry ?? null)
      );
    });
  };

  it("selects the object, then delivers REST and collections creates, updates, deletes and undeletes once each", async () => {
    const s = await start();
    const members = await s.sql<{ selected_entity: string }>("SELECT selected_entity FROM subscription_members");
    expect(members.map((m) => m.selected_entity)).toEqual(["AccountChangeEvent"]);
    await live(s);
    const created = (await sf(s, "POST", "/sobjects/Account", { Name: "Live One", Industry: "Energy" }))!;
    const one = String(created.id);
    await sf(s, "PATCH", `/sobjects/Account/${one}`, { Name: "Live One, renamed", Industry: null });
    const many = (await sf(s, "POST", "/composite/sobjects", {
      allOrNone: true,
      records: [1, 2, 3].map((i) => ({ attributes: { type: "Account" }, Name: `Batch ${i}` })),
    })) as unknown as Array<{ id: string }>;
    const batch = many.map((r) => r.id);
    await sf(s, "DELETE", `/sobjects/Account/${batch[0]}`);
    await sf(s, "DELETE", `/sobjects/Account/${batch[1]}`);
    await control(s, "POST", "/records/Account/undelete", { ids: [batch[1]] });
    const ids = [one, ...batch];
    await waitFor(() => servedEqualsSource(s, ids), "the destination to equal the source");
    // create + update, 3 creates, 2 deletes, 1 undelete: each change once, none twice.
    const sub = await waitFor(async () => {
      const v = await subscriptionOf(s);
      return v.eventsDelivered >= 8 && v;
    }, "eight changes delivered");
    expect(sub.eventsDelivered).toBe(8);
    expect(sub.replayId).not.toBeNull();
    expect(sub.lagMs).toBeGreaterThanOrEqual(0);
    expect(sub.recoveries).toEqual([]);
    const served = await s.served("Account");
    expect(served.get(one)?.data).toMatchObject({ Name: "Live One, renamed", Industry: null });
    expect(served.get(batch[0])?.deleted).toBe(true);
    expect(served.get(batch[1])?.deleted).toBe(false);
  });

  it("delivers the records a Bulk ingest job inserts, once each", async () => {
    const s = await start();
    await live(s);
    const job = (await sf(s, "POST", "/jobs/ingest", {
      object: "Account",
      operation: "insert",
      contentType: "CSV",
      lineEnding: "LF",
    }))!;
    const csv = "Name,Industry\nBulk One,Energy\nBulk Two,Media\nBulk Three,\n";
    await sf(s, "PUT", `/jobs/ingest/${job.id}/batches`, csv, { "content-type": "text/csv" });
    await sf(s, "PATCH", `/jobs/ingest/${job.id}`, { state: "UploadComplete" });
    const ids = await waitFor(async () => {
      // Salesforce processes the job in its own time; polling it is how a client sees it through.
      const state = (await sf(s, "GET", `/jobs/ingest/${job.id}`))!;
      expect(state.state).not.toBe("Failed");
      const bulk = [...s.source("Account").values()].filter((r) => String(r.Name).startsWith("Bulk "));
      return bulk.length === 3 && bulk.map((r) => String(r.Id));
    }, "the Bulk job's records");
    await waitFor(() => servedEqualsSource(s, ids), "the Bulk records delivered");
    const sub = await waitFor(async () => {
      const v = await subscriptionOf(s);
      return v.eventsDelivered >= 3 && v;
    }, "three records delivered");
    expect(sub.eventsDelivered).toBe(3);
  });

  it("reads by query from the last confirmed commit after an overflow event, then follows the stream again", async () => {
    const s = await start();
    await live(s);
    const first = String((await sf(s, "POST", "/sobjects/Account", { Name: "Before the overflow" }))!.id);
    await waitFor(() => servedEqualsSource(s, [first]), "the first create delivered");
    await control(s, "POST", "/pubsub/gap-events", { object: "Account", changeType: "GAP_OVERFLOW" });
    const recovered = await waitFor(async () => (await subscriptionOf(s)).recoveries[0], "a recovery");
    expect(recovered.reason).toBe("overflow");
    // The read starts at the last confirmed commit: the record committed then is read again.
    expect(recovered.records).toBeGreaterThanOrEqual(1);
    await live(s);
    const after = String((await sf(s, "POST", "/sobjects/Account", { Name: "After the overflow" }))!.id);
    await waitFor(() => servedEqualsSource(s, [first, after]), "the stream followed again");
  });

  it("re-reads the records a gap event names", async () => {
    const s = await start();
    await live(s);
    const created = (await sf(s, "POST", "/sobjects/Account", { Name: "Before the gap" }))!;
    const id = String(created.id);
    await waitFor(() => servedEqualsSource(s, [id]), "the create delivered");
    // The next change event goes out as a gap event: header and record ids only, no values.
    await control(s, "PUT", "/pubsub/faults", { gapEvents: 1 });
    await sf(s, "PATCH", `/sobjects/Account/${id}`, { Name: "Read back after the gap" });
    await waitFor(() => servedEqualsSource(s, [id]), "the gap's record read again");
    const sub = await subscriptionOf(s);
    expect(sub.recoveries[0]).toMatchObject({ reason: "gap", records: 1 });
    await waitFor(async () => {
      const activity = await s.sql<{ message: string }>("SELECT message FROM activity WHERE kind = 'subscription'");
      return activity.some((a) => a.message.includes("(gap)"));
    }, "the recovery's activity row");
  });

  it("reads by query from the last confirmed commit when the replay id is refused, then follows the stream again", async () => {
    const s = await start();
    await live(s);
    const first = String((await sf(s, "POST", "/sobjects/Account", { Name: "Confirmed" }))!.id);
    await waitFor(() => servedEqualsSource(s, [first]), "the first create delivered");
    // The stream drops; the reconnect's replay id is refused as corrupted.
    await control(s, "PUT", "/pubsub/faults", { corruptReplayIds: 1, dropRate: 1 });
    const missed = String((await sf(s, "POST", "/sobjects/Account", { Name: "Missed by the stream" }))!.id);
    await waitFor(async () => (await subscriptionOf(s)).recoveries.length > 0, "a recovery");
    await control(s, "DELETE", "/pubsub/faults", {});
    const sub = await subscriptionOf(s);
    expect(sub.recoveries[0].reason).toBe("replay_id_invalid");
    expect(sub.recoveries[0].records).toBeGreaterThanOrEqual(1);
    await waitFor(() => servedEqualsSource(s, [first, missed]), "the missed create read by query");
    await live(s);
    const after = String((await sf(s, "POST", "/sobjects/Account", { Name: "Back on the stream" }))!.id);
    await sf(s, "PATCH", `/sobjects/Account/${first}`, { Name: "Confirmed, then renamed" });
    await waitFor(() => servedEqualsSource(s, [first, missed, after]), "the stream followed again");
  });

  it("pauses with the allocation check and its remedy when the org's Change Data Capture allocation is full", async () => {
    const demo = await startHarness({ backend, pubsub: true, sync: { manifest: ACCOUNT_ONLY_READ } });
    h = demo;
    // The org's 5 entities are already selected, by someone else.
    await fillChannelAllocation(demo);
    const hook = await demo.api("/v1/webhooks", {
      method: "POST",
      body: { url: "http://127.0.0.1:9/hooks", events: ["subscription.paused"] },
    });
    expect(hook.status).toBe(201);
    const uploaded = await demo.api("/v1/integrations", {
      method: "POST",
      body: MANIFEST,
      headers: { "content-type": "application/yaml" },
    });
    expect(uploaded.status).toBe(201);
    const integration = ((await uploaded.json()) as { id: string }).id;
    const installed = await demo.api(`/v1/connections/${demo.connectionId}/integrations`, {
      method: "POST",
      body: { integration, startNow: false },
    });
    expect(installed.status).toBe(201);
    const sub = await subscriptionOf(demo);
    expect(sub.state, JSON.stringify(sub)).toBe("paused");
    expect(sub.check?.id, JSON.stringify(sub)).toBe("cdc-allocation");
    expect(sub.check?.remedy.length).toBeGreaterThan(0);
    expect(await demo.sql("SELECT * FROM subscription_members")).toEqual([]);
    const events = await demo.sql<{ message: string }>(
      "SELECT message FROM activity WHERE kind = 'subscription' AND message LIKE '%paused%'",
    );
    expect(events).toHaveLength(1);
    const [paused] = await demo.sql<{ payload: { data: { object: string; reason: string; check: { id: string } } } }>(
      "SELECT payload FROM webhook_deliveries WHERE event_type = 'subscription.paused'",
    );
    expect(paused.payload.data).toMatchObject({
      object: "Account",
      reason: "cdc-allocation",
      check: { id: "cdc-allocation" },
    });
    // The console's connection page shows the pause with the check's remedy.
    const page = await (await signIn(demo.server.url, demo.apiKey)).get(`/connections/${demo.connectionId}`);
    const panel = /<table id="subscriptions">[\s\S]*?<\/table>/.exec(page.html)?.[0] ?? "";
    expect(panel).toContain("Account");
    expect(panel).toContain("status-paused");
    expect(panel).toContain(`<li>${esc(sub.check!.remedy[0])}</li>`);
  });

  it("uninstalling deletes only the channel members Forcelink created", async () => {
    const s = await start();
    const [inst] = await s.sql<{ id: string }>("SELECT id FROM installations");
    const del = await s.api(`/v1/connections/${s.connectionId}/integrations/${inst.id}`, { method: "DELETE" });
    expect(del.status).toBe(204);
    expect(await s.sql("SELECT * FROM subscription_members")).toEqual([]);
    expect(await s.sql("SELECT * FROM subscriptions")).toEqual([]);
    const left = [...s.org.store.tableOrThrow("PlatformEventChannelMember").live()];
    expect(left.filter((m) => m.SelectedEntity === "AccountChangeEvent")).toEqual([]);
  });

  it("lets one process hold a subscription's lease, and another take it over once it runs out", async () => {
    const s = await start();
    const p = s.server.platform;
    const row = await ensureSubscription(p, {
      projectId: s.projectId,
      installationId: s.installationId,
      connectionId: s.connectionId,
      object: "Contact",
    });
    // Paused: this process's own subscribers leave it alone while the test plays two processes.
    await updateSubscription(p, row.id, { state: "paused" });
    expect(await takeLease(p, row.id, "first")).toBe(true);
    expect(await takeLease(p, row.id, "second")).toBe(false);
    expect(await takeLease(p, row.id, "first")).toBe(true);
    s.clock.advance(leaseMsOf(p) + 1_000);
    expect(await takeLease(p, row.id, "second")).toBe(true);
    // The first holder, back from a stall, can no longer move the checkpoint.
    expect(await confirmDelivered(p, row.id, "first", { replayId: "AA==", commitAt: null, events: 1 })).toBe(false);
    expect(await confirmDelivered(p, row.id, "second", { replayId: "AQ==", commitAt: null, events: 1 })).toBe(true);
    await releaseLease(p, row.id, "first");
    expect(await takeLease(p, row.id, "first")).toBe(false);
    await releaseLease(p, row.id, "second");
    expect(await takeLease(p, row.id, "first")).toBe(true);
  });
});

const ACCOUNT_ONLY_READ = `
name: reads
destinations:
  cache:
    type: records
objects:
  - name: Contact
    fields: [Id, LastName]
    schedule: "0 0 1 1 *"
    destinations: [cache]
`;
