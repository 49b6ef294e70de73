import { afterEach, describe, expect, it } from "vitest";
import { esc } from "../src/connect/html.ts";
import { signIn } from "./support/console-client.ts";
import { type SyncHarness, startHarness } from "./support/harness.ts";
import { startReceiver } from "./support/receiver.ts";
import {
  fillChannelAllocation,
  live,
  liveManifest,
  sf,
  subscriptionOf,
  subscriptionsOf,
  uploadManifest,
} from "./support/subscription-client.ts";
import { suiteBackends } from "./support/test-database.ts";
import { waitFor } from "./support/wait.ts";

/**
 * A subscription's life after its install: paused when the org cannot serve it (allocation full,
 * permission taken away while it runs), resumed once the checks pass again, and matched to a
 * re-uploaded manifest (objects added to or taken off Change Data Capture).
 */

const ADMIN_PROFILE = "System Administrator";
const ACCOUNT_ALL = ["Read", "Create", "Edit", "Delete", "ViewAllRecords", "ViewAllFields"] as const;

const manifest = (subscribed: { account: boolean; contact: boolean }) =>
  liveManifest([
    { name: "Account", fields: ["Id", "Name", "SystemModstamp"], subscribe: subscribed.account },
    { name: "Contact", fields: ["Id", "LastName", "SystemModstamp"], subscribe: subscribed.contact },
  ]);

const backends = suiteBackends();

