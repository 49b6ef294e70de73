import { beforeAll, describe, expect, it } from "vitest";
import { formatDateTime } from "../src/clock.ts";
import { query, rows, type Seeded, seededOrg } from "./support/soql-fixture.ts";

let s: Seeded;
beforeAll(() => {
  s = seededOrg();
});

const url = (type: string, id: string) => `/services/data/v67.0/sobjects/${type}/${id}`;

describe("projection", () => {
  it("nests parent records at any depth, with attributes, and null for an empty lookup", () => {
    const { acme, globex } = s.accounts;
    const { ann, cy, orphan } = s.contacts;
    expect(
      rows(s, "SELECT Name, Account.Name, Account.Parent.Name FROM Contact WHERE LastName != 'Jones' ORDER BY Name"),
    ).toEqual([
      {
        attributes: { type: "Contact", url: url("Contact", ann.Id) },
        Name: "Ann Smith",
        Account: { attributes: { type: "Account", url: url("Account", acme.Id) }, Name: "Acme", Parent: null },
      },
      {
        attributes: { type: "Contact", url: url("Contact", cy.Id) },
        Name: "Cy Young",
        Account: {
          attributes: { type: "Account", url: url("Account", globex.Id) },
          Name: "Globex",
          Parent: { attributes: { type: "Account", url: url("Account", acme.Id) }, Name: "Acme" },
        },
      },
      { attributes: { type: "Contact", url: url("Contact", orphan.Id) }, Name: "Orphan", Account: null },
    ]);
  });

  it("follows User → Profile → UserLicense and the permission objects' lookups", () => {
    const std = s.standardUser;
    const [user] = rows(s, `SELECT Username, Profile.Name, Profile.UserLicense.Name FROM User WHERE Id = '${std.Id}'`);
    expect(user.Username).toBe("std@example.com");
    expect(user.Profile).toMatchObject({
      attributes: { type: "Profile" },
      Name: "Standard User",
      UserLicense: { attributes: { type: "UserLicense" }, Name: "Salesforce" },
    });
    const assignments = rows(
      s,
      `SELECT PermissionSet.Name, PermissionSet.IsOwnedByProfile, Assignee.Username FROM PermissionSetAssignment WHERE AssigneeId = '${std.Id}'`,
    );
    const profilePs = s.admin.profilePermissionSet(std.ProfileId as string);
    expect(assignments).toHaveLength(1);
    expect(assignments[0].PermissionSet).toEqual({
      attributes: { type: "PermissionSet", url: url("PermissionSet", profilePs.Id) },
      Name: profilePs.Name,
      IsOwnedByProfile: true,
    });
    expect(assignments[0].Assignee).toEqual({
      attributes: { type: "User", url: url("User", std.Id) },
      Username: "std@example.com",
    });
    expect(rows(s, "SELECT Owner.Name FROM Account WHERE Name = 'Acme'")[0].Owner).toEqual({
      attributes: { type: "User", url: url("User", s.adminUser.Id) },
      Name: "Ada Admin",
    });
  });

  it("answers child subqueries with their own filter, order and limit, null when empty", () => {
    const result = rows(
      s,
      "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName DESC) FROM Account ORDER BY Name",
    );
    expect(
      result.map((r) => [
        r.Name,
        r.Contacts === null
          ? null
          : (r.Contacts as { records: Array<{ LastName: string }> }).records.map((c) => c.LastName),
      ]),
    ).toEqual([
      ["Acme", ["Smith", "Jones"]],
      ["Globex", ["Young"]],
      ["Initech", null],
      ["O'Brien & Sons_1%", null],
    ]);
    expect(result[0].Contacts).toEqual({
      totalSize: 2,
      done: true,
      records: [
        { attributes: { type: "Contact", url: url("Contact", s.contacts.ann.Id) }, LastName: "Smith" },
        { attributes: { type: "Contact", url: url("Contact", s.contacts.bob.Id) }, LastName: "Jones" },
      ],
    });
    const filtered = rows(
      s,
      "SELECT Name, (SELECT FirstName FROM Contacts WHERE FirstName = 'Bob' LIMIT 1), (SELECT Name FROM Opportunities) FROM Account WHERE Name = 'Acme'",
    );
    expect(filtered[0].Contacts).toMatchObject({ totalSize: 1, records: [{ FirstName: "Bob" }] });
    expect(filtered[0].Opportunities).toMatchObject({ totalSize: 1, done: true, records: [{ Name: "Big deal" }] });
    expect(query(s, "SELECT Id, (SELECT Id FROM Contacts) FROM Account").hasSubquery).toBe(true);
  });

  it("API-cases keys and columns whatever the query's casing, and formats values", () => {
    const result = query(
      s,
      "select id, NAME, account.name, createddate, BIRTHDATE from contact where lastname = 'smith'",
    );
    expect(result.columns).toEqual(["Id", "Name", "Account.Name", "CreatedDate", "Birthdate"]);
    const json = result.toJson(result.records[0]);
    expect(Object.keys(json)).toEqual(["attributes", "Id", "Name", "Account", "CreatedDate", "Birthdate"]);
    expect(json.CreatedDate).toBe(formatDateTime(s.contacts.ann.CreatedDate as number));
    expect(json.CreatedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$/);
    expect(json.Birthdate).toBe("1990-05-01");
    expect(rows(s, "SELECT ExpectedRevenue, Amount FROM Opportunity")[0]).toMatchObject({
      ExpectedRevenue: 100,
      Amount: 500,
    });
    expect(rows(s, "SELECT a.Name FROM Account a WHERE a.Industry = 'Energy'").map((r) => r.Name)).toEqual(["Globex"]);
  });

  it("gives CSV rows in column order with parents resolved and '' for null", () => {
    const result = query(
      s,
      "SELECT Name, Account.Name, CreatedDate, Birthdate, HasOptedOutOfEmail FROM Contact ORDER BY Name",
    );
    expect(result.columns).toEqual(["Name", "Account.Name", "CreatedDate", "Birthdate", "HasOptedOutOfEmail"]);
    const created = new Date(s.contacts.ann.CreatedDate as number).toISOString();
    expect(result.records.map(result.toCsvRow)).toEqual([
      ["Ann Smith", "Acme", created, "1990-05-01", "false"],
      ["Bob Jones", "Acme", created, "1985-12-31", "false"],
      ["Cy Young", "Globex", created, "", "false"],
      ["Orphan", "", created, "", "false"],
    ]);
  });

  it("expands FIELDS() to the visible fields, and bounds ALL and CUSTOM by LIMIT 200", () => {
    const standard = query(s, "SELECT FIELDS(STANDARD) FROM Account");
    expect(standard.columns.slice(0, 8)).toEqual([
      "Id",
      "IsDeleted",
      "CreatedDate",
      "CreatedById",
      "LastModifiedDate",
      "LastModifiedById",
      "SystemModstamp",
      "Name",
    ]);
    expect(standard.columns).toContain("Industry");
    expect(standard.columns).not.toContain("Interests__c");
    expect(standard.totalSize).toBe(4);
    expect(query(s, "SELECT FIELDS(CUSTOM) FROM Account LIMIT 200").columns).toEqual(["Interests__c"]);
    const all = query(s, "SELECT FIELDS(ALL) FROM Account ORDER BY Name LIMIT 1");
    expect(all.columns).toContain("Interests__c");
    expect(all.toJson(all.records[0])).toMatchObject({
      Name: "Acme",
      Interests__c: "Golf;Sailing",
      Industry: "Technology",
    });
    expect(query(s, "SELECT Id, FIELDS(STANDARD) FROM Contact").columns.filter((c) => c === "Id")).toHaveLength(1);
  });

  it("reads UserPermissionAccess as the running user's effective permissions", () => {
    const soql =
      "SELECT PermissionsApiEnabled, PermissionsViewSetup, PermissionsModifyAllData FROM UserPermissionAccess";
    expect(rows(s, soql)).toEqual([
      {
        attributes: { type: "UserPermissionAccess" },
        PermissionsApiEnabled: true,
        PermissionsViewSetup: true,
        PermissionsModifyAllData: true,
      },
    ]);
    expect(rows(s, soql, { as: s.standardUser.Id })).toEqual([
      {
        attributes: { type: "UserPermissionAccess" },
        PermissionsApiEnabled: true,
        PermissionsViewSetup: false,
        PermissionsModifyAllData: false,
      },
    ]);
  });
});

