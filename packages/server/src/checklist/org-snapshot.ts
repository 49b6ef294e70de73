import type { SalesforceClient } from "@forcelink/salesforce";
import { type GroupMute, readGroupMutes } from "./group-reads.ts";
import type { ChecklistNeeds, ObjectPermissionName } from "./needs.ts";
import {
  checkedId,
  chunks,
  first,
  firstOrNull,
  merge,
  path,
  quote,
  readApiRoot,
  readDescribes,
  readQuery,
  str,
} from "./org-reads.ts";

/**
 * Everything the checklist knows about an org, read as the connected user in a small, fixed
 * number of calls. Each part is a `Reading`: what Salesforce answered, or why it could not be
 * read (so a check can say "unknown" with the reason instead of guessing).
 */
export type Reading<T> = { ok: true; value: T } | Refusal;
/** Why a part could not be read; `checklistItem` when the error table ties the refusal to a check. */
export type Refusal = { ok: false; code: string; message: string; checklistItem?: string };

/** System permissions the checks look at, by the suffix of their `Permissions*` column. */
export const SYSTEM_PERMISSION_NAMES = [
  "ApiEnabled",
  "ApiUserOnly",
  "ViewSetup",
  "ViewAllData",
  "ViewAllUsers",
  "ModifyAllData",
  "CustomizeApplication",
  "CanApproveUninstalledApps",
  "ViewAllFieldsGlobal",
] as const;
export type SystemPermissionName = (typeof SYSTEM_PERMISSION_NAMES)[number] | "UseAnyApiClient";

export const OBJECT_PERMISSION_COLUMNS = [
  "Read",
  "Create",
  "Edit",
  "Delete",
  "ViewAllRecords",
  "ModifyAllRecords",
  "ViewAllFields",
] as const;
export type ObjectPermissionColumn = ObjectPermissionName | "ModifyAllRecords";

export interface UserFacts {
  id: string;
  username: string;
  isActive: boolean;
  profileId: string | null;
  profileName: string | null;
  licenseName: string | null;
  licenseKey: string | null;
}

export interface PermissionSetFacts {
  id: string;
  name: string;
  label: string;
  isOwnedByProfile: boolean;
  /** Set on the aggregate permission set of a permission set group (Type 'Group'). */
  groupId: string | null;
  system: Partial<Record<SystemPermissionName, boolean>>;
}

export interface ObjectPermissionRow {
  parentId: string;
  sobjectType: string;
  granted: Partial<Record<ObjectPermissionColumn, boolean>>;
}

export interface FieldPermissionRow {
  parentId: string;
  /** `Object.Field`. */
  field: string;
  read: boolean;
  edit: boolean;
}

export interface DescribedField {
  name: string;
  permissionable: boolean;
  createable: boolean;
  updateable: boolean;
  calculated: boolean;
}

export interface DescribedObject {
  name: string;
  fields: DescribedField[];
}

export interface AppFacts {
  id: string;
  name: string;
  adminApprovedOnly: boolean;
  /** True: refresh tokens expire after a period unused; false with a period: after a fixed lifetime. */
  refreshTokenValidityMetric: boolean;
  refreshTokenValidityPeriod: number | null;
  /** OptionsHasSessionLevelPolicy: the app requires a High Assurance session. */
  highAssuranceRequired: boolean;
}

/** What introspecting the connection's refresh token gave, when it was tried. */
export type RefreshProbeResult = { ok: true } | { ok: false; code: string; message: string; checklistItem?: string };

/** What introspecting the connection's access token as the app gave: its expiry when Salesforce told it. */
export type AccessProbeResult = { ok: true; expiresAt: number | null } | { ok: false; code: string; message: string };

