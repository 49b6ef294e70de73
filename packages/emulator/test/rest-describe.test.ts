import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO } from "../src/seed/demo-seed.ts";
import { type DemoOrg, startDemoOrg } from "../src/testing/index.ts";

// Discovery (salesforce-api.md §2.1), describe (§2.2), getUpdated/getDeleted (§2.7), errors (§2.9).

const ADMIN = DEMO.admin.username;
const INTEGRATION = DEMO.integration.username;
const PLATFORM = DEMO.platform.username;
const SF_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$/;
const MINUTE = 60_000;
const DAY = 24 * 3600 * 1000;

interface ErrorItem {
  message: string;
  errorCode: string;
}

async function errorOf(res: Response, status: number, errorCode: string): Promise<ErrorItem> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  const body = JSON.parse(text) as ErrorItem[];
  expect(Array.isArray(body), text).toBe(true);
  expect(body[0].errorCode).toBe(errorCode);
  return body[0];
}

interface FieldDescribe {
  name: string;
  type: string;
  [key: string]: unknown;
}

describe("discovery and describe", () => {
  let t: DemoOrg;
  beforeAll(async () => {
    t = await startDemoOrg();
  });
  afterAll(async () => {
    await t.close();
  });

  async function describeAs(
    user: string,
    object: string,
  ): Promise<{ name: string; fields: FieldDescribe[]; [k: string]: unknown }> {
    const res = await t.api(user, `/sobjects/${object}/describe`);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    return JSON.parse(text);
  }

  describe("GET /services/data", () => {
    it("needs no session and lists the versions in ascending order, ending with v67.0 Summer '26", async () => {
      const res = await fetch(`${t.emulator.urls.myDomain}/services/data`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type") ?? "").toMatch(/^application\/json(;|$)/);
      const versions = (await res.json()) as Array<{ label: string; url: string; version: string }>;
      const numbers = versions.map((v) => Number(v.version));
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      expect(new Set(numbers).size).toBe(numbers.length);
      expect(versions.at(-1)).toEqual({ label: "Summer '26", url: "/services/data/v67.0", version: "67.0" });
      expect(versions.find((v) => v.version === "66.0")?.label).toBe("Spring '26");
      expect(versions.find((v) => v.version === "65.0")?.label).toBe("Winter '26");
      expect(versions.find((v) => v.version === "50.0")).toEqual({
        label: "Winter '21",
        url: "/services/data/v50.0",
        version: "50.0",
      });
      expect(versions[0].version).toBe("31.0");
      for (const v of versions) expect(v.url).toBe(`/services/data/v${v.version}`);
    });

    it("is served on the login host as well", async () => {
      const res = await fetch(`${t.emulator.urls.login}/services/data`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as unknown[]).length).toBeGreaterThan(30);
    });
  });

  describe("GET /services/data/v67.0", () => {
    it("maps resource names to URLs and includes identity on the login host", async () => {
      const res = await t.api(INTEGRATION, "");
      expect(res.status).toBe(200);
      const resources = (await res.json()) as Record<string, string>;
      for (const name of [
        "sobjects",
        "query",
        "queryAll",
        "search",
        "composite",
        "limits",
        "tooling",
        "recent",
        "jobs",
      ]) {
        expect(resources[name], name).toBe(`/services/data/v67.0/${name}`);
      }
      const info = (await (await t.control("/info")).json()) as {
        organizationId: string;
        users: Array<{ username: string; id: string }>;
      };
      const userId = info.users.find((u) => u.username === INTEGRATION)!.id;
      expect(resources.identity).toBe(`${t.emulator.urls.login}/id/${info.organizationId}/${userId}`);
      expect(resources.identity).toMatch(/\/id\/00D[a-zA-Z0-9]{15}\/005[a-zA-Z0-9]{15}$/);
      const identity = await fetch(resources.identity, {
        headers: { authorization: `Bearer ${t.token(INTEGRATION)}` },
      });
      expect(identity.status).toBe(200);
      const body = (await identity.json()) as { user_id: string; organization_id: string; username: string };
      expect(body.username).toBe(INTEGRATION);
      expect(body.user_id).toBe(userId);
    });

    it("other versions list their own URLs", async () => {
      const res = await fetch(`${t.emulator.urls.myDomain}/services/data/v50.0/`, {
        headers: { authorization: `Bearer ${t.token(INTEGRATION)}` },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as Record<string, string>).sobjects).toBe("/services/data/v50.0/sobjects");
    });

    it("an unknown version is 404", async () => {
      for (const version of ["v12.0", "v99.0"]) {
        const res = await fetch(`${t.emulator.urls.myDomain}/services/data/${version}/sobjects`, {
          headers: { authorization: `Bearer ${t.token(INTEGRATION)}` },
        });
        expect(res.status, version).toBe(404);
      }
    });
  });

  describe("describeGlobal", () => {
    it("lists the objects with their key prefixes and flags", async () => {
      const res = await t.api(ADMIN, "/sobjects");
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        encoding: string;
        maxBatchSize: number;
        sobjects: Array<Record<string, unknown>>;
      };
      expect(body.encoding).toBe("UTF-8");
      expect(body.maxBatchSize).toBe(200);
      const byName = new Map(body.sobjects.map((s) => [s.name as string, s]));
      const prefixes: Record<string, string> = {
        Account: "001",
        Contact: "003",
        Lead: "00Q",
        Opportunity: "006",
        Case: "500",
        User: "005",
        Organization: "00D",
        Profile: "00e",
        PermissionSet: "0PS",
      };
      for (const [name, prefix] of Object.entries(prefixes)) expect(byName.get(name)?.keyPrefix, name).toBe(prefix);
      const account = byName.get("Account")!;
      expect(account).toMatchObject({
        label: "Account",
        custom: false,
        createable: true,
        updateable: true,
        deletable: true,
        queryable: true,
        replicateable: true,
      });
      expect(account.urls).toEqual({
        sobject: "/services/data/v67.0/sobjects/Account",
        describe: "/services/data/v67.0/sobjects/Account/describe",
        rowTemplate: "/services/data/v67.0/sobjects/Account/{ID}",
      });
      for (const flag of [
        "customSetting",
        "searchable",
        "triggerable",
        "undeletable",
        "mergeable",
        "layoutable",
        "activateable",
        "feedEnabled",
        "mruEnabled",
        "deprecatedAndHidden",
        "hasSubtypes",
        "isSubtype",
        "isInterface",
        "retrieveable",
        "labelPlural",
      ]) {
        expect(account, flag).toHaveProperty(flag);
      }
      expect(byName.get("Invoice__c")).toMatchObject({ custom: true, label: "Invoice" });
      expect(String(byName.get("Invoice__c")?.keyPrefix)).toMatch(/^[a-zA-Z0-9]{3}$/);
    });

    it("is per user: the platform user does not see Lead, Opportunity or Case; the integration user does not see Invoice__c", async () => {
      const platform = (await (await t.api(PLATFORM, "/sobjects")).json()) as { sobjects: Array<{ name: string }> };
      const platformNames = platform.sobjects.map((s) => s.name);
      expect(platformNames).toContain("Account");
      expect(platformNames).toContain("Contact");
      for (const hidden of ["Lead", "Opportunity", "Case", "Invoice__c"]) expect(platformNames).not.toContain(hidden);
      for (const hidden of ["Lead", "Opportunity", "Case"]) {
        const err = await errorOf(await t.api(PLATFORM, `/sobjects/${hidden}/describe`), 404, "NOT_FOUND");
        expect(err.message).toBe("The requested resource does not exist");
        await errorOf(await t.api(PLATFORM, `/sobjects/${hidden}`), 404, "NOT_FOUND");
      }
      const integration = (await (await t.api(INTEGRATION, "/sobjects")).json()) as {
        sobjects: Array<{ name: string }>;
      };
      const integrationNames = integration.sobjects.map((s) => s.name);
      expect(integrationNames).toContain("Lead");
      expect(integrationNames).not.toContain("Invoice__c");
      await errorOf(await t.api(INTEGRATION, "/sobjects/Invoice__c/describe"), 404, "NOT_FOUND");
    });
  });

  describe("describe", () => {
    it("GET /sobjects/Account returns objectDescribe and recentItems", async () => {
      const res = await t.api(INTEGRATION, "/sobjects/Account");
      expect(res.status).toBe(200);
      const body = (await res.json()) as { objectDescribe: Record<string, unknown>; recentItems: unknown[] };
      expect(body.objectDescribe).toMatchObject({ name: "Account", keyPrefix: "001", label: "Account" });
      expect(Array.isArray(body.recentItems)).toBe(true);
    });

    it("describes Account's fields with Salesforce's attributes", async () => {
      const d = await describeAs(ADMIN, "Account");
      expect(d.name).toBe("Account");
      expect(Array.isArray(d.childRelationships)).toBe(true);
      expect(Array.isArray(d.recordTypeInfos)).toBe(true);
      expect(d.urls).toMatchObject({
        sobject: "/services/data/v67.0/sobjects/Account",
        describe: "/services/data/v67.0/sobjects/Account/describe",
      });
      const f = new Map(d.fields.map((x) => [x.name, x]));
      expect(f.get("Id")).toMatchObject({
        type: "id",
        soapType: "tns:ID",
        nillable: false,
        createable: false,
        updateable: false,
        idLookup: true,
        length: 18,
      });
      expect(f.get("Name")).toMatchObject({
        type: "string",
        nillable: false,
        permissionable: false,
        nameField: true,
        createable: true,
        updateable: true,
      });
      expect(f.get("BillingCity")).toMatchObject({ type: "string", compoundFieldName: "BillingAddress" });
      expect(f.get("BillingStreet")).toMatchObject({ compoundFieldName: "BillingAddress" });
      expect(f.get("BillingAddress")).toMatchObject({ type: "address", createable: false, updateable: false });
      expect(f.get("ShippingCity")).toMatchObject({ compoundFieldName: "ShippingAddress" });
      expect(f.get("Phone")?.compoundFieldName).toBeNull();
      expect(f.get("External_Id__c")).toMatchObject({
        type: "string",
        externalId: true,
        unique: true,
        idLookup: true,
        custom: true,
        length: 40,
      });
      expect(f.get("CreatedDate")).toMatchObject({
        type: "datetime",
        soapType: "xsd:dateTime",
        createable: false,
        updateable: false,
        permissionable: false,
      });
      expect(f.get("SystemModstamp")).toMatchObject({ type: "datetime", createable: false, updateable: false });
      expect(f.get("OwnerId")).toMatchObject({ type: "reference", referenceTo: ["User"], relationshipName: "Owner" });
      expect(f.get("ParentId")).toMatchObject({
        type: "reference",
        referenceTo: ["Account"],
        relationshipName: "Parent",
      });
      expect(f.get("NumberOfEmployees")).toMatchObject({ type: "int", soapType: "xsd:int" });
      expect(f.get("AnnualRevenue")).toMatchObject({ type: "currency", soapType: "xsd:double" });
      const industry = f.get("Industry")!;
      expect(industry.type).toBe("picklist");
      const values = industry.picklistValues as Array<{
        active: boolean;
        defaultValue: boolean;
        label: string;
        value: string;
        validFor: unknown;
      }>;
      expect(values.map((v) => v.value)).toEqual(
        expect.arrayContaining(["Agriculture", "Banking", "Technology", "Other"]),
      );
      expect(values.find((v) => v.value === "Banking")).toEqual({
        active: true,
        defaultValue: false,
        label: "Banking",
        value: "Banking",
        validFor: null,
      });
      expect(f.get("Tier__c")?.picklistValues).toEqual([
        { active: true, defaultValue: false, label: "Gold", value: "Gold", validFor: null },
        { active: true, defaultValue: false, label: "Silver", value: "Silver", validFor: null },
        { active: true, defaultValue: false, label: "Bronze", value: "Bronze", validFor: null },
      ]);
      const missing: string[] = [];
      for (const field of d.fields) {
        for (const attr of [
          "label",
          "soapType",
          "length",
          "nillable",
          "createable",
          "updateable",
          "defaultedOnCreate",
          "calculated",
          "unique",
          "externalId",
          "idLookup",
          "custom",
          "filterable",
          "sortable",
          "groupable",
          "permissionable",
          "referenceTo",
          "picklistValues",
        ]) {
          if (field[attr] === undefined) missing.push(`${field.name}.${attr}`);
        }
        if (typeof field.label !== "string" || field.label === "")
          missing.push(`${field.name}.label (not a non-empty string)`);
      }
      expect(missing).toEqual([]);
    });

    it("Account lists its child relationships, including Contacts and the custom Invoice__c", async () => {
      const d = await describeAs(ADMIN, "Account");
      const children = d.childRelationships as Array<{
        childSObject: string;
        field: string;
        relationshipName: string | null;
      }>;
      expect(children).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ childSObject: "Contact", field: "AccountId", relationshipName: "Contacts" }),
        ]),
      );
      expect(children.some((c) => c.childSObject === "Invoice__c" && c.field === "Account__c")).toBe(true);
    });

    it("the formula field is calculated and read-only", async () => {
      const d = await describeAs(ADMIN, "Invoice__c");
      const formula = d.fields.find((f) => f.name === "Account_Name__c");
      expect(formula).toMatchObject({
        calculated: true,
        calculatedFormula: "Account__r.Name",
        createable: false,
        updateable: false,
        custom: true,
      });
      expect(d.fields.find((f) => f.name === "Account__c")).toMatchObject({
        type: "reference",
        referenceTo: ["Account"],
        relationshipName: "Account__r",
      });
      // every field has a label (Salesforce derives one from the API name when none is given)
      expect(d.fields.filter((f) => typeof f.label !== "string" || f.label === "").map((f) => f.name)).toEqual([]);
    });

    it("an unknown object is 404 NOT_FOUND", async () => {
      const err = await errorOf(await t.api(INTEGRATION, "/sobjects/Nope__c/describe"), 404, "NOT_FOUND");
      expect(err.message).toBe("The requested resource does not exist");
    });

    it("object names are case-insensitive in the path", async () => {
      const d = await describeAs(INTEGRATION, "account");
      expect(d.name).toBe("Account");
    });

    it("If-Modified-Since: 304 with no body when nothing changed since, 200 when the schema changed after", async () => {
      const first = await t.api(INTEGRATION, "/sobjects/Account/describe");
      expect(first.status).toBe(200);
      const lastModified = first.headers.get("last-modified");
      expect(lastModified).not.toBeNull();
      const notModified = await t.api(INTEGRATION, "/sobjects/Account/describe", {
        headers: { "if-modified-since": new Date(Date.now() + DAY).toUTCString() },
      });
      expect(notModified.status).toBe(304);
      expect(await notModified.text()).toBe("");
      const sameStamp = await t.api(INTEGRATION, "/sobjects/Account/describe", {
        headers: { "if-modified-since": lastModified! },
      });
      expect(sameStamp.status).toBe(304);
      const old = await t.api(INTEGRATION, "/sobjects/Account/describe", {
        headers: { "if-modified-since": "Mon, 01 Jan 2001 00:00:00 GMT" },
      });
      expect(old.status).toBe(200);

      await t.control("/clock/advance", { method: "POST", body: { seconds: 5 } });
      const added = await t.control("/objects", {
        method: "POST",
        body: { name: "Account", fields: [{ name: "Describe_Marker__c", type: "string" }], grantTo: ["Standard User"] },
      });
      expect(added.status).toBe(201);
      const changed = await t.api(INTEGRATION, "/sobjects/Account/describe", {
        headers: { "if-modified-since": lastModified! },
      });
      expect(changed.status).toBe(200);
      const fields = ((await changed.json()) as { fields: FieldDescribe[] }).fields.map((f) => f.name);
      expect(fields).toContain("Describe_Marker__c");
    });

    it("a wrong method is 405 METHOD_NOT_ALLOWED naming the method", async () => {
      const cases: Array<[string, string]> = [
        ["PUT", "/sobjects/Account"],
        ["DELETE", "/sobjects"],
        ["POST", "/sobjects/Account/describe"],
        ["PUT", "/composite"],
      ];
      for (const [method, path] of cases) {
        const err = await errorOf(
          await t.api(INTEGRATION, path, { method, body: method === "DELETE" ? undefined : {} }),
          405,
          "METHOD_NOT_ALLOWED",
        );
        expect(err.message).toMatch(new RegExp(`^HTTP Method '${method}' not allowed\\. Allowed are `));
      }
    });
  });
});