describe("ORDER BY, LIMIT, OFFSET", () => {
  const cases: Array<[string, string[]]> = [
    ["Name", ["Acme", "Globex", "Initech", "O'Brien & Sons_1%"]],
    ["Name DESC", ["O'Brien & Sons_1%", "Initech", "Globex", "Acme"]],
    ["NumberOfEmployees", ["Initech", "O'Brien & Sons_1%", "Globex", "Acme"]],
    ["NumberOfEmployees DESC", ["Acme", "Globex", "O'Brien & Sons_1%", "Initech"]],
    ["NumberOfEmployees NULLS LAST", ["O'Brien & Sons_1%", "Globex", "Acme", "Initech"]],
    ["NumberOfEmployees DESC NULLS FIRST", ["Initech", "Acme", "Globex", "O'Brien & Sons_1%"]],
    ["Industry, Name DESC", ["O'Brien & Sons_1%", "Globex", "Initech", "Acme"]],
    ["Industry", ["O'Brien & Sons_1%", "Globex", "Acme", "Initech"]],
    ["Parent.Name NULLS LAST, Name", ["Globex", "Acme", "Initech", "O'Brien & Sons_1%"]],
    ["Id DESC", ["O'Brien & Sons_1%", "Initech", "Globex", "Acme"]],
    ["Name LIMIT 2", ["Acme", "Globex"]],
    ["Name LIMIT 2 OFFSET 1", ["Globex", "Initech"]],
    ["Name OFFSET 3", ["O'Brien & Sons_1%"]],
    ["Name LIMIT 0", []],
  ];
  it.each(cases)("ORDER BY %s", (clause, expected) => {
    expect(rows(s, `SELECT Name FROM Account ORDER BY ${clause}`).map((r) => r.Name)).toEqual(expected);
  });

  it("keeps store (Id) order among ties, also when only the first rows are kept", () => {
    const fresh = seededOrg();
    const ctx = fresh.org.writeContext(fresh.adminUser.Id);
    const ids = Array.from(
      { length: 60 },
      (_, i) => fresh.org.store.insert("Lead", { LastName: `L${i}`, Company: i % 2 ? "Even Co" : "Odd Co" }, ctx).Id,
    );
    const run = (soql: string) => query(fresh, soql).records.map((r) => r.Id);
    const odd = ids.filter((_, i) => i % 2 === 0);
    const even = ids.filter((_, i) => i % 2 === 1);
    expect(run("SELECT Id FROM Lead ORDER BY Company")).toEqual([...even, ...odd]);
    expect(run("SELECT Id FROM Lead ORDER BY Company DESC")).toEqual([...odd, ...even]);
    expect(run("SELECT Id FROM Lead ORDER BY Company LIMIT 5 OFFSET 3")).toEqual(even.slice(3, 8));
    expect(run("SELECT Id FROM Lead ORDER BY Company DESC LIMIT 4 OFFSET 29")).toEqual([odd[29], ...even.slice(0, 3)]);
    expect(run("SELECT Id FROM Lead LIMIT 3")).toEqual(ids.slice(0, 3));
  });
});

