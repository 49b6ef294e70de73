import { beforeAll, describe, expect, it } from "vitest";
import { query, rows, type Seeded, seededOrg } from "./support/soql-fixture.ts";

let s: Seeded;
beforeAll(() => {
  s = seededOrg();
});

const names = (soql: string) => rows(s, soql).map((r) => r.Name);

describe("WHERE on Account", () => {
  const cases: Array<[string, string, string[]]> = [
    ["= is case-insensitive", "Name = 'acme'", ["Acme"]],
    ["!= keeps other rows", "Name != 'Acme'", ["Globex", "Initech", "O'Brien & Sons_1%"]],
    ["<> is !=", "Name <> 'ACME'", ["Globex", "Initech", "O'Brien & Sons_1%"]],
    ["= null", "Industry = null", ["O'Brien & Sons_1%"]],
    ["!= null", "Industry != null", ["Acme", "Globex", "Initech"]],
    ["!= includes nulls", "Industry != 'Technology'", ["Globex", "O'Brien & Sons_1%"]],
    ["> on numbers", "NumberOfEmployees > 10", ["Acme"]],
    [">= on numbers", "NumberOfEmployees >= 10", ["Acme", "Globex"]],
    ["< skips nulls", "NumberOfEmployees < 10", ["O'Brien & Sons_1%"]],
    ["<= with a decimal", "NumberOfEmployees <= 10.5", ["Globex", "O'Brien & Sons_1%"]],
    ["currency", "AnnualRevenue = 1000000", ["Acme"]],
    ["IN is case-insensitive", "Industry IN ('technology', 'Energy')", ["Acme", "Globex", "Initech"]],
    ["NOT IN includes nulls", "Industry NOT IN ('Technology')", ["Globex", "O'Brien & Sons_1%"]],
    ["IN with null", "Industry IN ('Energy', null)", ["Globex", "O'Brien & Sons_1%"]],
    ["LIKE prefix, case-insensitive", "Name LIKE 'a%'", ["Acme"]],
    ["LIKE single character", "Name LIKE '_lobex'", ["Globex"]],
    ["LIKE with escaped wildcards", "Name LIKE '%\\_1\\%'", ["O'Brien & Sons_1%"]],
    ["an escaped % is no wildcard", "Name LIKE 'O\\'Brien\\%'", []],
    ["the same unescaped is one", "Name LIKE 'O\\'Brien%'", ["O'Brien & Sons_1%"]],
    ["LIKE escaped wildcards match literally", "Name LIKE '%Sons\\_1\\%'", ["O'Brien & Sons_1%"]],
    ["LIKE _ needs exactly one character", "Name LIKE 'Acm_e'", []],
    ["escaped quote in a string", "Name = 'O\\'Brien & Sons_1%'", ["O'Brien & Sons_1%"]],
    ["NOT", "NOT Name = 'Acme'", ["Globex", "Initech", "O'Brien & Sons_1%"]],
    ["parentheses", "(Industry = 'Technology' OR Industry = 'Energy') AND NumberOfEmployees > 20", ["Acme"]],
    ["NOT inside parentheses over a null", "Industry = 'Technology' AND (NOT NumberOfEmployees > 20)", ["Initech"]],
    ["NOT over a group", "NOT (Industry = 'Technology' OR Industry = null)", ["Globex"]],
    [
      "nested groups",
      "((Name = 'Acme' OR Name = 'Globex') AND NumberOfEmployees < 20) OR Name = 'Initech'",
      ["Globex", "Initech"],
    ],
    ["parent field", "Parent.Name = 'Acme'", ["Globex"]],
    ["empty lookup", "ParentId = null", ["Acme", "Initech", "O'Brien & Sons_1%"]],
    ["boolean", "IsDeleted = false", ["Acme", "Globex", "Initech", "O'Brien & Sons_1%"]],
    ["INCLUDES any of the sets", "Interests__c INCLUDES ('Golf;Sailing', 'chess')", ["Acme", "Globex"]],
    ["INCLUDES needs every term of a set", "Interests__c INCLUDES ('Golf;Chess')", []],
    ["EXCLUDES", "Interests__c EXCLUDES ('Chess')", ["Acme", "Initech", "O'Brien & Sons_1%"]],
    ["semi-join", "Id IN (SELECT AccountId FROM Contact)", ["Acme", "Globex"]],
    [
      "anti-join",
      "Id NOT IN (SELECT AccountId FROM Contact WHERE LastName = 'Young')",
      ["Acme", "Initech", "O'Brien & Sons_1%"],
    ],
    ["datetime before anything", "CreatedDate < 2000-01-01T00:00:00+01:00", []],
    ["table alias", "Account.Industry = 'Energy'", ["Globex"]],
  ];
  it.each(cases)("%s", (_label, where, expected) => {
    expect(names(`SELECT Name FROM Account WHERE ${where}`)).toEqual(expected);
  });

  it("compares ids given with 15 or 18 characters, exactly and in ranges", () => {
    const { acme, globex, initech } = s.accounts;
    expect(names(`SELECT Name FROM Account WHERE Id = '${acme.Id.slice(0, 15)}'`)).toEqual(["Acme"]);
    expect(names(`SELECT Name FROM Account WHERE Id = '${acme.Id.toLowerCase()}'`)).toEqual(["Acme"]);
    expect(names(`SELECT Name FROM Account WHERE Id IN ('${acme.Id}', '${initech.Id.slice(0, 15)}')`)).toEqual([
      "Acme",
      "Initech",
    ]);
    expect(names(`SELECT Name FROM Account WHERE Id > '${globex.Id}'`)).toEqual(["Initech", "O'Brien & Sons_1%"]);
    expect(names(`SELECT Name FROM Account WHERE ParentId = '${acme.Id.slice(0, 15)}'`)).toEqual(["Globex"]);
  });

  it("filters datetimes on epoch milliseconds from literals with Z, offsets and fractions", () => {
    const t = s.accounts.globex.CreatedDate as number;
    const iso = new Date(t).toISOString();
    const plusOne = `${new Date(t + 3_600_000).toISOString().slice(0, 19)}+01:00`;
    expect(names(`SELECT Name FROM Account WHERE CreatedDate = ${iso.slice(0, 19)}Z`)).toEqual(["Globex"]);
    expect(names(`SELECT Name FROM Account WHERE CreatedDate = ${plusOne}`)).toEqual(["Globex"]);
    expect(names(`SELECT Name FROM Account WHERE CreatedDate = ${iso}`)).toEqual(["Globex"]);
    expect(
      names(`SELECT Name FROM Account WHERE CreatedDate >= ${iso} AND CreatedDate < ${new Date(t + 1).toISOString()}`),
    ).toEqual(["Globex"]);
    expect(
      names(`SELECT Name FROM Account WHERE CreatedDate > ${new Date(t - 500).toISOString()} ORDER BY Name`),
    ).toEqual(["Acme", "Globex"]);
  });
});