export interface OrgSnapshot {
  takenAt: string;
  userId: string;
  /** The API's version root: proves the edition and the user's API Enabled; carries the quota header. */
  api: Reading<{ usage: { used: number; max: number } | null }>;
  organization: Reading<{ id: string; name: string; organizationType: string; isSandbox: boolean }>;
  user: Reading<UserFacts>;
  /** UserPermissionAccess: the running user's effective system permissions. */
  systemPermissions: Reading<Partial<Record<SystemPermissionName, boolean>>>;
  /** PermissionsUseAnyApiClient; INVALID_FIELD means API Access Control is off (the column does not exist). */
  useAnyApiClient: Reading<boolean>;
  /** The permission sets assigned to the user, the profile-owned one included. */
  permissionSets: Reading<PermissionSetFacts[]>;
  objectPermissions: Reading<ObjectPermissionRow[]>;
  /**
   * Which declared objects without a permission row for the user exist in the org at all (any
   * permission set holds a row for them); null when every declared object has a row.
   */
  existingObjects: Reading<string[]> | null;
  fieldPermissions: Reading<FieldPermissionRow[]>;
  /** What the muting permission sets of the user's permission set groups turn off; null without groups. */
  groupMutes: Reading<GroupMute[]> | null;
  /** Lower-cased object name to its describe as the user (only the objects with declared fields). */
  describes: Record<string, Reading<DescribedObject>>;
  /** The app's ConnectedApplication row; null when the org has none (the app is not installed). */
  connectedApp: Reading<AppFacts | null> | null;
  /** SetupEntityAccess rows granting connected apps to the user's permission sets. */
  appGrants: Reading<Array<{ parentId: string; setupEntityId: string }>>;
  /** Change Data Capture entities already selected; null when nothing is subscribed. */
  cdcSelected: Reading<string[]> | null;
  refreshProbe: RefreshProbeResult | null;
  accessProbe: AccessProbeResult | null;
}

export interface SnapshotOptions {
  /** The connected user (005…). */
  userId: string;
  /** The app's name in Salesforce, to find its ConnectedApplication row. */
  appName?: string;
  /** Asks Salesforce once whether the refresh token is still usable; throws when it is not. */
  refreshProbe?: () => Promise<void>;
  /** Introspects the connection's access token as the app; answers its expiry (epoch ms) or null. */
  accessProbe?: () => Promise<{ expiresAt: number | null }>;
  now: () => Date;
}

export interface ApiCallCount {
  /** REST and Tooling calls: the ones Salesforce counts against the daily quota. */
  api: number;
  /** OAuth calls (the refresh-token introspection), which do not count against the quota. */
  oauth: number;
}

/** Declared object names per ObjectPermissions query, and field paths per FieldPermissions query. */
const OBJECTS_PER_QUERY = 100;
const FIELDS_PER_QUERY = 200;

export type Query = <T>(soql: string, map: (r: Record<string, unknown>) => T) => Promise<Reading<T[]>>;

/**
 * Reads the org for the checklist. The number of calls does not grow with the requirements up
 * to 25 objects with declared fields, 100 objects and 200 fields; past that one more call per
 * 25 described objects, 100 objects or 200 fields. One more call when a declared object has no
 * permission row for the user, to learn whether the org has it at all.
 */
export async function takeOrgSnapshot(
  client: SalesforceClient,
  needs: ChecklistNeeds,
  options: SnapshotOptions,
): Promise<{ snapshot: OrgSnapshot; calls: ApiCallCount }> {
  const calls: ApiCallCount = { api: 0, oauth: 0 };
  const userId = checkedId(options.userId);
  const takenAt = options.now().toISOString();
  const api = await readApiRoot(client, calls);
  if (!api.ok) return { snapshot: unreachableSnapshot(takenAt, userId, api, needs), calls };

  const query: Query = (soql, map) => readQuery(client, calls, soql, map);
  const assigned = `SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = ${quote(userId)}`;
  const identity = await readIdentity(query, userId, assigned);
  const grants = await readGrants(query, needs, assigned);
  const groupMutes = await readGroupMutes(query, needs, identity.permissionSets);
  const describes = await readDescribes(client, calls, [...new Set(needs.fields.map((f) => f.object))]);
  const app = await readApp(query, options.appName, assigned);
  const cdcSelected = needs.subscribes
    ? await readQuery(
        client,
        calls,
        "SELECT SelectedEntity FROM PlatformEventChannelMember",
        (r) => String(r.SelectedEntity),
        "tooling",
      )
    : null;
  const probes = await readProbes(options, calls);
  return {
    snapshot: { takenAt, userId, api, ...identity, ...grants, groupMutes, describes, ...app, cdcSelected, ...probes },
    calls,
  };
}

