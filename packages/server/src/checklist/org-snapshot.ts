import { parseLimitInfo, SalesforceApiError, type SalesforceClient } from "@forcelink/salesforce";
import type { ChecklistNeeds, ObjectPermissionName } from "./needs.ts";

/**
 * Everything the checklist knows about an org, read as the connected user in a small, fixed
 * number of calls. Each part is a `Reading`: what Salesforce answered, or why it could not be
 * read (so a check can say "unknown" with the reason instead of guessing).
 */
export type Reading<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

/** System permissions the checks look at, by the suffix of their `Permissions*` column. */
export const SYSTEM_PERMISSION_NAMES = [
  "ApiEnabled",
  "ApiUserOnly",
  "ViewSetup",
  "ViewRoles",
  "ViewAllData",
  "ModifyAllData",
  "CustomizeApplication",
  "ModifyMetadata",
  "ManageCustomPermissions",
  "ManageNamedCredentials",
  "CanApproveUninstalledApps",
  "ViewAllFieldsGlobal",
] as const;
export type SystemPermissionName = (typeof SYSTEM_PERMISSION_NAMES)[number] | "UseAnyApiClient";

const OBJECT_PERMISSION_COLUMNS = [
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
}

/** What introspecting the connection's refresh token gave, when it was tried. */
export type RefreshProbeResult = { ok: true } | { ok: false; code: string; message: string; checklistItem?: string };

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
  fieldPermissions: Reading<FieldPermissionRow[]>;
  /** Lower-cased object name to its describe as the user (only the objects with declared fields). */
  describes: Record<string, Reading<DescribedObject>>;
  /** The app's ConnectedApplication row; null when the org has none (the app is not installed). */
  connectedApp: Reading<AppFacts | null> | null;
  /** SetupEntityAccess rows granting connected apps to the user's permission sets. */
  appGrants: Reading<Array<{ parentId: string; setupEntityId: string }>>;
  /** Change Data Capture entities already selected; null when nothing is subscribed. */
  cdcSelected: Reading<string[]> | null;
  refreshProbe: RefreshProbeResult | null;
}

