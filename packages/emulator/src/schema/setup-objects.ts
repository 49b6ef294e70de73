import { defineObject, field, picklist, reference, systemField } from "./field-builders.ts";
import type { FieldDef, ObjectDef } from "./types.ts";

/** System permissions the emulator models, by the suffix of their `Permissions*` field. */
export const SYSTEM_PERMISSIONS = [
  "ApiEnabled",
  "ApiUserOnly",
  "ViewSetup",
  "ViewRoles",
  "ViewAllData",
  "ModifyAllData",
  "ViewAllUsers",
  "ManageUsers",
  "CustomizeApplication",
  "ModifyMetadata",
  "ManageCustomPermissions",
  "AuthorApex",
  "ManageNamedCredentials",
  "CanApproveUninstalledApps",
  "ViewAllFieldsGlobal",
  "UseAnyApiClient",
] as const;
export type SystemPermission = (typeof SYSTEM_PERMISSIONS)[number];

/** Columns that exist only when an org feature is on (Use Any API Client needs API Access Control). */
export const FEATURE_GATED_PERMISSIONS: Partial<Record<SystemPermission, "apiAccessControl">> = {
  UseAnyApiClient: "apiAccessControl",
};

export const OBJECT_PERMISSIONS = [
  "Read",
  "Create",
  "Edit",
  "Delete",
  "ViewAllRecords",
  "ModifyAllRecords",
  "ViewAllFields",
] as const;
export type ObjectPermission = (typeof OBJECT_PERMISSIONS)[number];

const setup = { access: "setup", auditFields: true } as const;
const ro = { createable: false, updateable: false, permissionable: false } as const;

function permissionFields(): FieldDef[] {
  return SYSTEM_PERMISSIONS.map((p) => field(`Permissions${p}`, "boolean", { ...ro, label: p }));
}

export function userObject(): ObjectDef {
  return defineObject(
    "User",
    "005",
    [
      field("Username", "string", { ...ro, nillable: false, unique: true, idLookup: true, length: 80 }),
      field("FirstName", "string", { ...ro, length: 40 }),
      field("LastName", "string", { ...ro, nillable: false, length: 80 }),
      field("Name", "string", { ...ro, nameField: true, length: 121 }),
      field("Email", "email", { ...ro, nillable: false }),
      field("Alias", "string", { ...ro, length: 8 }),
      field("IsActive", "boolean", ro),
      picklist("UserType", ["Standard", "PowerPartner", "CsnOnly", "Guest", "AutomatedProcess"], ro),
      reference("ProfileId", "Profile", "Profile", ro),
      field("TimeZoneSidKey", "string", ro),
      field("LanguageLocaleKey", "string", ro),
      field("LocaleSidKey", "string", ro),
    ],
    { access: "public", createable: false, updateable: false, deletable: false, replicateable: true },
  );
}

export function organizationObject(): ObjectDef {
  return defineObject(
    "Organization",
    "00D",
    [
      field("Name", "string", { ...ro, nameField: true }),
      field("OrganizationType", "string", ro),
      field("IsSandbox", "boolean", ro),
      field("InstanceName", "string", ro),
      field("TrialExpirationDate", "datetime", ro),
      field("LanguageLocaleKey", "string", ro),
      field("TimeZoneSidKey", "string", ro),
      field("NamespacePrefix", "string", ro),
    ],
    { access: "public" },
  );
}

export function userLicenseObject(): ObjectDef {
  return defineObject(
    "UserLicense",
    "100",
    [
      field("Name", "string", { ...ro, nameField: true }),
      field("MasterLabel", "string", ro),
      field("LicenseDefinitionKey", "string", ro),
      field("Status", "string", ro),
      field("TotalLicenses", "int", ro),
      field("UsedLicenses", "int", ro),
    ],
    { access: "public", labelPlural: "User Licenses" },
  );
}

export function profileObject(): ObjectDef {
  return defineObject(
    "Profile",
    "00e",
    [
      field("Name", "string", { ...ro, nameField: true }),
      reference("UserLicenseId", "UserLicense", "UserLicense", ro),
      field("UserType", "string", ro),
      field("Description", "string", ro),
      ...permissionFields(),
    ],
    setup,
  );
}

export function permissionSetObject(): ObjectDef {
  return defineObject(
    "PermissionSet",
    "0PS",
    [
      field("Name", "string", { ...ro, nameField: true }),
      field("Label", "string", ro),
      field("IsOwnedByProfile", "boolean", ro),
      reference("ProfileId", "Profile", "Profile", ro),
      picklist("Type", ["Regular", "Group", "Profile", "Session", "Standard"], ro),
      reference("LicenseId", "UserLicense", "License", ro),
      field("PermissionSetGroupId", "reference", ro),
      ...permissionFields(),
    ],
    setup,
  );
}

/** A group of permission sets assigned as one; its aggregate permissions live in a PermissionSet of Type 'Group'. */
export function permissionSetGroupObject(): ObjectDef {
  return defineObject(
    "PermissionSetGroup",
    "0PG",
    [
      field("DeveloperName", "string", { ...ro, nameField: true, length: 80 }),
      field("MasterLabel", "string", { ...ro, length: 80 }),
      field("Description", "string", ro),
      picklist("Status", ["Updated", "Outdated", "Updating", "Failed"], ro),
    ],
    setup,
  );
}