/** The org, the user, and the user's effective system permissions. */
async function readIdentity(query: Query, userId: string, assigned: string) {
  const permissionColumns = SYSTEM_PERMISSION_NAMES.map((p) => `Permissions${p}`).join(", ");
  const [organization, user, systemPermissions, useAnyApiClient, permissionSets] = await Promise.all([
    first(
      query("SELECT Id, Name, OrganizationType, IsSandbox FROM Organization", (r) => ({
        id: String(r.Id),
        name: String(r.Name ?? ""),
        organizationType: String(r.OrganizationType ?? ""),
        isSandbox: r.IsSandbox === true,
      })),
      "Organization",
    ),
    first(
      query(
        "SELECT Id, Username, IsActive, ProfileId, Profile.Name, Profile.UserLicense.Name, " +
          `Profile.UserLicense.LicenseDefinitionKey FROM User WHERE Id = ${quote(userId)}`,
        (r): UserFacts => ({
          id: String(r.Id),
          username: String(r.Username ?? ""),
          isActive: r.IsActive === true,
          profileId: str(r.ProfileId),
          profileName: str(path(r, "Profile", "Name")),
          licenseName: str(path(r, "Profile", "UserLicense", "Name")),
          licenseKey: str(path(r, "Profile", "UserLicense", "LicenseDefinitionKey")),
        }),
      ),
      "User",
    ),
    first(query(`SELECT ${permissionColumns} FROM UserPermissionAccess`, systemFlags), "UserPermissionAccess"),
    first(
      query(
        "SELECT PermissionsUseAnyApiClient FROM UserPermissionAccess",
        (r) => r.PermissionsUseAnyApiClient === true,
      ),
      "UserPermissionAccess",
    ),
    query(
      `SELECT Id, Name, Label, IsOwnedByProfile, Type, PermissionSetGroupId, ${permissionColumns} FROM PermissionSet WHERE Id IN (${assigned})`,
      (r): PermissionSetFacts => ({
        id: String(r.Id),
        name: String(r.Name ?? ""),
        label: String(r.Label ?? r.Name ?? ""),
        isOwnedByProfile: r.IsOwnedByProfile === true,
        groupId: r.Type === "Group" ? str(r.PermissionSetGroupId) : null,
        system: systemFlags(r),
      }),
    ),
  ]);
  return { organization, user, systemPermissions, useAnyApiClient, permissionSets };
}

/** Object and field permissions of the user's permission sets, and which declared objects exist. */
async function readGrants(query: Query, needs: ChecklistNeeds, assigned: string) {
  const objectColumns = OBJECT_PERMISSION_COLUMNS.map((p) => `Permissions${p}`).join(", ");
  const objectPermissions = merge(
    await Promise.all(
      chunks(
        needs.objects.map((o) => o.name),
        OBJECTS_PER_QUERY,
      ).map((names) =>
        query(
          `SELECT ParentId, SobjectType, ${objectColumns} FROM ObjectPermissions WHERE ParentId IN (${assigned}) ` +
            `AND SobjectType IN (${names.map(quote).join(", ")})`,
          (r): ObjectPermissionRow => ({
            parentId: String(r.ParentId),
            sobjectType: String(r.SobjectType),
            granted: Object.fromEntries(OBJECT_PERMISSION_COLUMNS.map((p) => [p, r[`Permissions${p}`] === true])),
          }),
        ),
      ),
    ),
  );
  const fieldPermissions = merge(
    await Promise.all(
      chunks(
        needs.fields.map((f) => f.path),
        FIELDS_PER_QUERY,
      ).map((paths) =>
        query(
          `SELECT ParentId, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId IN (${assigned}) ` +
            `AND Field IN (${paths.map(quote).join(", ")})`,
          (r): FieldPermissionRow => ({
            parentId: String(r.ParentId),
            field: String(r.Field),
            read: r.PermissionsRead === true || r.PermissionsEdit === true,
            edit: r.PermissionsEdit === true,
          }),
        ),
      ),
    ),
  );
  return { objectPermissions, fieldPermissions, existingObjects: await readExisting(query, needs, objectPermissions) };
}

/**
 * An object no permission set of the user mentions may be missing from the org rather than
 * withheld: any permission set in the org holding a row for it proves it exists.
 */
async function readExisting(
  query: Query,
  needs: ChecklistNeeds,
  rows: Reading<ObjectPermissionRow[]>,
): Promise<Reading<string[]> | null> {
  if (!rows.ok) return null;
  const mentioned = new Set(rows.value.map((r) => r.sobjectType.toLowerCase()));
  const unmentioned = needs.objects.map((o) => o.name).filter((n) => !mentioned.has(n.toLowerCase()));
  if (unmentioned.length === 0) return null;
  const found = merge(
    await Promise.all(
      chunks(unmentioned, OBJECTS_PER_QUERY).map((names) =>
        query(`SELECT SobjectType FROM ObjectPermissions WHERE SobjectType IN (${names.map(quote).join(", ")})`, (r) =>
          String(r.SobjectType),
        ),
      ),
    ),
  );
  return found.ok ? { ok: true, value: [...new Set(found.value)] } : found;
}

