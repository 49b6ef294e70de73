import { beforeEach, describe, expect, it } from "vitest";
import { failure, query, rows, type Seeded, seededOrg } from "./support/soql-fixture.ts";

let s: Seeded;
beforeEach(() => {
  s = seededOrg();
});

const FIELD_HINT =
  "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";

describe("what a user can see", () => {
  it("treats a field hidden by field-level security as a missing column, wherever it is used", () => {
    s.admin.setFieldPermissions("Standard User", "Account.Industry", "none");
    const as = s.standardUser.Id;
    for (const soql of [
      "SELECT Industry FROM Account",
      "SELECT Id FROM Account WHERE Industry = 'Energy'",
      "SELECT Id FROM Account ORDER BY Industry",
      "SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry",
    ]) {
      const error = failure(s, soql, { as });
      expect(error.errorCode).toBe("INVALID_FIELD");
      expect(error.message.endsWith(`No such column 'Industry' on entity 'Account'. ${FIELD_HINT}`)).toBe(true);
    }
    expect(failure(s, "SELECT Name, Account.Industry FROM Contact", { as }).message).toContain(
      "No such column 'Industry' on entity 'Account'",
    );
    const standard = query(s, "SELECT FIELDS(STANDARD) FROM Account", { as });
    expect(standard.columns).not.toContain("Industry");
    expect(standard.columns).toContain("Name");
    expect(rows(s, "SELECT Industry FROM Account WHERE Name = 'Globex'")[0].Industry).toBe("Energy");
  });

  it("answers INVALID_TYPE for objects the user cannot read, and INVALID_FIELD for lookups into them", () => {
    const as = s.standardUser.Id;
    expect(failure(s, "SELECT Id FROM PermissionSet", { as }).errorCode).toBe("INVALID_TYPE");
    expect(failure(s, "SELECT Id FROM PermissionSet", { as }).message).toContain(
      "sObject type 'PermissionSet' is not supported.",
    );
    const traversal = failure(s, "SELECT Profile.Name FROM User", { as });
    expect(traversal.errorCode).toBe("INVALID_FIELD");
    expect(traversal.message).toContain("Didn't understand relationship 'Profile' in field path.");
    expect(rows(s, `SELECT Username FROM User WHERE Id = '${as}'`, { as })).toEqual([
      { attributes: { type: "User", url: `/services/data/v67.0/sobjects/User/${as}` }, Username: "std@example.com" },
    ]);

    const platform = s.admin.user({
      username: "platform@example.com",
      password: "pw-123456",
      profile: "Standard Platform User",
    });
    expect(failure(s, "SELECT Id FROM Opportunity", { as: platform.Id }).errorCode).toBe("INVALID_TYPE");
    expect(
      failure(s, "SELECT Name, (SELECT Name FROM Opportunities) FROM Account", { as: platform.Id }).errorCode,
    ).toBe("INVALID_TYPE");
    expect(
      failure(s, "SELECT Id FROM Contact WHERE Id IN (SELECT ContactId FROM Case)", { as: platform.Id }).errorCode,
    ).toBe("INVALID_TYPE");
    expect(
      rows(s, "SELECT Account.Name FROM Contact WHERE LastName = 'Young'", { as: platform.Id })[0].Account,
    ).toMatchObject({ Name: "Globex" });
  });

  it("has PermissionsUseAnyApiClient only when API Access Control is on", () => {
    expect(failure(s, "SELECT PermissionsUseAnyApiClient FROM UserPermissionAccess").message).toContain(
      "No such column 'PermissionsUseAnyApiClient' on entity 'UserPermissionAccess'",
    );
    expect(failure(s, "SELECT Name, PermissionsUseAnyApiClient FROM PermissionSet").errorCode).toBe("INVALID_FIELD");
    s.org.settings.apiAccessControl = true;
    expect(rows(s, "SELECT PermissionsUseAnyApiClient FROM UserPermissionAccess")).toEqual([
      { attributes: { type: "UserPermissionAccess" }, PermissionsUseAnyApiClient: false },
    ]);
  });
});