// Each test takes a subscription through several supervisor turns: on a loaded two-core CI machine
// the PGlite half has taken over a minute.
describe.each(backends)("subscription lifecycle (%s)", { timeout: 150_000 }, (backend) => {
  let h: SyncHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const faults = async (s: SyncHarness, method: "PUT" | "DELETE", body: unknown) => {
    const res = await fetch(`${s.emulator.urls.login}/__emulator/pubsub/faults`, {
      method,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBeLessThan(300);
  };
  const delivered = (s: SyncHarness, object: string, id: string, field: string, value: string) =>
    waitFor(async () => (await s.served(object)).get(id)?.data?.[field] === value, `${object} ${id} delivered`);
  const members = () =>
    [...h!.org.store.tableOrThrow("PlatformEventChannelMember").live()].map((m) => String(m.SelectedEntity)).sort();

  it("pauses while the allocation is full, refuses a resume until it is not, and resumes on a newer checklist run", async () => {
    const s = await startHarness({
      backend,
      pubsub: true,
      sync: { manifest: manifest({ account: false, contact: false }) },
    });
    h = s;
    const others = await fillChannelAllocation(s);
    const hook = await s.api("/v1/webhooks", {
      method: "POST",
      body: { url: "http://127.0.0.1:9/hooks", events: ["subscription.paused", "subscription.resumed"] },
    });
    expect(hook.status).toBe(201);
    await uploadManifest(s, manifest({ account: true, contact: false }));
    const paused = await subscriptionOf(s, "Account");
    expect(paused.state, JSON.stringify(paused)).toBe("paused");
    expect(paused.check?.id).toBe("cdc-allocation");

    // Asked to resume while the allocation is still full: refused with the check and its remedy.
    const refused = await s.api(`/v1/connections/${s.connectionId}/subscriptions/${paused.id}/resume`, {
      method: "POST",
    });
    expect(refused.status).toBe(409);
    const error = ((await refused.json()) as { error: { code: string; check?: { id: string; remedy: string[] } } })
      .error;
    expect(error.code).toBe("subscription_still_paused");
    expect(error.check?.id).toBe("cdc-allocation");
    expect(error.check?.remedy.length).toBeGreaterThan(0);
    expect((await subscriptionOf(s, "Account")).state).toBe("paused");
    // The console's button does the same: a 409 page with the remedy, the subscription still paused.
    const user = await signIn(s.server.url, s.apiKey);
    const page = await user.get(`/connections/${s.connectionId}`);
    expect(page.html).toContain(`id="resume-Account"`);
    const pressed = await user.post(`/connections/${s.connectionId}/subscriptions/${paused.id}/resume`, {
      csrf: user.csrf,
    });
    expect(pressed.status).toBe(409);
    expect(pressed.html).toContain(esc(error.check!.remedy[0]));

    // The admin frees one entity, then the checklist runs again: the subscription resumes on its own.
    await sf(s, "DELETE", `/tooling/sobjects/PlatformEventChannelMember/${others[0]}`);
    const run = await s.api(`/v1/connections/${s.connectionId}/checklist`, { method: "POST" });
    expect(run.status).toBe(200);
    await live(s, "Account");
    expect(members()).toContain("AccountChangeEvent");
    const id = String((await sf(s, "POST", "/sobjects/Account", { Name: "After the resume" }))!.id);
    await delivered(s, "Account", id, "Name", "After the resume");
    const events = await s.sql<{ event_type: string }>(
      "SELECT event_type FROM webhook_deliveries WHERE event_type LIKE 'subscription.%' ORDER BY created_at",
    );
    expect(events.map((e) => e.event_type)).toEqual(["subscription.paused", "subscription.resumed"]);
  });

  it("pauses with the permission check when the connected user loses access while it runs, and resumes from its checkpoint once asked", async () => {
    const s = await startHarness({
      backend,
      pubsub: true,
      sync: { manifest: manifest({ account: true, contact: false }) },
    });
    h = s;
    await live(s, "Account");
    const first = String((await sf(s, "POST", "/sobjects/Account", { Name: "Before" }))!.id);
    await delivered(s, "Account", first, "Name", "Before");

    // A change's event waits a second on its way; meanwhile View All Data and View All Records are
    // taken away. The stream drops after sending it, and the reconnect is refused.
    await faults(s, "PUT", { delayMs: 1_000, dropRate: 1 });
    await sf(s, "PATCH", `/sobjects/Account/${first}`, { Name: "While paused" });
    s.admin.setSystemPermissions(ADMIN_PROFILE, { ModifyAllData: false, ViewAllData: false });
    s.admin.setObjectPermissions(ADMIN_PROFILE, "Account", ["Read", "Create", "Edit", "Delete"]);
    const paused = await waitFor(async () => {
      const sub = await subscriptionOf(s, "Account");
      return sub.state === "paused" && sub;
    }, "the subscription paused");
    expect(paused.check?.id, JSON.stringify(paused)).toBe("subscription-permissions");
    expect(paused.check?.remedy.length).toBeGreaterThan(0);
    await faults(s, "DELETE", {});

    s.admin.setObjectPermissions(ADMIN_PROFILE, "Account", [...ACCOUNT_ALL]);
    s.admin.setSystemPermissions(ADMIN_PROFILE, { ModifyAllData: true, ViewAllData: true });
    // Resumed from the console's button: the checks run and pass.
    const user = await signIn(s.server.url, s.apiKey);
    const resumed = await user.post(`/connections/${s.connectionId}/subscriptions/${paused.id}/resume`, {
      csrf: user.csrf,
    });
    expect(resumed.status, resumed.html).toBe(303);
    expect(resumed.location).toContain("done=subscription-resumed");
    expect((await subscriptionOf(s, "Account")).state).not.toBe("paused");
    // From its checkpoint: the change made while it was paused arrives too.
    await delivered(s, "Account", first, "Name", "While paused");
    await live(s, "Account");
    await sf(s, "PATCH", `/sobjects/Account/${first}`, { Name: "After" });
    await delivered(s, "Account", first, "Name", "After");
  });

  it("subscribes with enrichment: an update carries the enriched field's unchanged value to the records and webhook destinations", async () => {
    const hook = await startReceiver();
    const enriched = `
name: live
destinations:
  cache:
    type: records
  hook:
    type: webhook
    url: ${hook.url}
objects:
  - name: Account
    fields: [Id, Name, Industry, AccountNumber, SystemModstamp]
    schedule: "0 0 1 1 *"
    subscribe: {enrichedFields: [AccountNumber]}
    destinations: [cache, hook]
`;
    try {
      const s = await startHarness({
        backend,
        pubsub: true,
        sync: { manifest: manifest({ account: false, contact: false }) },
      });
      h = s;
      // Created before Account is subscribed to (and never read by the sync): the destinations lack it.
      const id = String((await sf(s, "POST", "/sobjects/Account", { Name: "Known", AccountNumber: "EXT-7" }))!.id);
      await uploadManifest(s, enriched);
      await live(s, "Account");
      const member = [...s.org.store.tableOrThrow("PlatformEventChannelMember").live()].find(
        (m) => m.SelectedEntity === "AccountChangeEvent",
      );
      expect(JSON.parse(String(member?.EnrichedFields))).toEqual([{ name: "AccountNumber" }]);
      await sf(s, "PATCH", `/sobjects/Account/${id}`, { Industry: "Energy" });
      await delivered(s, "Account", id, "Industry", "Energy");
      expect((await s.served("Account")).get(id)?.data).toMatchObject({ Industry: "Energy", AccountNumber: "EXT-7" });
      // The webhook gets the update as a partial record: what changed, and the enriched field.
      const batch = await waitFor(
        () => hook.events.find((e) => e.type === "sync.records"),
        "the update at the webhook destination",
      );
      const upserts = (batch as unknown as { upserts: Array<Record<string, unknown>> }).upserts;
      expect(upserts).toHaveLength(1);
      expect(upserts[0]).toMatchObject({ Id: id, Industry: "Energy", AccountNumber: "EXT-7" });
      expect(upserts[0]).not.toHaveProperty("Name");
    } finally {
      await hook.close();
    }
  });

  it("matches subscriptions to a re-uploaded manifest: a new subscribed object is selected, one no longer subscribed is released", async () => {
    const s = await startHarness({
      backend,
      pubsub: true,
      sync: { manifest: manifest({ account: true, contact: false }) },
    });
    h = s;
    await live(s, "Account");
    expect(members()).toEqual(["AccountChangeEvent"]);
    await uploadManifest(s, manifest({ account: false, contact: true }));
    expect((await subscriptionsOf(s)).map((v) => v.object)).toEqual(["Contact"]);
    expect(members()).toEqual(["ContactChangeEvent"]);
    await live(s, "Contact");
    const id = String((await sf(s, "POST", "/sobjects/Contact", { LastName: "Subscribed later" }))!.id);
    await delivered(s, "Contact", id, "LastName", "Subscribed later");
    // Uploading the same manifest again changes nothing and runs no checklist.
    const runs = (await s.sql("SELECT id FROM checklist_runs")).length;
    await uploadManifest(s, manifest({ account: false, contact: true }));
    expect((await s.sql("SELECT id FROM checklist_runs")).length).toBe(runs);
    expect(members()).toEqual(["ContactChangeEvent"]);
    // Resuming one that is not paused changes nothing; one that is not the connection's is not found.
    const contact = await subscriptionOf(s, "Contact");
    const same = await s.api(`/v1/connections/${s.connectionId}/subscriptions/${contact.id}/resume`, {
      method: "POST",
    });
    expect(same.status).toBe(200);
    const missing = await s.api(`/v1/connections/${s.connectionId}/subscriptions/sub_nope/resume`, { method: "POST" });
    expect(missing.status).toBe(404);

    // A destination added to the subscribed object: the running subscriber picks it up on its own.
    const hook = await startReceiver();
    try {
      const withHook = manifest({ account: false, contact: true })
        .replace("    type: records\n", `    type: records\n  hook:\n    type: webhook\n    url: ${hook.url}\n`)
        .replace(/subscribe: true\n {4}destinations: \[cache\]/, "subscribe: true\n    destinations: [cache, hook]");
      expect(withHook).toContain("[cache, hook]");
      await uploadManifest(s, withHook);
      const arrived = await waitFor(
        async () => {
          const made = String((await sf(s, "POST", "/sobjects/Contact", { LastName: "Watched" }))!.id);
          const until = Date.now() + 3_000;
          while (Date.now() < until) {
            if (hook.events.some((e) => JSON.stringify(e).includes(made))) return made;
            await new Promise((r) => setTimeout(r, 100));
          }
          return false;
        },
        "a change at the new webhook destination",
        60_000,
      );
      expect(arrived).toBeTruthy();
    } finally {
      await hook.close();
    }
  });
});