describe("WHERE on other types", () => {
  it.each([
    ["Contact", "Birthdate > 1989-01-01", ["Ann Smith"]],
    ["Contact", "Birthdate = null", ["Cy Young", "Orphan"]],
    ["Contact", "Birthdate <= 1985-12-31", ["Bob Jones"]],
    ["Contact", "Account.Parent.Name = 'Acme'", ["Cy Young"]],
    ["Contact", "AccountId = null", ["Orphan"]],
    ["Contact", "Email LIKE '%@ACME.example'", ["Ann Smith"]],
    ["Opportunity", "CloseDate = 2024-03-31", ["Big deal"]],
    ["Opportunity", "CALENDAR_YEAR(CloseDate) = 2024", ["Big deal"]],
    ["Opportunity", "CALENDAR_MONTH(CloseDate) = 4", []],
    ["Opportunity", "ExpectedRevenue = 100", ["Big deal"]],
    ["Opportunity", "Amount > USD400", ["Big deal"]],
  ] as Array<[string, string, string[]]>)("%s WHERE %s", (object, where, expected) => {
    expect(names(`SELECT Name FROM ${object} WHERE ${where}`)).toEqual(expected);
  });

  it("counts a semi-join once per outer row", () => {
    const result = query(
      s,
      "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE AccountId != null)",
    );
    expect(result.totalSize).toBe(2);
  });
});
