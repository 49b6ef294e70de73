import { DEMO, generateRecords } from "@forcelink/emulator";
import { afterEach, describe, expect, it } from "vitest";
import { runSyncJob } from "../src/sync/sync-jobs.ts";
import { type SyncHarness, startHarness } from "./support/harness.ts";
import { ACCOUNT_MANIFEST, expectServedEqualsSource } from "./support/sync-records.ts";

let h: SyncHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Gives `count` new Accounts the same SystemModstamp (ms, whole second). */
function insertSameSecond(s: SyncHarness, count: number, stampMs: number, prefix: string): string[] {
  const ctx = s.org.writeContext(s.adminId);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = s.org.store.insert("Account", { Name: `${prefix} ${i}` }, ctx);
    r.SystemModstamp = stampMs;
    ids.push(r.Id as string);
  }
  return ids;
}

function completed(outcome: Awaited<ReturnType<SyncHarness["run"]>>) {
  expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
  if (outcome.status === "skipped") throw new Error("skipped");
  return outcome.run;
}

describe("sync correctness against the emulator", () => {
  it("backfills the full history, then picks up updates and deletes between runs", async () => {
    h = await startHarness({ sync: { manifest: ACCOUNT_MANIFEST }, seed: undefined });
    generateRecords(h.org, "Account", 3_000);
    const first = completed(await h.run("Account"));
    expect(first.mode).toBe("rest");
    expect(first.counts.read).toBe(3_000);
    await expectServedEqualsSource(h);

    const ctx = h.org.writeContext(h.adminId);
    const ids = [...h.source("Account").keys()];
    h.org.store.update("Account", ids[0], { Name: "Renamed between runs" }, ctx);
    h.org.store.softDelete("Account", ids[1], ctx);
    const second = completed(await h.run("Account"));
    expect(second.counts.deleted).toBe(1);
    await expectServedEqualsSource(h);
    const served = await h.served("Account");
    expect(served.get(ids[0])?.data?.Name).toBe("Renamed between runs");
    expect(served.get(ids[1])?.deleted).toBe(true);
  });

  it("loses no row written in one second across a page boundary and a run boundary", async () => {
    h = await startHarness({ sync: { manifest: ACCOUNT_MANIFEST } });
    const stamp = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    // 2,500 rows in one second: the REST pages (2,000) split inside that second.
    insertSameSecond(h, 2_500, stamp, "Tied");
    const first = completed(await h.run("Account"));
    expect(first.counts.read).toBe(2_500);
    // More rows stamped with the very second the checkpoint sits on, after the run.
    insertSameSecond(h, 30, stamp, "Late tie");
    completed(await h.run("Account"));
    await expectServedEqualsSource(h);
  });

  it("finds rows that became visible late, with a stamp behind the checkpoint", async () => {
    h = await startHarness({ sync: { manifest: ACCOUNT_MANIFEST }, env: { FORCELINK_SYNC_LOOKBACK_SECONDS: "300" } });
    generateRecords(h.org, "Account", 50);
    completed(await h.run("Account"));
    // A transaction that committed after the run, stamped two minutes before it.
    insertSameSecond(h, 3, Date.now() - 120_000, "Committed late");
    completed(await h.run("Account"));
    await expectServedEqualsSource(h);
  });

  it("keeps going when field-level security hides a declared field mid-way, and reports it", async () => {
    h = await startHarness({ sync: { manifest: ACCOUNT_MANIFEST, runAs: DEMO.integration.username } });
    generateRecords(h.org, "Account", 20);
    const before = completed(await h.run("Account"));
    expect(before.drift).toBeNull();
    for (const holder of ["Standard User", "Forcelink_Integration"])
      h.admin.setFieldPermissions(holder, "Account.Industry", "none");
    const ctx = h.org.writeContext(h.adminId);
    const [first] = h.source("Account").keys();
    h.org.store.update("Account", first, { Name: "Changed after the field was hidden" }, ctx);
    const run = completed(await h.run("Account"));
    expect(run.drift).toMatchObject({ hidden: ["Industry"], removed: ["Industry"] });
    await expectServedEqualsSource(h);
  });

  it("backfills through Bulk 2.0 above the threshold, then runs incrementally through REST", async () => {
    h = await startHarness({ sync: { manifest: ACCOUNT_MANIFEST }, env: { FORCELINK_SYNC_BULK_THRESHOLD: "1000" } });
    generateRecords(h.org, "Account", 5_000);
    const backfill = completed(await h.run("Account"));
    expect(backfill.mode).toBe("bulk");
    expect(backfill.counts.read).toBe(5_000);
    await expectServedEqualsSource(h);
    const ctx = h.org.writeContext(h.adminId);
    const ids = [...h.source("Account").keys()].slice(0, 10);
    for (const id of ids) h.org.store.update("Account", id, { Name: `Incremental ${id}` }, ctx);
    const incremental = completed(await h.run("Account"));
    expect(incremental.mode).toBe("rest");
    expect(incremental.counts.upserted).toBeGreaterThanOrEqual(10);
    await expectServedEqualsSource(h);
  });

  it("fills a field that appears (access granted) for rows that did not change since", async () => {
    h = await startHarness({ sync: { manifest: ACCOUNT_MANIFEST, runAs: DEMO.integration.username } });
    for (const holder of ["Standard User", "Forcelink_Integration"])
      h.admin.setFieldPermissions(holder, "Account.Industry", "none");
    generateRecords(h.org, "Account", 30);
    const hidden = completed(await h.run("Account"));
    expect(hidden.drift).toMatchObject({ hidden: ["Industry"] });
    h.admin.setFieldPermissions("Forcelink_Integration", "Account.Industry", "read");
    const shown = completed(await h.run("Account"));
    expect(shown.drift).toMatchObject({ added: ["Industry"] });
    const served = await h.served("Account");
    for (const [id, row] of h.source("Account")) expect(served.get(id)?.data?.Industry).toBe(row.Industry ?? null);
  });

  it("refreshes formula fields, which change without SystemModstamp, on the formula schedule", async () => {
    h = await startHarness({
      sync: {
        manifest: `
name: invoices
destinations:
  cache:
    type: records
objects:
  - name: Invoice__c
    fields: all
    formulaRefresh: "0 4 * * *"
    destinations: [cache]
`,
      },
    });
    const ctx = h.org.writeContext(h.adminId);
    const account = h.org.store.insert("Account", { Name: "Before" }, ctx);
    const invoice = h.org.store.insert("Invoice__c", { Name: "INV-1", Account__c: account.Id }, ctx);
    // Written an hour ago: outside the lookback of later runs.
    invoice.SystemModstamp = Date.now() - 3_600_000;
    completed(await h.run("Invoice__c"));
    expect((await h.served("Invoice__c")).get(invoice.Id as string)?.data?.Account_Name__c).toBe("Before");
    // The parent's name changes: the invoice's formula follows, its SystemModstamp does not.
    const stamp = invoice.SystemModstamp;
    h.org.store.update("Account", account.Id as string, { Name: "After" }, ctx);
    expect(h.org.store.tableOrThrow("Invoice__c").get(invoice.Id as string)?.SystemModstamp).toBe(stamp);
    completed(await h.run("Invoice__c"));
    expect((await h.served("Invoice__c")).get(invoice.Id as string)?.data?.Account_Name__c).toBe("Before");
    const refreshed = await runSyncJob(h.server.platform, {
      installationId: h.installationId,
      object: "Invoice__c",
      trigger: "formulas",
    });
    const refreshRun = completed(refreshed);
    expect((await h.served("Invoice__c")).get(invoice.Id as string)?.data?.Account_Name__c).toBe("After");
    // Re-reading every row's formulas leaves the checkpoint at the end of the run's window.
    const states = (await (await h.api(`/v1/connections/${h.connectionId}/syncs`)).json()) as {
      data: Array<{ object: string; checkpoint: { value: string } | null }>;
    };
    expect(states.data.find((x) => x.object === "Invoice__c")?.checkpoint?.value).toBe(refreshRun.window.to);
  });
});