/** The app's ConnectedApplication row and the SetupEntityAccess rows pre-authorizing apps for the user. */
async function readApp(query: Query, appName: string | undefined, assigned: string) {
  const connectedApp =
    appName === undefined
      ? null
      : await firstOrNull(
          query(
            "SELECT Id, Name, OptionsAllowAdminApprovedUsersOnly, OptionsRefreshTokenValidityMetric, " +
              "RefreshTokenValidityPeriod, OptionsHasSessionLevelPolicy FROM ConnectedApplication " +
              `WHERE Name = ${quote(appName)}`,
            (r): AppFacts => ({
              id: String(r.Id),
              name: String(r.Name),
              adminApprovedOnly: r.OptionsAllowAdminApprovedUsersOnly === true,
              refreshTokenValidityMetric: r.OptionsRefreshTokenValidityMetric === true,
              refreshTokenValidityPeriod:
                typeof r.RefreshTokenValidityPeriod === "number" ? r.RefreshTokenValidityPeriod : null,
              highAssuranceRequired: r.OptionsHasSessionLevelPolicy === true,
            }),
          ),
        );
  const appGrants = await query(
    "SELECT ParentId, SetupEntityId FROM SetupEntityAccess WHERE SetupEntityType = 'ConnectedApplication' " +
      `AND ParentId IN (${assigned})`,
    (r) => ({ parentId: String(r.ParentId), setupEntityId: String(r.SetupEntityId) }),
  );
  return { connectedApp, appGrants };
}

/** The OAuth introspections: whether the refresh token is usable, and when the access token ends. */
async function readProbes(
  options: SnapshotOptions,
  calls: ApiCallCount,
): Promise<Pick<OrgSnapshot, "refreshProbe" | "accessProbe">> {
  let refreshProbe: RefreshProbeResult | null = null;
  if (options.refreshProbe) {
    calls.oauth++;
    try {
      await options.refreshProbe();
      refreshProbe = { ok: true };
    } catch (error) {
      refreshProbe = probeFailure(error);
    }
  }
  let accessProbe: AccessProbeResult | null = null;
  if (options.accessProbe) {
    calls.oauth++;
    try {
      accessProbe = { ok: true, expiresAt: (await options.accessProbe()).expiresAt };
    } catch (error) {
      const { code, message } = probeFailure(error) as { code: string; message: string };
      accessProbe = { ok: false, code, message };
    }
  }
  return { refreshProbe, accessProbe };
}

/** When the API refuses the first call, nothing else can be read: every part carries that refusal. */
export function unreachableSnapshot(
  takenAt: string,
  userId: string,
  refused: Extract<Reading<unknown>, { ok: false }>,
  needs: ChecklistNeeds,
): OrgSnapshot {
  return {
    takenAt,
    userId,
    api: refused,
    organization: refused,
    user: refused,
    systemPermissions: refused,
    useAnyApiClient: refused,
    permissionSets: refused,
    objectPermissions: refused,
    fieldPermissions: refused,
    groupMutes: null,
    existingObjects: null,
    describes: Object.fromEntries(needs.fields.map((f) => [f.object.toLowerCase(), refused])),
    connectedApp: refused,
    appGrants: refused,
    cdcSelected: needs.subscribes ? refused : null,
    refreshProbe: null,
    accessProbe: null,
  };
}

function systemFlags(r: Record<string, unknown>): Partial<Record<SystemPermissionName, boolean>> {
  const out: Partial<Record<SystemPermissionName, boolean>> = {};
  for (const p of SYSTEM_PERMISSION_NAMES) out[p] = r[`Permissions${p}`] === true;
  return out;
}

function probeFailure(error: unknown): RefreshProbeResult {
  const e = error as {
    error?: unknown;
    code?: unknown;
    description?: unknown;
    message?: unknown;
    checklistItem?: unknown;
  };
  const code = str(e.error) ?? str(e.code) ?? "refresh_failed";
  const message = str(e.description) ?? str(e.message) ?? String(error);
  const checklistItem = str(e.checklistItem) ?? undefined;
  return checklistItem ? { ok: false, code, message, checklistItem } : { ok: false, code, message };
}
