import { DEMO } from "@forcelink/emulator";
import { afterAll, describe, expect, it } from "vitest";
import { type SyncHarness, startSyncHarness } from "./support/sync-harness.ts";

/** An installed manifest is what the pre-install checklist checks the org against. */
describe("the checklist of a connection with an integration installed", () => {
  let h: SyncHarness | undefined;
  afterAll(async () => h?.close());

  it("checks read access to the manifest's objects and fields", async () => {
    h = await startSyncHarness({
      runAs: DEMO.integration.username,
      manifest: `
name: billing
destinations:
  cache:
    type: records
objects:
  - name: Account
    fields: [Name, Industry]
    schedule: "0 0 1 1 *"
    destinations: [cache]
  - name: Invoice__c
    fields: [Amount__c]
    schedule: "0 0 1 1 *"
    destinations: [cache]
`,
    });
    const res = await h.api(`/v1/connections/${h.connectionId}/checklist`, { method: "POST" });
    expect(res.status).toBe(200);
    const run = (await res.json()) as { checks: Array<{ id: string; verdict: string; remedy?: string[] }> };
    const objects = run.checks.find((c) => c.id === "object-access")!;
    // A sync reads every record and field: View All on both objects, and Read on Invoices, which
    // nobody gave the integration user.
    expect(objects.verdict).toBe("fail");
    const steps = objects.remedy ?? [];
    expect(steps).toContain("Account: tick View All Records, View All Fields.");
    expect(steps).toContain("Invoice__c: tick Read, View All Records, View All Fields.");
  });
});