export interface SnapshotOptions {
  /** The connected user (005…). */
  userId: string;
  /** The app's name in Salesforce, to find its ConnectedApplication row. */
  appName?: string;
  /** Asks Salesforce once whether the refresh token is still usable; throws when it is not. */
  refreshProbe?: () => Promise<void>;
  /** The platform's clock: when the snapshot was taken. */
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
/** Subrequests per composite batch call. */
const DESCRIBES_PER_BATCH = 25;

/**
 * Reads the org for the checklist. The number of calls does not grow with the requirements up
 * to 25 objects with declared fields, 100 objects and 200 fields; past that one more call per
 * 25 described objects, 100 objects or 200 fields.
 */
export async function takeOrgSnapshot(
  client: SalesforceClient,
  needs: ChecklistNeeds,
  options: SnapshotOptions,
): Promise<{ snapshot: OrgSnapshot; calls: ApiCallCount }> {
  const calls: ApiCallCount = { api: 0, oauth: 0 };
  const userId = checkedId(options.userId);
  const takenAt = options.now().toISOString();
  const probe = await readApiRoot(client, calls);
  if (!probe.ok) return { snapshot: unreachable(takenAt, userId, probe, needs), calls };

  const query = <T>(soql: string, map: (r: Record<string, unknown>) => T) => readQuery(client, calls, soql, map);
  const assigned = `SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = ${quote(userId)}`;
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
      `SELECT Id, Name, Label, IsOwnedByProfile, ${permissionColumns} FROM PermissionSet WHERE Id IN (${assigned})`,
      (r): PermissionSetFacts => ({
        id: String(r.Id),
        name: String(r.Name ?? ""),
        label: String(r.Label ?? r.Name ?? ""),
        isOwnedByProfile: r.IsOwnedByProfile === true,
        system: systemFlags(r),
      }),
    ),
  ]);

  const objectNames = needs.objects.map((o) => o.name);
  const objectColumns = OBJECT_PERMISSION_COLUMNS.map((p) => `Permissions${p}`).join(", ");
  const objectPermissions = merge(
    await Promise.all(
      chunks(objectNames, OBJECTS_PER_QUERY).map((names) =>
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
  const describedNames = [...new Set(needs.fields.map((f) => f.object))];
  const describes = await readDescribes(client, calls, describedNames);

  const connectedApp =
    options.appName === undefined
      ? null
      : await firstOrNull(
          query(
            "SELECT Id, Name, OptionsAllowAdminApprovedUsersOnly, OptionsRefreshTokenValidityMetric, " +
              `RefreshTokenValidityPeriod FROM ConnectedApplication WHERE Name = ${quote(options.appName)}`,
            (r): AppFacts => ({
              id: String(r.Id),
              name: String(r.Name),
              adminApprovedOnly: r.OptionsAllowAdminApprovedUsersOnly === true,
              refreshTokenValidityMetric: r.OptionsRefreshTokenValidityMetric === true,
              refreshTokenValidityPeriod:
                typeof r.RefreshTokenValidityPeriod === "number" ? r.RefreshTokenValidityPeriod : null,
            }),
          ),
        );
  const appGrants = await query(
    "SELECT ParentId, SetupEntityId FROM SetupEntityAccess WHERE SetupEntityType = 'ConnectedApplication' " +
      `AND ParentId IN (${assigned})`,
    (r) => ({ parentId: String(r.ParentId), setupEntityId: String(r.SetupEntityId) }),
  );
  const cdcSelected = needs.subscribes
    ? await readQuery(
        client,
        calls,
        "SELECT SelectedEntity FROM PlatformEventChannelMember",
        (r) => String(r.SelectedEntity),
        "tooling",
      )
    : null;

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

  return {
    snapshot: {
      takenAt,
      userId,
      api: probe,
      organization,
      user,
      systemPermissions,
      useAnyApiClient,
      permissionSets,
      objectPermissions,
      fieldPermissions,
      describes,
      connectedApp,
      appGrants,
      cdcSelected,
      refreshProbe,
    },
    calls,
  };
}

async function readApiRoot(client: SalesforceClient, calls: ApiCallCount): Promise<OrgSnapshot["api"]> {
  calls.api++;
  try {
    const res = await client.request({ path: client.dataPath });
    const usage = parseLimitInfo(res.headers["sforce-limit-info"]);
    return { ok: true, value: { usage: usage ? { used: usage.used, max: usage.max } : null } };
  } catch (error) {
    return refusal(error);
  }
}

/** When the API refuses the first call, nothing else can be read: every part carries that refusal. */
function unreachable(
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
    describes: Object.fromEntries(needs.fields.map((f) => [f.object.toLowerCase(), refused])),
    connectedApp: refused,
    appGrants: refused,
    cdcSelected: needs.subscribes ? refused : null,
    refreshProbe: null,
  };
}

async function readQuery<T>(
  client: SalesforceClient,
  calls: ApiCallCount,
  soql: string,
  map: (r: Record<string, unknown>) => T,
  api: "data" | "tooling" = "data",
): Promise<Reading<T[]>> {
  const out: T[] = [];
  try {
    if (api === "tooling") {
      let next: string | undefined = `${client.dataPath}/tooling/query`;
      let q: Record<string, string> | undefined = { q: soql };
      while (next) {
        calls.api++;
        const page: { body: QueryAnswer } = await client.request<QueryAnswer>({ path: next, query: q });
        for (const r of page.body.records ?? []) out.push(map(r));
        next = page.body.done === false ? page.body.nextRecordsUrl : undefined;
        q = undefined;
      }
    } else {
      const pages = client.queryPages(soql);
      for (;;) {
        calls.api++;
        const page = await pages.next();
        if (page.done) {
          calls.api--;
          break;
        }
        for (const r of page.value.records) out.push(map(r));
      }
    }
    return { ok: true, value: out };
  } catch (error) {
    return refusal(error);
  }
}

interface QueryAnswer {
  done?: boolean;
  nextRecordsUrl?: string;
  records?: Record<string, unknown>[];
}

async function readDescribes(
  client: SalesforceClient,
  calls: ApiCallCount,
  names: string[],
): Promise<Record<string, Reading<DescribedObject>>> {
  const out: Record<string, Reading<DescribedObject>> = {};
  for (const batch of chunks(names, DESCRIBES_PER_BATCH)) {
    calls.api++;
    try {
      const res = await client.request<{ results: Array<{ statusCode: number; result: unknown }> }>({
        method: "POST",
        path: `${client.dataPath}/composite/batch`,
        json: {
          batchRequests: batch.map((name) => ({
            method: "GET",
            url: `v${client.apiVersion}/sobjects/${encodeURIComponent(name)}/describe`,
          })),
        },
        idempotent: true,
      });
      batch.forEach((name, i) => {
        out[name.toLowerCase()] = describedFrom(res.body.results?.[i]);
      });
    } catch (error) {
      for (const name of batch) out[name.toLowerCase()] = refusal(error);
    }
  }
  return out;
}

function describedFrom(answer: { statusCode: number; result: unknown } | undefined): Reading<DescribedObject> {
  if (!answer) return { ok: false, code: "NO_ANSWER", message: "the batch answered fewer results than asked" };
  if (answer.statusCode >= 400) {
    const detail = Array.isArray(answer.result) ? (answer.result[0] as Record<string, unknown> | undefined) : undefined;
    return {
      ok: false,
      code: str(detail?.errorCode) ?? `HTTP_${answer.statusCode}`,
      message: str(detail?.message) ?? `describe answered HTTP ${answer.statusCode}`,
    };
  }
  const body = answer.result as { name?: unknown; fields?: Array<Record<string, unknown>> };
  return {
    ok: true,
    value: {
      name: String(body.name),
      fields: (body.fields ?? []).map((f) => ({
        name: String(f.name),
        permissionable: f.permissionable === true,
        createable: f.createable === true,
        updateable: f.updateable === true,
        calculated: f.calculated === true,
      })),
    },
  };
}

function systemFlags(r: Record<string, unknown>): Partial<Record<SystemPermissionName, boolean>> {
  const out: Partial<Record<SystemPermissionName, boolean>> = {};
  for (const p of SYSTEM_PERMISSION_NAMES) out[p] = r[`Permissions${p}`] === true;
  return out;
}

/** The one row a query must answer. */
async function first<T>(reading: Promise<Reading<T[]>>, what: string): Promise<Reading<T>> {
  const r = await reading;
  if (!r.ok) return r;
  if (r.value.length > 0) return { ok: true, value: r.value[0] };
  return { ok: false, code: "NO_ROWS", message: `${what} answered no row for the connected user` };
}

/** The row a query may answer, or null. */
async function firstOrNull<T>(reading: Promise<Reading<T[]>>): Promise<Reading<T | null>> {
  const r = await reading;
  if (!r.ok) return r;
  return { ok: true, value: r.value[0] ?? null };
}

function merge<T>(readings: Reading<T[]>[]): Reading<T[]> {
  const out: T[] = [];
  for (const r of readings) {
    if (!r.ok) return r;
    out.push(...r.value);
  }
  return { ok: true, value: out };
}

function refusal(error: unknown): { ok: false; code: string; message: string } {
  if (error instanceof SalesforceApiError) return { ok: false, code: error.code, message: error.message };
  throw error;
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

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A SOQL string literal. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function checkedId(id: string): string {
  if (!/^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/.test(id)) throw new Error(`'${id}' is not a Salesforce user id`);
  return id;
}

function path(r: Record<string, unknown>, ...keys: string[]): unknown {
  let v: unknown = r;
  for (const k of keys) {
    if (v === null || typeof v !== "object") return null;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

function str(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}
