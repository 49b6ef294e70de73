import { DEMO } from "@forcelink/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mergeRequirements } from "../src/checklist/connection-checklist.ts";
import { needsFrom } from "../src/checklist/needs.ts";
import { type Manifest, manifestRequirements, parseManifest } from "../src/integrations/manifest/manifest.ts";
import { judgeWrite, type WriteIntent, writeAllowed, writeRule } from "../src/integrations/write-allowed.ts";
import { Problem } from "../src/remedies/problem.ts";
import { type SyncHarness, startHarness } from "./support/harness.ts";

/**
 * A manifest's `writes`: what the pre-install checklist asks of the org for them (against the
 * emulator, through the API), and the strict refusal of writes they do not declare.
 */

function manifest(text: string): Manifest {
  const result = parseManifest(text);
  if (!result.ok) throw new Error(JSON.stringify(result.errors, null, 2));
  return result.manifest;
}

const CONTACT_WRITER = `
name: contact-writer
writes:
  strict: true
  objects:
    - name: Contact
      operations: [insert, update, upsert]
      fields: [LastName, Email, Title, AccountId]
    - name: Case
      operations: [delete]
`;

const LEAD_WRITER = `
name: lead-writer
writes:
  objects:
    - name: Lead
      operations: [insert]
      fields: [LastName, Company]
`;

const BY_EXTERNAL_ID = `
name: by-external-id
writes:
  strict: true
  objects:
    - name: Account
      operations: [upsert]
      fields: [Name]
      externalIdField: External_Id__c
`;

const READER = `
name: reader
destinations:
  cache:
    type: records
objects:
  - name: Account
    destinations: [cache]
`;

type Row = [
  label: string,
  installed: string[],
  intent: WriteIntent,
  refused: false | { integration: string; says: string },
];

const contactInsert = (fields: string[]): WriteIntent => ({ object: "Contact", operation: "insert", fields });

// biome-ignore format: one line per case reads as a table
const ROWS: Row[] = [
  ["nothing installed", [], contactInsert(["Phone"]), false],
  ["only non-strict integrations", [LEAD_WRITER, READER], { object: "Opportunity", operation: "delete", fields: [] }, false],
  ["a declared insert", [CONTACT_WRITER], contactInsert(["LastName", "Email"]), false],
  ["field names ignore case, Id is no field", [CONTACT_WRITER], { object: "contact", operation: "update", fields: ["Id", "lastname", "EMAIL"] }, false],
  ["a parent reference sets the declared lookup field", [CONTACT_WRITER], contactInsert(["LastName", "Account"]), false],
  ["a parent reference as a CSV column", [CONTACT_WRITER], contactInsert(["LastName", "Account.External_Id__c"]), false],
  ["a declared delete, whatever the columns", [CONTACT_WRITER], { object: "Case", operation: "delete", fields: ["Id", "Subject"] }, false],
  ["an undeclared object", [CONTACT_WRITER], { object: "Opportunity", operation: "insert", fields: ["Name"] }, { integration: "contact-writer", says: "it declares no writes to Opportunity (only to Contact, Case)" }],
  ["an undeclared operation", [CONTACT_WRITER], { object: "Contact", operation: "delete", fields: [] }, { integration: "contact-writer", says: "it declares insert, update, upsert on Contact, not delete" }],
  ["an undeclared field", [CONTACT_WRITER], contactInsert(["LastName", "Phone", "phone", "Fax"]), { integration: "contact-writer", says: "it declares no field Phone, Fax on Contact (it declares LastName, Email, Title, AccountId)" }],
  ["an undeclared parent reference", [CONTACT_WRITER], contactInsert(["LastName", "ReportsTo"]), { integration: "contact-writer", says: "it declares no field ReportsTo on Contact" }],
  ["the upsert's own external id field undeclared", [CONTACT_WRITER], { object: "Contact", operation: "upsert", fields: ["LastName"], externalIdField: "Ext_Id__c" }, { integration: "contact-writer", says: "it declares no field Ext_Id__c on Contact" }],
  ["the declared external id", [BY_EXTERNAL_ID], { object: "Account", operation: "upsert", fields: ["Name", "External_Id__c"], externalIdField: "external_id__c" }, false],
  ["another external id", [BY_EXTERNAL_ID], { object: "Account", operation: "upsert", fields: ["Name"], externalIdField: "Name" }, { integration: "by-external-id", says: "it declares upserts on Account by External_Id__c, not by Name" }],
  ["another integration declares it", [CONTACT_WRITER, LEAD_WRITER], { object: "Lead", operation: "insert", fields: ["LastName"] }, false],
  ["nobody declares it: the strict one is named", [LEAD_WRITER, CONTACT_WRITER], { object: "Lead", operation: "delete", fields: [] }, { integration: "contact-writer", says: "it declares no writes to Lead" }],
  ["the strict one declaring the object is named", [CONTACT_WRITER, BY_EXTERNAL_ID], { object: "Account", operation: "delete", fields: [] }, { integration: "by-external-id", says: "it declares upsert on Account, not delete" }],
];

