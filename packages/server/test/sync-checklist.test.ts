import { DEMO } from "@forcelink/emulator";
import { afterAll, describe, expect, it } from "vitest";
import { type SyncHarness, startHarness } from "./support/harness.ts";

/** An installed manifest is what the pre-install checklist checks the org against. */
describe("the checklist of a connection with an integration installed", () => {
  let h: SyncHarness | undefined;
  afterAll(async () => h?.close());

  it("checks read access to the manifest's objects and fields", async () => {
    h = await startHarness({
      sync: {
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
      },
    });
    const res = await h.api(`/v1/connections/${h.connectionId}/checklist`, { method: "POST" });
    expect(res.status).toBe(200);
    const run = (await res.json()) as {
      checks: Array<{
        id: string;
        verdict: string;
        reason?: string;
        remedy?: string[];
        evidence: Record<string, unknown>;
      }>;
    };
    const objects = run.checks.find((c) => c.id === "object-access")!;
    // A read needs Read: nobody gave the integration user Read on Invoices. View All Records and
    // View All Fields only widen what the sync sees, so they are a note, never a step to tick.
    expect(objects.verdict).toBe("fail");
    const steps = objects.remedy ?? [];
    expect(steps).toContain("Invoice__c: tick Read.");
    expect(steps.join(" ")).not.toMatch(/View All/);
    expect(steps.some((s) => s.startsWith("Account:"))).toBe(false);
    expect(objects.evidence.wouldWidenVisibility).toMatchObject({ Account: ["View All Records", "View All Fields"] });
  });
});