describe("aggregates", () => {
  it("SELECT COUNT() answers only a total", () => {
    const count = query(s, "SELECT COUNT() FROM Account");
    expect([count.isCount, count.totalSize, count.records]).toEqual([true, 4, []]);
    expect(query(s, "SELECT COUNT() FROM Account WHERE Industry = 'Technology'").totalSize).toBe(2);
    expect(query(s, "SELECT COUNT() FROM Account LIMIT 3").totalSize).toBe(3);
  });

  const cases: Array<[string, Array<Record<string, unknown>>]> = [
    ["SELECT COUNT(Id) FROM Account", [{ expr0: 4 }]],
    ["SELECT COUNT(Id) FROM Account WHERE Name = 'nobody'", [{ expr0: 0 }]],
    ["SELECT COUNT(Industry) n, COUNT_DISTINCT(Industry) FROM Account", [{ n: 3, expr0: 2 }]],
    [
      "SELECT Industry, COUNT(Id) c, SUM(NumberOfEmployees), MAX(NumberOfEmployees), MIN(Name) FROM Account GROUP BY Industry",
      [
        { Industry: null, c: 1, expr0: 3, expr1: 3, expr2: "O'Brien & Sons_1%" },
        { Industry: "Energy", c: 1, expr0: 10, expr1: 10, expr2: "Globex" },
        { Industry: "Technology", c: 2, expr0: 50, expr1: 50, expr2: "Acme" },
      ],
    ],
    [
      "SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry HAVING COUNT(Id) > 1",
      [{ Industry: "Technology", expr0: 2 }],
    ],
    [
      "SELECT Industry, COUNT(Id) c FROM Account GROUP BY Industry ORDER BY COUNT(Id) DESC, Industry",
      [
        { Industry: "Technology", c: 2 },
        { Industry: null, c: 1 },
        { Industry: "Energy", c: 1 },
      ],
    ],
    [
      "SELECT Industry, AVG(NumberOfEmployees) a FROM Account WHERE Industry = 'Technology' GROUP BY Industry",
      [{ Industry: "Technology", a: 50 }],
    ],
    [
      "SELECT Account.Name, COUNT(Id) FROM Contact GROUP BY Account.Name",
      [
        { Name: null, expr0: 1 },
        { Name: "Acme", expr0: 2 },
        { Name: "Globex", expr0: 1 },
      ],
    ],
    [
      "SELECT CALENDAR_YEAR(CloseDate) y, SUM(Amount) FROM Opportunity GROUP BY CALENDAR_YEAR(CloseDate)",
      [{ y: 2024, expr0: 500 }],
    ],
    [
      "SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry ORDER BY Industry DESC LIMIT 1",
      [{ Industry: "Technology", expr0: 2 }],
    ],
  ];
  it.each(cases)("%s", (soql, expected) => {
    const result = query(s, soql);
    expect(result.aggregate).toBe(true);
    expect(result.columns).toEqual(Object.keys(expected[0]));
    expect(result.records.map(result.toJson)).toEqual(
      expected.map((e) => ({ attributes: { type: "AggregateResult" }, ...e })),
    );
  });

  it("shows MIN/MAX of datetimes in the wire format and flattens aggregates for CSV", () => {
    const result = query(s, "SELECT MAX(CreatedDate) latest, COUNT(Id) FROM Account");
    expect(result.toJson(result.records[0])).toEqual({
      attributes: { type: "AggregateResult" },
      latest: formatDateTime(s.accounts.acme.CreatedDate as number),
      expr0: 4,
    });
    expect(result.toCsvRow(result.records[0])).toEqual([formatDateTime(s.accounts.acme.CreatedDate as number), "4"]);
  });
});
