import type { z } from "zod";
import { coerceValue } from "../dml/coerce.ts";
import { compileCondition, type ValidationRule } from "../dml/validation-rules.ts";
import { AdminError, type OrgAdmin } from "../org/admin.ts";
import type { ConnectedApp } from "../org/connected-app.ts";
import type { Org } from "../org/org.ts";
import { PermissionSetGroups } from "../org/permission-set-groups.ts";
import { EDITIONS_WITHOUT_API, type OrgSettings } from "../org/settings.ts";
import type { ObjectPermission, SystemPermission } from "../schema/setup-objects.ts";
import type { StoredRecord } from "../store/record-store.ts";
import {
  type OrgPatch,
  type PermissionChange,
  type permissionSetGroupPatchSpec,
  type permissionSetGroupSpec,
  SpecError,
} from "./specs.ts";

const ORGANIZATION_FIELDS: Record<string, string> = {
  name: "Name",
  edition: "OrganizationType",
  isSandbox: "IsSandbox",
};

/** Changes the org's identity (edition, sandbox, My Domain) and behaviour settings. */
export function applyOrgPatch(org: Org, patch: OrgPatch, adminId: string): void {
  const record: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(ORGANIZATION_FIELDS)) {
    const v = patch[key as keyof OrgPatch];
    if (v !== undefined) record[field] = v;
  }
  if (Object.keys(record).length > 0)
    org.store.update("Organization", org.organizationId, record, org.writeContext(adminId));
  if (patch.myDomain) org.myDomain = patch.myDomain;
  // An edition without API access turns the API off unless the patch says otherwise.
  if (patch.edition !== undefined && patch.apiEnabled === undefined) {
    org.settings.apiEnabled = !EDITIONS_WITHOUT_API.includes(patch.edition);
  }
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined && key in org.settings) (org.settings as unknown as Record<string, unknown>)[key] = value;
  }
}

export function applyPermissionChange(admin: OrgAdmin, holder: string, change: PermissionChange): void {
  if (change.system) admin.setSystemPermissions(holder, change.system as Partial<Record<SystemPermission, boolean>>);
  for (const [objectName, granted] of Object.entries(change.objects ?? {})) {
    admin.setObjectPermissions(holder, objectName, granted as ObjectPermission[]);
  }
  for (const [path, access] of Object.entries(change.fields ?? {})) admin.setFieldPermissions(holder, path, access);
  // A permission set or muting set in a group changes what the group grants.
  new PermissionSetGroups(admin.org, admin).recalculate();
}

/** Creates a permission set group with its permission sets and, when given, its muting permission set. */
export function applyPermissionSetGroup(admin: OrgAdmin, spec: z.infer<typeof permissionSetGroupSpec>): void {
  const groups = new PermissionSetGroups(admin.org, admin);
  groups.create({ ...spec, muting: spec.muting?.name });
  if (spec.muting) {
    const { name, ...change } = spec.muting;
    applyPermissionChange(admin, name, change);
  }
}

/** Adds or removes a group's permission sets, and creates or changes its muting permission set. */
export function changePermissionSetGroup(
  admin: OrgAdmin,
  name: string,
  patch: z.infer<typeof permissionSetGroupPatchSpec>,
): void {
  const groups = new PermissionSetGroups(admin.org, admin);
  groups.change(name, { ...patch, muting: patch.muting?.name });
  if (patch.muting) {
    const { name: muting, ...change } = patch.muting;
    applyPermissionChange(admin, muting, change);
  }
}

/** Assigns or unassigns permission set groups to a user, by name. */
export function assignGroups(admin: OrgAdmin, userId: string, add: string[] = [], remove: string[] = []): void {
  const groups = new PermissionSetGroups(admin.org, admin);
  for (const name of add) groups.assign(userId, name);
  for (const name of remove) groups.unassign(userId, name);
}

export function appView(app: ConnectedApp, org: Org) {
  const holders = app.preauthorizedPermissionSetIds.map((id) => {
    const ps = org.store.tableOrThrow("PermissionSet").get(id);
    return ps?.IsOwnedByProfile
      ? (org.store.tableOrThrow("Profile").get(ps.ProfileId as string)?.Name ?? id)
      : (ps?.Name ?? id);
  });
  const { preauthorizedPermissionSetIds: _ids, ...rest } = app;
  return { ...rest, preauthorized: holders };
}

/**
 * Inserts records as they are given, system fields included (a test may backdate SystemModstamp
 * to make a row "visible late"), bypassing permissions but not types.
 */
export function insertRawRecords(
  org: Org,
  objectName: string,
  rows: Array<Record<string, unknown>>,
  userId: string,
): StoredRecord[] {
  const def = org.objectDef(objectName);
  if (!def) throw new SpecError(`unknown object '${objectName}'`);
  return rows.map((row, i) => {
    const values: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(row)) {
      if (key === "attributes") continue;
      const f = def.fieldMap.get(key.toLowerCase());
      if (!f) throw new SpecError(`${objectName} record ${i}: no field named '${key}'`);
      if (f.formula || f.components)
        throw new SpecError(`${objectName} record ${i}: '${key}' is computed and cannot be set`);
      try {
        values[f.name] = f.name === "Id" ? raw : coerceValue(f, raw, "json");
      } catch (e) {
        throw new SpecError(`${objectName} record ${i}, field ${f.name}: ${(e as Error).message}`);
      }
    }
    const id = typeof values.Id === "string" ? values.Id : undefined;
    delete values.Id;
    return org.store.insert(def.name, values, org.writeContext(userId), id);
  });
}

/** Adds (or replaces, by name) a validation rule after checking its condition compiles. */
export function addValidationRule(org: Org, rule: ValidationRule): void {
  const def = org.objectDef(rule.object);
  if (!def) throw new SpecError(`validation rule '${rule.name}': unknown object '${rule.object}'`);
  let test: ReturnType<typeof compileCondition>;
  try {
    test = compileCondition(def, rule.condition);
  } catch (e) {
    throw new SpecError(`validation rule '${rule.name}': ${(e as Error).message}`);
  }
  removeValidationRule(org, rule.name);
  org.validationRules.push({ rule: { ...rule, object: def.name }, test });
}

export function removeValidationRule(org: Org, name: string): boolean {
  const i = org.validationRules.findIndex((r) => r.rule.name === name);
  if (i >= 0) org.validationRules.splice(i, 1);
  return i >= 0;
}

export function settingsView(
  org: Org,
): OrgSettings & { name: unknown; edition: unknown; isSandbox: unknown; myDomain: string } {
  const o = org.organization();
  return { name: o.Name, edition: o.OrganizationType, isSandbox: o.IsSandbox, myDomain: org.myDomain, ...org.settings };
}

export function requireUser(org: Org, username: string): StoredRecord {
  const user = org.userByUsername(username);
  if (!user) throw new AdminError(`no user named '${username}'`);
  return user;
}
