import { describe, expect, it } from "vitest";
import {
  bulkSupports,
  chooseMode,
  countQuery,
  cursorFieldOf,
  type DescribedObject,
  planWindow,
  quotaExhausted,
  readQuery,
  resumeWindow,
  selectFields,
  soqlDateTime,
  windowCondition,
} from "../src/sync/sync-plan.ts";

const ACCOUNT: DescribedObject = {
  name: "Account",
  fields: [
    { name: "Id", type: "id" },
    { name: "Name", type: "string", length: 255 },
    { name: "BillingAddress", type: "address" },
    { name: "BillingStreet", type: "textarea", compoundFieldName: "BillingAddress" },
    { name: "BillingCity", type: "string", compoundFieldName: "BillingAddress" },
    { name: "Logo__c", type: "base64" },
    { name: "Score__c", type: "double", precision: 18, scale: 2, calculated: true },
    { name: "IsDeleted", type: "boolean" },
    { name: "SystemModstamp", type: "datetime" },
    { name: "LastModifiedDate", type: "datetime" },
  ],
};

describe("which fields a run reads", () => {
  it.each<[string, "all" | string[], string[], string[]]>([
    [
      "all: compound address replaced by its components, file bodies left out",
      "all",
      ["Id", "Name", "BillingStreet", "BillingCity", "Score__c", "IsDeleted", "SystemModstamp", "LastModifiedDate"],
      [],
    ],
    [
      "a list: Id, the cursors and IsDeleted added, case ignored",
      ["name", "BillingAddress"],
      ["Id", "Name", "BillingStreet", "BillingCity", "SystemModstamp", "LastModifiedDate", "IsDeleted"],
      [],
    ],
    [
      "a field the user cannot see is reported, not read",
      ["Name", "Secret__c"],
      ["Id", "Name", "SystemModstamp", "LastModifiedDate", "IsDeleted"],
      ["Secret__c"],
    ],
  ])("%s", (_name, wanted, fields, missing) => {
    const selection = selectFields(ACCOUNT, wanted);
    expect(selection.fields.map((f) => f.name)).toEqual(fields);
    expect(selection.missing).toEqual(missing);
  });

  it("knows the formula fields, which change without SystemModstamp", () => {
    expect(selectFields(ACCOUNT, "all").formulas).toEqual(["Score__c"]);
  });
});

describe("the cursor field", () => {
  it.each<[string[], string | null]>([
    [["Id", "SystemModstamp", "LastModifiedDate", "CreatedDate"], "SystemModstamp"],
    [["Id", "lastmodifieddate", "CreatedDate"], "LastModifiedDate"],
    [["Id", "CreatedDate"], "CreatedDate"],
    [["Id", "Name"], null],
  ])("%j → %s", (names, cursor) => {
    expect(cursorFieldOf(names.map((name) => ({ name })))).toBe(cursor);
  });
});

describe("the window of a run", () => {
  const now = Date.parse("2026-11-22T12:00:30.700Z");
  const base = { cursorField: "SystemModstamp", serverNow: now, lagMs: 60_000, lookbackMs: 300_000 };

  it.each([
    {
      name: "a first run over the whole history ends a little behind Salesforce's clock",
      input: { ...base, checkpoint: null, backfillFrom: null },
      window: { from: null, to: "2026-11-22T11:59:30Z", after: null },
    },
    {
      name: "a first run over the last 90 days",
      input: { ...base, checkpoint: null, backfillFrom: Date.parse("2026-08-24T12:00:30Z") },
      window: { from: "2026-08-24T12:00:30Z", to: "2026-11-22T11:59:30Z", after: null },
    },
    {
      name: "a later run starts the lookback behind its checkpoint",
      input: { ...base, checkpoint: { ts: "2026-11-22T11:00:00.000Z", id: "001000000000001AAA" }, backfillFrom: null },
      window: { from: "2026-11-22T10:55:00Z", to: "2026-11-22T11:59:30Z", after: null },
    },
    {
      name: "an object without a cursor is read whole",
      input: { ...base, cursorField: null, checkpoint: null, backfillFrom: null },
      window: { from: null, to: null, after: null },
    },
  ])("$name", ({ input, window }) => {
    expect(planWindow(input)).toEqual(window);
  });

  it("resumes strictly after the last confirmed (stamp, Id), so rows sharing a second are not lost", () => {
    const w = resumeWindow(
      { from: "2026-11-22T10:55:00Z", to: "2026-11-22T11:59:30Z", after: null },
      { ts: "2026-11-22T11:00:00.000Z", id: "001000000000123AAA" },
    );
    expect(windowCondition("SystemModstamp", w)).toBe(
      " WHERE (SystemModstamp > 2026-11-22T11:00:00Z OR (SystemModstamp = 2026-11-22T11:00:00Z AND Id > '001000000000123AAA')) AND SystemModstamp <= 2026-11-22T11:59:30Z",
    );
  });

  it("refuses an Id that could break out of the query", () => {
    expect(() =>
      windowCondition("SystemModstamp", {
        from: null,
        to: null,
        after: { ts: "2026-01-01T00:00:00Z", id: "x' OR Id != '" },
      }),
    ).toThrow(/not a Salesforce id/);
  });

  it("writes SOQL datetimes in UTC with a Z, whole seconds", () => {
    expect(soqlDateTime(Date.parse("2026-01-02T03:04:05.999+02:00"))).toBe("2026-01-02T01:04:05Z");
  });
});

describe("the queries and the API", () => {
  const w = { from: "2026-11-22T10:55:00Z", to: "2026-11-22T11:59:30Z", after: null };
  it("reads the window in (cursor, Id) order and counts it first", () => {
    expect(
      readQuery(
        "Account",
        [
          { name: "Id", type: "id" },
          { name: "Name", type: "string" },
        ],
        "SystemModstamp",
        w,
      ),
    ).toBe(
      "SELECT Id, Name FROM Account WHERE SystemModstamp >= 2026-11-22T10:55:00Z AND SystemModstamp <= 2026-11-22T11:59:30Z ORDER BY SystemModstamp ASC, Id ASC",
    );
    expect(countQuery("Account", "SystemModstamp", w)).toBe(
      "SELECT COUNT() FROM Account WHERE SystemModstamp >= 2026-11-22T10:55:00Z AND SystemModstamp <= 2026-11-22T11:59:30Z",
    );
  });

  it.each<[number, boolean, string]>([
    [10, true, "rest"],
    [10_000, true, "rest"],
    [10_001, true, "bulk"],
    [1_000_000, false, "rest"],
  ])("%i rows (Bulk serves the object: %s) → %s", (count, supported, mode) => {
    expect(chooseMode(count, supported)).toBe(mode);
  });

  it.each<[string, boolean]>([
    ["Account", true],
    ["Invoice__c", true],
    ["AccountChangeEvent", false],
    ["Invoice__History", false],
    ["TaskStatus", false],
  ])("Bulk serves %s: %s", (object, supported) => {
    expect(bulkSupports(object)).toBe(supported);
  });

  it.each<[number, number, number, boolean]>([
    [799, 1000, 0.8, false],
    [800, 1000, 0.8, true],
    [5, 0, 0.8, false],
  ])("%i of %i used, pause at %s: %s", (used, max, share, paused) => {
    expect(quotaExhausted(used, max, share)).toBe(paused);
  });
});
