import type { OrgSnapshot, PermissionSetFacts, SystemPermissionName } from "../../src/checklist/org-snapshot.ts";

export const PROFILE_SET = "0PS000000000001AAA";
export const EXTRA_SET = "0PS000000000002AAA";
export const APP_ID = "0H4000000000001AAA";

const ALL_SYSTEM: SystemPermissionName[] = [
  "ApiEnabled",
  "ViewSetup",
  "CustomizeApplication",
  "CanApproveUninstalledApps",
];

function flags(on: SystemPermissionName[]): PermissionSetFacts["system"] {
  return Object.fromEntries(
    [...ALL_SYSTEM, "ApiUserOnly", "ViewAllData", "ViewAllUsers", "ModifyAllData", "ViewAllFieldsGlobal"].map((p) => [
      p,
      on.includes(p as SystemPermissionName),
    ]),
  );
}

/**
 * A snapshot of a healthy org for an integration that reads and writes Accounts (Name,
 * Industry) and subscribes to them, with grants split between the profile (Read, Create, Edit,
 * Delete) and a permission set (View All Records, View All Fields, Industry editable).
 */
export function healthySnapshot(): OrgSnapshot {
  return {
    takenAt: "2026-01-01T00:00:00.000Z",
    userId: "005000000000001AAA",
    api: { ok: true, value: { usage: { used: 1000, max: 100000 } } },
    organization: {
      ok: true,
      value: { id: "00D000000000001AAA", name: "Acme", organizationType: "Enterprise Edition", isSandbox: false },
    },
    user: {
      ok: true,
      value: {
        id: "005000000000001AAA",
        username: "sync@acme.example",
        isActive: true,
        profileId: "00e000000000001AAA",
        profileName: "Integration",
        licenseName: "Salesforce",
        licenseKey: "SFDC",
      },
    },
    systemPermissions: { ok: true, value: flags(ALL_SYSTEM) },
    useAnyApiClient: { ok: false, code: "INVALID_FIELD", message: "No such column 'PermissionsUseAnyApiClient'" },
    permissionSets: {
      ok: true,
      value: [
        {
          id: PROFILE_SET,
          name: "X00e",
          label: "Integration",
          isOwnedByProfile: true,
          groupId: null,
          system: flags(["ApiEnabled"]),
        },
        {
          id: EXTRA_SET,
          name: "Sync",
          label: "Sync",
          isOwnedByProfile: false,
          groupId: null,
          system: flags(ALL_SYSTEM),
        },
      ],
    },
    objectPermissions: {
      ok: true,
      value: [
        {
          parentId: PROFILE_SET,
          sobjectType: "Account",
          granted: { Read: true, Create: true, Edit: true, Delete: true },
        },
        {
          parentId: EXTRA_SET,
          sobjectType: "Account",
          granted: { Read: true, ViewAllRecords: true, ViewAllFields: true },
        },
      ],
    },
    existingObjects: null,
    groupMutes: null,
    fieldPermissions: {
      ok: true,
      value: [{ parentId: EXTRA_SET, field: "Account.Industry", read: true, edit: true }],
    },
    describes: {
      account: {
        ok: true,
        value: {
          name: "Account",
          fields: [
            { name: "Name", permissionable: false, createable: true, updateable: true, calculated: false },
            { name: "Industry", permissionable: true, createable: true, updateable: true, calculated: false },
          ],
        },
      },
    },
    connectedApp: {
      ok: true,
      value: {
        id: APP_ID,
        name: "Acme Sync",
        adminApprovedOnly: false,
        refreshTokenValidityMetric: false,
        refreshTokenValidityPeriod: null,
        highAssuranceRequired: false,
      },
    },
    appGrants: { ok: true, value: [] },
    cdcSelected: { ok: true, value: [] },
    refreshProbe: { ok: true },
    accessProbe: { ok: true, expiresAt: Date.parse("2026-01-01T02:00:00.000Z") },
  };
}