describe("judgeWrite: the strict refusal of undeclared writes", () => {
  it.each(ROWS)("%s", (_label, installed, intent, refused) => {
    const problem = judgeWrite(installed.map(manifest), intent);
    if (!refused) {
      expect(problem).toBeUndefined();
      return;
    }
    expect(problem).toBeInstanceOf(Problem);
    expect(problem?.kind).toBe("unprocessable");
    expect(problem?.code).toBe("write_not_declared");
    expect(problem?.message).toContain(`the integration '${refused.integration}' declares`);
    expect(problem?.message).toContain("writes.strict: true");
    expect(problem?.message).toContain(refused.says);
    expect(problem?.remedy).toContain(`the manifest of '${refused.integration}'`);
    expect(problem?.details).toMatchObject({ integration: refused.integration, operation: intent.operation });
  });
});

describe("the checklist's needs from written fields", () => {
  const written = (requirements: Parameters<typeof needsFrom>[0]) =>
    Object.fromEntries(needsFrom(requirements).fields.map((f) => [f.path, f.write]));

  it("asks editability of the written fields only, not of the fields an integration reads", () => {
    const both = manifest(
      `${READER}writes:\n  objects:\n    - name: Account\n      operations: [update]\n      fields: [Industry]\n`,
    );
    const reader = manifest(
      READER.replace("    destinations: [cache]", "    fields: [Name, CreatedDate]\n    destinations: [cache]"),
    );
    expect(written(manifestRequirements(both))).toEqual({ "Account.Industry": true });
    expect(written(mergeRequirements([manifestRequirements(reader), manifestRequirements(both)]))).toEqual({
      "Account.Id": false,
      "Account.Name": false,
      "Account.CreatedDate": false,
      "Account.Industry": true,
    });
  });

  it("keeps a provider app's own declaration: with write access, its listed fields are written", () => {
    const app = { objects: [{ name: "Account", access: ["read", "write"] as const, fields: ["Name"] }] };
    const merged = mergeRequirements([
      { objects: app.objects.map((o) => ({ ...o, access: [...o.access] })) },
      manifestRequirements(manifest(BY_EXTERNAL_ID)),
    ]);
    expect(merged.objects).toEqual([
      {
        name: "Account",
        access: ["read", "write", "create", "edit"],
        fields: ["Name", "External_Id__c"],
        writeFields: ["Name", "External_Id__c"],
      },
    ]);
    expect(written(merged)).toEqual({ "Account.Name": true, "Account.External_Id__c": true });
    expect(needsFrom(merged).objects[0].permissions).toEqual(["Read", "Create", "Edit", "Delete"]);
  });
});

