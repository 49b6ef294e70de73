import { beforeEach, describe, expect, it } from "vitest";
import { dateLiteralRange } from "../src/soql/date-literals.ts";
import { rows, type Seeded, seededOrg } from "./support/soql-fixture.ts";

const DAY = 86_400_000;
const d = (text: string) => Date.parse(`${text}T00:00:00Z`);

describe("date literal ranges", () => {
  // Wednesday 15 May 2024, 13:30 UTC; weeks start on Sunday.
  const now = Date.UTC(2024, 4, 15, 13, 30);
  const cases: Array<[string, number | undefined, string, string]> = [
    ["TODAY", undefined, "2024-05-15", "2024-05-16"],
    ["YESTERDAY", undefined, "2024-05-14", "2024-05-15"],
    ["TOMORROW", undefined, "2024-05-16", "2024-05-17"],
    ["THIS_WEEK", undefined, "2024-05-12", "2024-05-19"],
    ["LAST_WEEK", undefined, "2024-05-05", "2024-05-12"],
    ["NEXT_WEEK", undefined, "2024-05-19", "2024-05-26"],
    ["THIS_MONTH", undefined, "2024-05-01", "2024-06-01"],
    ["LAST_MONTH", undefined, "2024-04-01", "2024-05-01"],
    ["NEXT_MONTH", undefined, "2024-06-01", "2024-07-01"],
    ["THIS_QUARTER", undefined, "2024-04-01", "2024-07-01"],
    ["LAST_QUARTER", undefined, "2024-01-01", "2024-04-01"],
    ["NEXT_QUARTER", undefined, "2024-07-01", "2024-10-01"],
    ["THIS_YEAR", undefined, "2024-01-01", "2025-01-01"],
    ["LAST_YEAR", undefined, "2023-01-01", "2024-01-01"],
    ["NEXT_FISCAL_YEAR", undefined, "2025-01-01", "2026-01-01"],
    ["LAST_90_DAYS", undefined, "2024-02-15", "2024-05-16"],
    ["NEXT_90_DAYS", undefined, "2024-05-16", "2024-08-14"],
    ["LAST_N_DAYS:3", 3, "2024-05-12", "2024-05-16"],
    ["NEXT_N_DAYS:3", 3, "2024-05-16", "2024-05-19"],
    ["N_DAYS_AGO:2", 2, "2024-05-13", "2024-05-14"],
    ["LAST_N_WEEKS:2", 2, "2024-04-28", "2024-05-12"],
    ["LAST_N_MONTHS:2", 2, "2024-03-01", "2024-05-01"],
    ["NEXT_N_MONTHS:1", 1, "2024-06-01", "2024-07-01"],
    ["N_MONTHS_AGO:12", 12, "2023-05-01", "2023-06-01"],
    ["LAST_N_QUARTERS:1", 1, "2024-01-01", "2024-04-01"],
    ["NEXT_N_YEARS:2", 2, "2025-01-01", "2027-01-01"],
  ];
  it.each(cases)("%s", (literal, n, start, end) => {
    expect(dateLiteralRange(literal, n, now)).toEqual({ start: d(start), end: d(end) });
  });

  it("knows no other literal", () => {
    expect(dateLiteralRange("SOMEDAY", undefined, now)).toBeUndefined();
  });
});

describe("date literals on the org clock", () => {
  let s: Seeded;
  beforeEach(() => {
    s = seededOrg();
  });
  const names = (where: string, object = "Account") =>
    rows(s, `SELECT Name FROM ${object} WHERE ${where} ORDER BY Name`).map((r) => r.Name);

  it("filters datetimes relative to today (accounts created today, 5, 40 and 400 days ago)", () => {
    expect(names("CreatedDate = TODAY")).toEqual(["Acme"]);
    expect(names("CreatedDate = YESTERDAY")).toEqual([]);
    expect(names("CreatedDate = LAST_N_DAYS:7")).toEqual(["Acme", "Globex"]);
    expect(names("CreatedDate = LAST_90_DAYS")).toEqual(["Acme", "Globex", "Initech"]);
    expect(names("CreatedDate = N_DAYS_AGO:5")).toEqual(["Globex"]);
    expect(names("CreatedDate < LAST_N_DAYS:30")).toEqual(["Initech", "O'Brien & Sons_1%"]);
    expect(names("CreatedDate > YESTERDAY")).toEqual(["Acme"]);
    expect(names("CreatedDate = NEXT_N_DAYS:3")).toEqual([]);
    expect(names("CreatedDate IN (TODAY, N_DAYS_AGO:40)")).toEqual(["Acme", "Initech"]);
    expect(names("CreatedDate != TODAY")).toEqual(["Globex", "Initech", "O'Brien & Sons_1%"]);
  });

  it("moves with an advanced clock", () => {
    s.org.clock.advance(2 * DAY);
    expect(names("CreatedDate = TODAY")).toEqual([]);
    expect(names("CreatedDate = N_DAYS_AGO:2")).toEqual(["Acme"]);
    expect(names("CreatedDate = LAST_N_DAYS:2")).toEqual(["Acme"]);
    expect(names("CreatedDate = LAST_N_DAYS:1")).toEqual([]);
    expect(names("CreatedDate = N_DAYS_AGO:7")).toEqual(["Globex"]);
  });

  it("puts month boundaries on the right side of THIS_MONTH and LAST_MONTH", () => {
    const now = new Date(s.org.clock.now());
    const thisMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const lastMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
    const ctx = s.org.writeContext(s.adminUser.Id);
    for (const [name, created] of [
      ["A first second of this month", thisMonth],
      ["B last second of last month", thisMonth - 1000],
      ["C first second of last month", lastMonth],
      ["D last second before last month", lastMonth - 1000],
    ] as Array<[string, number]>) {
      s.org.store.insert("Lead", { LastName: name, Company: "Co", CreatedDate: created }, ctx);
    }
    const leads = (where: string) => names(`${where} AND Company = 'Co'`, "Lead");
    expect(leads("CreatedDate = THIS_MONTH")).toEqual(["A first second of this month"]);
    expect(leads("CreatedDate = LAST_MONTH")).toEqual(["B last second of last month", "C first second of last month"]);
    expect(leads("CreatedDate < THIS_MONTH")).toEqual([
      "B last second of last month",
      "C first second of last month",
      "D last second before last month",
    ]);
    expect(leads("CreatedDate >= LAST_MONTH")).toEqual([
      "A first second of this month",
      "B last second of last month",
      "C first second of last month",
    ]);
    expect(leads("CreatedDate > LAST_MONTH")).toEqual(["A first second of this month"]);
  });

  it("applies literals to date fields by calendar day", () => {
    const today = new Date(s.org.clock.now()).toISOString().slice(0, 10);
    const ctx = s.org.writeContext(s.adminUser.Id);
    s.org.store.insert("Opportunity", { Name: "Closing today", StageName: "Prospecting", CloseDate: today }, ctx);
    expect(names("CloseDate = TODAY", "Opportunity")).toEqual(["Closing today"]);
    expect(names("CloseDate = THIS_YEAR", "Opportunity")).toEqual(["Closing today"]);
    expect(names("CloseDate < TODAY", "Opportunity")).toEqual(["Big deal"]);
    expect(names(`CloseDate = ${today}`, "Opportunity")).toEqual(["Closing today"]);
    expect(names(`DAY_ONLY(CreatedDate) = ${today}`)).toEqual(["Acme"]);
  });
});