/** Permissions a permission set group turns off, whatever its permission sets grant. */
export function mutingPermissionSetObject(): ObjectDef {
  return defineObject(
    "MutingPermissionSet",
    "0QM",
    [
      field("DeveloperName", "string", { ...ro, nameField: true, length: 80 }),
      field("MasterLabel", "string", { ...ro, length: 80 }),
      ...permissionFields(),
    ],
    setup,
  );
}

/** A permission set (or the muting permission set) in a permission set group. */
export function permissionSetGroupComponentObject(): ObjectDef {
  return defineObject(
    "PermissionSetGroupComponent",
    "0PC",
    [
      reference("PermissionSetGroupId", "PermissionSetGroup", "PermissionSetGroup", ro),
      // Polymorphic: a PermissionSet or a MutingPermissionSet.
      field("PermissionSetId", "reference", ro),
    ],
    setup,
  );
}

export function permissionSetAssignmentObject(): ObjectDef {
  return defineObject(
    "PermissionSetAssignment",
    "0Pa",
    [
      reference("AssigneeId", "User", "Assignee", ro),
      reference("PermissionSetId", "PermissionSet", "PermissionSet", ro),
      field("PermissionSetGroupId", "reference", ro),
      field("IsActive", "boolean", ro),
      field("ExpirationDate", "datetime", ro),
    ],
    setup,
  );
}

export function objectPermissionsObject(): ObjectDef {
  return defineObject(
    "ObjectPermissions",
    "110",
    [
      reference("ParentId", "PermissionSet", "Parent", ro),
      field("SobjectType", "string", ro),
      ...OBJECT_PERMISSIONS.map((p) => field(`Permissions${p}`, "boolean", { ...ro, label: p })),
    ],
    { ...setup, labelPlural: "Object Permissions" },
  );
}

export function fieldPermissionsObject(): ObjectDef {
  return defineObject(
    "FieldPermissions",
    "01k",
    [
      reference("ParentId", "PermissionSet", "Parent", ro),
      field("SobjectType", "string", ro),
      field("Field", "string", ro),
      field("PermissionsRead", "boolean", ro),
      field("PermissionsEdit", "boolean", ro),
    ],
    { ...setup, labelPlural: "Field Permissions" },
  );
}

export function connectedApplicationObject(): ObjectDef {
  return defineObject(
    "ConnectedApplication",
    "0H4",
    [
      field("Name", "string", { ...ro, nameField: true }),
      field("OptionsAllowAdminApprovedUsersOnly", "boolean", ro),
      field("OptionsRefreshTokenValidityMetric", "boolean", ro),
      field("RefreshTokenValidityPeriod", "int", ro),
      field("OptionsHasSessionLevelPolicy", "boolean", ro),
      field("OptionsFullContentPushNotifications", "boolean", ro),
      field("StartUrl", "url", ro),
      field("MobileStartUrl", "url", ro),
      field("PinLength", "string", ro),
      field("MobileSessionTimeout", "string", ro),
      field("NamedUserUvidTimeout", "string", ro),
    ],
    setup,
  );
}

export function setupEntityAccessObject(): ObjectDef {
  return defineObject(
    "SetupEntityAccess",
    "0J0",
    [
      reference("ParentId", "PermissionSet", "Parent", ro),
      field("SetupEntityId", "reference", ro),
      field("SetupEntityType", "string", ro),
    ],
    { ...setup, labelPlural: "Setup Entity Access" },
  );
}

/** The running user's effective system permissions; the emulator fills it per request. */
export function userPermissionAccessObject(): ObjectDef {
  return defineObject("UserPermissionAccess", "0Up", [systemField("Id", "id"), ...permissionFields()], {
    access: "public",
    auditFields: false,
    labelPlural: "User Permission Access",
  });
}

export function platformEventChannelMemberObject(): ObjectDef {
  return defineObject(
    "PlatformEventChannelMember",
    "0v8",
    [
      field("DeveloperName", "string", { ...ro, nameField: true }),
      field("FullName", "string", { permissionable: false }),
      field("EventChannel", "string", { permissionable: false, updateable: false }),
      field("SelectedEntity", "string", { permissionable: false, updateable: false }),
      field("EnrichedFields", "textarea", { permissionable: false }),
      field("FilterExpression", "textarea", { permissionable: false }),
      systemField("Metadata", "textarea", { filterable: false, sortable: false }),
    ],
    { access: "setup", tooling: true, createable: true, updateable: true, deletable: true },
  );
}

export const SETUP_OBJECTS = [
  userObject,
  organizationObject,
  userLicenseObject,
  profileObject,
  permissionSetObject,
  permissionSetGroupObject,
  mutingPermissionSetObject,
  permissionSetGroupComponentObject,
  permissionSetAssignmentObject,
  objectPermissionsObject,
  fieldPermissionsObject,
  connectedApplicationObject,
  setupEntityAccessObject,
  userPermissionAccessObject,
];