describe("the pre-install checklist's semi-joins", () => {
  const objectAccess = (userId: string) =>
    rows(
      s,
      `SELECT SobjectType, PermissionsRead, PermissionsEdit, PermissionsViewAllRecords FROM ObjectPermissions WHERE ParentId IN (SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = '${userId.slice(0, 15)}') AND SobjectType IN ('Account','Contact') ORDER BY SobjectType, Id`,
    ).map((r) => [r.SobjectType, r.PermissionsRead, r.PermissionsEdit, r.PermissionsViewAllRecords]);

  it("reads a user's object permissions through the profile-owned assignment", () => {
    expect(objectAccess(s.standardUser.Id)).toEqual([
      ["Account", true, true, false],
      ["Contact", true, true, false],
    ]);
    expect(objectAccess(s.adminUser.Id)).toEqual([
      ["Account", true, true, true],
      ["Contact", true, true, true],
    ]);
  });

  it("adds the rows of assigned permission sets", () => {
    const ps = s.admin.permissionSet("Account Viewer");
    s.admin.setObjectPermissions("Account Viewer", "Account", ["Read", "ViewAllRecords"]);
    s.admin.assign(s.standardUser.Id, ps.Id);
    expect(objectAccess(s.standardUser.Id)).toEqual([
      ["Account", true, true, false],
      ["Account", true, false, true],
      ["Contact", true, true, false],
    ]);
  });

  it("sees field permissions disappear when field-level security is removed", () => {
    const soql = `SELECT Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId IN (SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = '${s.standardUser.Id}') AND Field IN ('Account.Industry', 'Account.Phone') ORDER BY Field`;
    expect(rows(s, soql).map((r) => [r.Field, r.PermissionsRead, r.PermissionsEdit])).toEqual([
      ["Account.Industry", true, true],
      ["Account.Phone", true, true],
    ]);
    s.admin.setFieldPermissions("Standard User", "Account.Industry", "none");
    expect(rows(s, soql).map((r) => r.Field)).toEqual(["Account.Phone"]);
  });

  it("refuses the permission objects to a user without View Setup", () => {
    const soql = `SELECT Id FROM ObjectPermissions WHERE ParentId IN (SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = '${s.standardUser.Id}')`;
    expect(failure(s, soql, { as: s.standardUser.Id }).errorCode).toBe("INVALID_TYPE");
  });
});

describe("queryAll", () => {
  it("returns recycled rows with IsDeleted = true, which query never returns", () => {
    const ctx = s.org.writeContext(s.adminUser.Id);
    s.org.store.softDelete("Account", s.accounts.initech.Id, ctx);
    s.org.store.softDelete("Contact", s.contacts.bob.Id, ctx);
    const soql = "SELECT Name, IsDeleted FROM Account ORDER BY Name";
    expect(rows(s, soql).map((r) => [r.Name, r.IsDeleted])).toEqual([
      ["Acme", false],
      ["Globex", false],
      ["O'Brien & Sons_1%", false],
    ]);
    expect(rows(s, soql, { includeDeleted: true }).map((r) => [r.Name, r.IsDeleted])).toEqual([
      ["Acme", false],
      ["Globex", false],
      ["Initech", true],
      ["O'Brien & Sons_1%", false],
    ]);
    expect(rows(s, "SELECT Name FROM Account WHERE IsDeleted = true").map((r) => r.Name)).toEqual([]);
    expect(
      rows(s, "SELECT Name FROM Account WHERE IsDeleted = true", { includeDeleted: true }).map((r) => r.Name),
    ).toEqual(["Initech"]);
    expect(query(s, "SELECT COUNT() FROM Contact").totalSize).toBe(3);
    expect(query(s, "SELECT COUNT() FROM Contact", { includeDeleted: true }).totalSize).toBe(4);
    const children = (includeDeleted: boolean) =>
      (
        rows(s, "SELECT (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account WHERE Name = 'Acme'", {
          includeDeleted,
        })[0].Contacts as {
          records: Array<{ LastName: string }>;
        }
      ).records.map((c) => c.LastName);
    expect(children(false)).toEqual(["Smith"]);
    expect(children(true)).toEqual(["Jones", "Smith"]);
  });
});