describe("getUpdated / getDeleted", () => {
  let t: DemoOrg;
  beforeEach(async () => {
    t = await startDemoOrg();
  });
  afterEach(async () => {
    await t.close();
  });

  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+00:00");
  const sf = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}.000+0000`;
  const floorMinute = (ms: number) => ms - (ms % MINUTE);

  async function now(): Promise<number> {
    return Date.parse(((await (await t.control("/clock")).json()) as { now: string }).now);
  }

  async function advance(seconds: number): Promise<void> {
    const res = await t.control("/clock/advance", { method: "POST", body: { seconds } });
    expect(res.status).toBe(200);
  }

  /** Moves the clock so that the current second of the minute is `second` (± the test's own runtime). */
  async function alignTo(second: number): Promise<void> {
    const current = Math.floor(((await now()) % MINUTE) / 1000);
    await advance((second - current + 60) % 60 || 60);
  }

  async function create(name: string): Promise<{ id: string; at: number }> {
    const res = await t.api(INTEGRATION, "/sobjects/Account", { method: "POST", body: { Name: name } });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { id: string }).id;
    const record = (await (await t.api(INTEGRATION, `/sobjects/Account/${id}`)).json()) as { SystemModstamp: string };
    return { id, at: Date.parse(record.SystemModstamp.replace("+0000", "Z")) };
  }

  function updated(start: number, end: number) {
    return t.api(
      INTEGRATION,
      `/sobjects/Account/updated/?start=${encodeURIComponent(iso(start))}&end=${encodeURIComponent(iso(end))}`,
    );
  }
  function deleted(start: number, end: number) {
    return t.api(
      INTEGRATION,
      `/sobjects/Account/deleted/?start=${encodeURIComponent(iso(start))}&end=${encodeURIComponent(iso(end))}`,
    );
  }

  it("lists the ids changed inside the window, with latestDateCovered", async () => {
    await alignTo(10);
    const a = await create("Window A");
    await advance(300);
    const b = await create("Window B");
    await advance(120);
    const res = await updated(a.at - MINUTE, a.at + 2 * MINUTE);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ids: string[]; latestDateCovered: string };
    expect(body.ids).toContain(a.id);
    expect(body.ids).not.toContain(b.id);
    expect(body.latestDateCovered).toMatch(SF_DATETIME);
    expect(body.latestDateCovered).toBe(sf(floorMinute(a.at + 2 * MINUTE)));

    const both = (await (await updated(a.at - MINUTE, b.at + 2 * MINUTE)).json()) as { ids: string[] };
    expect(both.ids).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it("an update moves a record into a later window", async () => {
    await alignTo(10);
    const a = await create("Moves later");
    await advance(600);
    const patch = await t.api(INTEGRATION, `/sobjects/Account/${a.id}`, { method: "PATCH", body: { Phone: "1" } });
    expect(patch.status).toBe(204);
    const after = await now();
    await advance(120);
    const late = (await (await updated(after - 2 * MINUTE, after + MINUTE)).json()) as { ids: string[] };
    expect(late.ids).toContain(a.id);
    const early = (await (await updated(a.at - MINUTE, a.at + 2 * MINUTE)).json()) as { ids: string[] };
    expect(early.ids).not.toContain(a.id);
  });

  it("ignores the seconds of start and end (rounded down to the minute)", async () => {
    await alignTo(10);
    const a = await create("Seconds A");
    await advance(180);
    await alignTo(10);
    const b = await create("Seconds B");
    await advance(180);
    // start is 50 s into A's minute (after A), end is 50 s into B's minute (after B): whole minutes count.
    const start = floorMinute(a.at) + 50_000;
    const end = floorMinute(b.at) + 50_000;
    expect(start).toBeGreaterThan(a.at);
    expect(end).toBeGreaterThan(b.at);
    const body = (await (await updated(start, end)).json()) as { ids: string[]; latestDateCovered: string };
    expect(body.ids).toContain(a.id);
    expect(body.ids).not.toContain(b.id);
    expect(body.latestDateCovered).toBe(sf(floorMinute(b.at)));
  });

  it("lists deleted records with their deletedDate, earliestDateAvailable and latestDateCovered", async () => {
    await alignTo(10);
    const a = await create("Deleted A");
    const keep = await create("Kept");
    await advance(60);
    const del = await t.api(INTEGRATION, `/sobjects/Account/${a.id}`, { method: "DELETE" });
    expect(del.status).toBe(204);
    const deletedAt = await now();
    await advance(120);
    const res = await deleted(a.at - MINUTE, deletedAt + MINUTE);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      deletedRecords: Array<{ id: string; deletedDate: string }>;
      earliestDateAvailable: string;
      latestDateCovered: string;
    };
    expect(body.deletedRecords.map((r) => r.id)).toEqual([a.id]);
    expect(body.deletedRecords[0].deletedDate).toMatch(SF_DATETIME);
    const deletedDate = Date.parse(body.deletedRecords[0].deletedDate.replace("+0000", "Z"));
    expect(Math.abs(deletedDate - deletedAt)).toBeLessThan(5000);
    expect(body.earliestDateAvailable).toMatch(SF_DATETIME);
    expect(body.latestDateCovered).toBe(sf(floorMinute(deletedAt + MINUTE)));
    expect(body.deletedRecords.map((r) => r.id)).not.toContain(keep.id);
    const upd = (await (await updated(a.at - MINUTE, deletedAt + MINUTE)).json()) as { ids: string[] };
    expect(upd.ids).toContain(keep.id);
  });

  it("refuses a start older than 30 days (updated) or 15 days (deleted) with 400", async () => {
    const current = await now();
    const endNow = current - MINUTE;
    const cases: Array<{ kind: "updated" | "deleted"; daysBack: number; status: number }> = [
      { kind: "updated", daysBack: 31, status: 400 },
      { kind: "updated", daysBack: 29, status: 200 },
      { kind: "deleted", daysBack: 16, status: 400 },
      { kind: "deleted", daysBack: 14, status: 200 },
      { kind: "updated", daysBack: 20, status: 200 },
      { kind: "deleted", daysBack: 20, status: 400 },
    ];
    const actual: string[] = [];
    for (const c of cases) {
      const start = current - c.daysBack * DAY;
      const res = c.kind === "updated" ? await updated(start, endNow) : await deleted(start, endNow);
      const text = await res.text();
      actual.push(
        `${c.kind} ${c.daysBack}d -> ${res.status}${res.status === 400 ? ` ${(JSON.parse(text) as ErrorItem[])[0].errorCode}` : ""}`,
      );
    }
    expect(actual).toEqual(
      cases.map((c) => `${c.kind} ${c.daysBack}d -> ${c.status}${c.status === 400 ? " INVALID_REPLICATION_DATE" : ""}`),
    );
  });

  it("a start after the end, or a date that does not parse, is 400", async () => {
    const current = await now();
    await errorOf(await updated(current - MINUTE, current - 10 * MINUTE), 400, "INVALID_REPLICATION_DATE");
    const bad = await t.api(INTEGRATION, "/sobjects/Account/updated/?start=yesterday&end=today");
    expect(bad.status).toBe(400);
  });
});
