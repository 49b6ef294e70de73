import { describe, expect, it } from "vitest";
import { applyPermissionChange } from "../src/control/apply.ts";
import { canEditField, canReadField, canReadObject, hasObjectPermission } from "../src/org/permissions.ts";
import { createBaseOrg } from "../src/seed/base-org.ts";

function setup() {
  const { org, admin } = createBaseOrg();
  admin.permissionSet("Extra");
  const user = admin.user({ username: "u@x.example", password: "pw", profile: "Standard User" });
  return { org, admin, user, access: () => org.userAccess(user.Id) };
}

describe("effective permissions: the union of the profile and every assigned permission set", () => {
  it("grants what either the profile or a permission set grants", () => {
    const { org, admin, user, access } = setup();
    const account = org.objectDef("Account")!;
    applyPermissionChange(admin, "Standard User", { objects: { Account: ["Read"] } });
    expect(hasObjectPermission(access(), account, "Edit")).toBe(false);
    applyPermissionChange(admin, "Extra", { objects: { Account: ["Read", "Edit"] }, system: { ViewSetup: true } });
    expect(hasObjectPermission(access(), account, "Edit")).toBe(false); // not assigned yet
    admin.assign(user.Id, admin.require("PermissionSet", "Extra").Id);
    expect(hasObjectPermission(access(), account, "Edit")).toBe(true);
    expect(access().system.has("ViewSetup")).toBe(true);
    admin.unassign(user.Id, admin.require("PermissionSet", "Extra").Id);
    expect(access().system.has("ViewSetup")).toBe(false);
  });

  it("ignores expired assignments", () => {
    const { org, admin, user, access } = setup();
    applyPermissionChange(admin, "Extra", { system: { ViewSetup: true } });
    admin.assign(user.Id, admin.require("PermissionSet", "Extra").Id);
    const assignment = [...org.store.tableOrThrow("PermissionSetAssignment").live()].find(
      (a) => a.AssigneeId === user.Id && a.PermissionSetId === admin.require("PermissionSet", "Extra").Id,
    )!;
    org.store.update(
      "PermissionSetAssignment",
      assignment.Id,
      { ExpirationDate: org.clock.now() + 60_000 },
      org.writeContext(user.Id),
    );
    expect(access().system.has("ViewSetup")).toBe(true);
    org.clock.advance(120_000);
    org.store.tableOrThrow("PermissionSetAssignment").version++; // the resolver caches on table versions
    expect(access().system.has("ViewSetup")).toBe(false);
  });

  it.each([
    // [system permissions, object permissions on Account, permission asked, expected]
    [{}, [], "Read", false],
    [{}, ["Read"], "Read", true],
    [{}, ["Read"], "Delete", false],
    [{ ViewAllData: true }, [], "Read", true],
    [{ ViewAllData: true }, [], "Edit", false],
    [{ ModifyAllData: true }, [], "Delete", true],
    [{}, ["Read", "ViewAllRecords"], "Read", true],
    [{}, ["Read", "ModifyAllRecords"], "Delete", true],
  ] as const)("system %j + Account %j → %s is %s", (system, objects, permission, expected) => {
    const { org, admin, access } = setup();
    applyPermissionChange(admin, "Standard User", { objects: { Account: [...objects] }, system: { ...system } });
    expect(hasObjectPermission(access(), org.objectDef("Account")!, permission)).toBe(expected);
  });

  it.each([
    // [field, FLS granted, readable, editable]
    ["Industry", "edit", true, true],
    ["Industry", "read", true, false],
    ["Industry", "none", false, false],
    ["BillingCity", "none", false, false], // follows BillingAddress
    ["Name", "none", true, true], // not permissionable: always visible
  ] as const)("field %s with FLS on its governing field = %s → read %s, edit %s", (fieldName, fls, read, edit) => {
    const { org, admin, access } = setup();
    const def = org.objectDef("Account")!;
    const governing = fieldName === "BillingCity" ? "BillingAddress" : fieldName;
    if (governing !== "Name")
      applyPermissionChange(admin, "Standard User", { fields: { [`Account.${governing}`]: fls } });
    const field = def.fieldMap.get(fieldName.toLowerCase())!;
    expect(canReadField(access(), def, field)).toBe(read);
    expect(canEditField(access(), def, field)).toBe(edit);
  });

  it("reads setup objects only with View Setup; Organization and User always", () => {
    const { org, admin, access } = setup();
    expect(canReadObject(access(), org.objectDef("PermissionSet")!)).toBe(false);
    expect(canReadObject(access(), org.objectDef("Organization")!)).toBe(true);
    expect(canReadObject(access(), org.objectDef("User")!)).toBe(true);
    applyPermissionChange(admin, "Standard User", { system: { ViewSetup: true } });
    expect(canReadObject(access(), org.objectDef("ObjectPermissions")!)).toBe(true);
  });

  it("keeps an ObjectPermissions row only while something is granted, and a profile's permissions on both records", () => {
    const { org, admin } = setup();
    applyPermissionChange(admin, "Standard User", { objects: { Lead: [] }, system: { ViewRoles: true } });
    const psId = admin.permissionHolder("Standard User").Id;
    const rows = [...org.store.tableOrThrow("ObjectPermissions").live()].filter(
      (r) => r.ParentId === psId && r.SobjectType === "Lead",
    );
    expect(rows).toHaveLength(0);
    expect(admin.require("Profile", "Standard User").PermissionsViewRoles).toBe(true);
    expect(admin.permissionHolder("Standard User").PermissionsViewRoles).toBe(true);
  });
});
