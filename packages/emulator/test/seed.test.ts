import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyObjectSpec } from "../src/control/custom-schema.ts";
import { SpecError } from "../src/control/specs.ts";
import { buildOrg, readSeedFile } from "../src/seed/build-org.ts";
import { DEMO_SEED } from "../src/seed/demo-seed.ts";
import { generateRecords } from "../src/seed/generator.ts";

const dir = mkdtempSync(join(tmpdir(), "forcelink-seed-"));

describe("seed files", () => {
  it("builds an org from YAML: org, custom schema, permission sets, users, apps, records", () => {
    const path = join(dir, "acme.yaml");
    writeFileSync(
      path,
      `org: { name: Acme, edition: Developer Edition, isSandbox: true, myDomain: acme, dailyApiLimit: 15000, sessionTimeoutSeconds: 900 }
objects:
  - name: Account
    fields: [{ name: Code__c, type: string, unique: true, externalId: true }]
    grantTo: [System Administrator, Standard User]
  - name: Project__c
    fields: [{ name: Budget__c, type: currency }]
permissionSets: [{ name: Sync, system: { ViewSetup: true }, objects: { Account: [Read] } }]
users: [{ username: sync@acme.example, password: pw-1, profile: Standard User, permissionSets: [Sync] }]
apps: [{ name: My App, clientId: key-1, clientSecret: s-1, callbackUrls: ["http://localhost:4000/cb"], installed: false }]
records: { Account: [{ Name: Globex, Code__c: G-1, SystemModstamp: "2026-01-01T00:00:00Z" }] }
generate: { Project__c: 3 }
quota: { used: 10 }
`,
    );
    const { org } = buildOrg(readSeedFile(path));
    expect(org.organization()).toMatchObject({ Name: "Acme", OrganizationType: "Developer Edition", IsSandbox: true });
    expect(org.settings.sessionTimeoutSeconds).toBe(900);
    expect(org.apiUsage.limit).toBe(15000);
    expect(org.apiUsage.used()).toBe(10);
    const globex = [...org.store.tableOrThrow("Account").live()].find((r) => r.Name === "Globex")!;
    expect(globex.Code__c).toBe("G-1");
    expect(globex.SystemModstamp).toBe(Date.parse("2026-01-01T00:00:00Z"));
    expect(org.store.tableOrThrow("Project__c").size).toBe(3);
    expect(org.objectDef("Project__c")!.keyPrefix).toMatch(/^a0/);
    const user = org.userByUsername("sync@acme.example")!;
    expect(org.userAccess(user.Id).system.has("ViewSetup")).toBe(true);
    expect(org.appByClientId("key-1")!.installed).toBe(false);
    expect(org.store.tableOrThrow("ConnectedApplication").size).toBe(0);
  });

  it.each([
    ["org: { edition: 3 }", /org\.edition/],
    ["users: [{ username: x }]", /users\.0\.(username|password)/],
    ["objects: [{ name: Account, fields: [{ name: NoSuffix, type: string }] }]", /__c/],
    ["surprise: true", /surprise|Unrecognized/i],
    ["apps: [{ name: a, clientId: b, clientSecret: c, refreshTokenPolicy: { type: lifetime } }]", /seconds/],
  ])("rejects %s with an error naming the problem", (yaml, message) => {
    const path = join(dir, `bad-${Math.random()}.yaml`);
    writeFileSync(path, yaml);
    expect(() => buildOrg(readSeedFile(path))).toThrow(message);
  });

  it("names the unknown profile a user refers to", () => {
    expect(() => buildOrg({ users: [{ username: "a@b.c", password: "p", profile: "Nope" }] })).toThrow(
      /Profile named 'Nope'/,
    );
  });

  it("reports unreadable and malformed files clearly", () => {
    expect(() => readSeedFile(join(dir, "missing.yaml"))).toThrow(SpecError);
    const path = join(dir, "broken.json");
    writeFileSync(path, "{ not json");
    expect(() => readSeedFile(path)).toThrow(/not valid JSON/);
  });
});

describe("the record generator", () => {
  it("is deterministic, shares seconds between rows, and stays in the past", () => {
    const a = buildOrg({ ...DEMO_SEED, generate: {} }).org;
    const b = buildOrg({ ...DEMO_SEED, generate: {} }).org;
    generateRecords(a, "Account", 500);
    generateRecords(b, "Account", 500);
    const rowsA = [...a.store.tableOrThrow("Account").live()];
    const rowsB = [...b.store.tableOrThrow("Account").live()];
    expect(rowsA.map((r) => [r.Name, r.Industry, r.External_Id__c])).toEqual(
      rowsB.map((r) => [r.Name, r.Industry, r.External_Id__c]),
    );
    const seconds = new Map<unknown, number>();
    for (const r of rowsA) seconds.set(r.SystemModstamp, (seconds.get(r.SystemModstamp) ?? 0) + 1);
    expect(Math.max(...seconds.values())).toBeGreaterThanOrEqual(50);
    expect(
      rowsA.every((r) => (r.SystemModstamp as number) < a.clock.now() && (r.SystemModstamp as number) % 1000 === 0),
    ).toBe(true);
    const contacts = generateRecords(a, "Contact", 50);
    expect(contacts).toBe(50);
    const contact = a.store.tableOrThrow("Contact").live().next().value!;
    expect(a.store.tableOrThrow("Account").get(contact.AccountId as string)).toBeDefined();
    expect(contact.Name).toBe(`${contact.FirstName} ${contact.LastName}`);
  });
});

describe("a schema change", () => {
  it("is stamped on a whole second even when the clock turns one while it is read", () => {
    const { org, admin } = buildOrg(DEMO_SEED);
    // The clock turns a second between two readings: the stamp must come from one of them.
    const readings = [1_800_000_000_999, 1_800_000_001_000];
    org.clock.now = () => readings.shift() ?? 1_800_000_001_000;
    applyObjectSpec(org, admin, { name: "Account", fields: [{ name: "Stamp_Check__c", type: "string" }] });
    expect(org.schemaChangedAt % 1000).toBe(0);
    // Last-Modified (whole seconds) read back as If-Modified-Since must count as "not modified since".
    expect(Date.parse(new Date(org.schemaChangedAt).toUTCString())).toBe(org.schemaChangedAt);
  });
});