describe("a connection with integrations that write", () => {
  let h: SyncHarness | undefined;
  beforeAll(async () => {
    // An integration that only writes installs like any other: nothing to schedule, no destination.
    h = await startHarness({ sync: { runAs: DEMO.integration.username, manifest: CONTACT_WRITER } });
  });
  afterAll(async () => h?.close());

  const control = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${h!.emulator.urls.login}/__emulator${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
  };

  type Check = { id: string; verdict: string; remedy?: string[]; evidence: Record<string, unknown> };
  const checklist = async (): Promise<Check[]> => {
    const res = await h!.api(`/v1/connections/${h!.connectionId}/checklist`, { method: "POST" });
    expect(res.status).toBe(200);
    return ((await res.json()) as { checks: Check[] }).checks;
  };
  const check = (checks: Check[], id: string) => checks.find((c) => c.id === id)!;

  it("checks Create, Edit and Delete on the written objects and that the written fields are editable", async () => {
    // The Standard User profile grants every object permission and edit on every field: both pass.
    const before = await checklist();
    expect(check(before, "object-access")).toMatchObject({ verdict: "pass" });
    expect(check(before, "field-editable")).toMatchObject({ verdict: "pass", evidence: { checked: 4 } });

    // Take Edit on Contact and Delete on Case away, and make one written field read-only.
    await control("PATCH", `/permissions/${encodeURIComponent("Standard User")}`, {
      objects: { Contact: ["Read", "Create", "Delete"], Case: ["Read", "Create", "Edit"] },
      fields: { "Contact.Title": "read" },
    });
    const after = await checklist();
    const objects = check(after, "object-access");
    expect(objects.verdict).toBe("fail");
    expect(objects.remedy).toContain("Contact: tick Edit.");
    expect(objects.remedy).toContain("Case: tick Delete.");
    expect(objects.evidence.missing).toEqual({ Contact: ["Edit"], Case: ["Delete"] });
    const fields = check(after, "field-editable");
    expect(fields.verdict).toBe("fail");
    expect(fields.evidence.readOnly).toEqual(["Contact.Title"]);
    expect(fields.remedy?.join(" ")).toContain("Contact.Title");
    // The written field can still be read: visibility passes, only editability fails.
    expect(check(after, "field-level-security")).toMatchObject({ verdict: "pass" });
  });

  it("refuses, through the store, a write the strict installed integration does not declare", async () => {
    const platform = h!.server.platform;
    expect(await writeAllowed(platform, h!.connectionId, contactInsert(["LastName", "Email"]))).toBeUndefined();
    const refused = await writeAllowed(platform, h!.connectionId, { object: "Lead", operation: "insert", fields: [] });
    expect(refused?.code).toBe("write_not_declared");
    expect(refused?.message).toContain("'contact-writer'");
    // For a streamed body: the manifests read first, the fields judged once the records are read.
    const rule = await writeRule(platform, h!.connectionId, { object: "Contact", operation: "insert" });
    expect(rule(new Set(["LastName", "Account"]))).toBeUndefined();
    expect(rule(new Set(["LastName", "Phone"]))?.message).toContain("it declares no field Phone on Contact");

    // A second, non-strict integration declaring Lead inserts lets those through, and only those.
    const uploaded = await h!.api("/v1/integrations", {
      method: "POST",
      body: LEAD_WRITER,
      headers: { "content-type": "application/yaml" },
    });
    expect(uploaded.status).toBe(201);
    const integration = ((await uploaded.json()) as { id: string }).id;
    const installed = await h!.api(`/v1/connections/${h!.connectionId}/integrations`, {
      method: "POST",
      body: { integration, startNow: false },
    });
    expect(installed.status).toBe(201);
    const leadInsert: WriteIntent = { object: "Lead", operation: "insert", fields: ["LastName", "Company"] };
    expect(await writeAllowed(platform, h!.connectionId, leadInsert)).toBeUndefined();
    const leadDelete = await writeAllowed(platform, h!.connectionId, {
      object: "Lead",
      operation: "delete",
      fields: [],
    });
    expect(leadDelete?.message).toContain("'contact-writer'");

    // Another connection has nothing installed: nothing is refused there.
    expect(await writeAllowed(platform, "conn_none", leadInsert)).toBeUndefined();
  });
});
