import {
  OBJECT_PERMISSIONS,
  type ObjectPermission,
  SYSTEM_PERMISSIONS,
  type SystemPermission,
} from "../schema/setup-objects.ts";
import type { FieldDef, ObjectDef } from "../schema/types.ts";
import type { RecordStore } from "../store/record-store.ts";

/** What a user may do, granted by the union of their profile and every assigned permission set. */
export interface EffectiveAccess {
  userId: string;
  permissionSetIds: Set<string>;
  system: Set<SystemPermission>;
  /** Lower-cased object name to the object permissions granted on it. */
  objects: Map<string, Set<ObjectPermission>>;
  /** Lower-cased `object.field` to field-level security. */
  fields: Map<string, { read: boolean; edit: boolean }>;
}

const PERMISSION_TABLES = ["PermissionSetAssignment", "PermissionSet", "ObjectPermissions", "FieldPermissions", "User"];

export class AccessResolver {
  private cache = new Map<string, EffectiveAccess>();
  private cacheKey = "";

  private readonly store: RecordStore;
  private readonly now: () => number;
  constructor(store: RecordStore, now: () => number) {
    this.store = store;
    this.now = now;
  }

  forUser(userId: string): EffectiveAccess {
    const key = PERMISSION_TABLES.map((t) => this.store.table(t)?.version ?? 0).join(".");
    if (key !== this.cacheKey) {
      this.cache = new Map();
      this.cacheKey = key;
    }
    let access = this.cache.get(userId);
    if (!access) {
      access = this.compute(userId);
      this.cache.set(userId, access);
    }
    return access;
  }

  private compute(userId: string): EffectiveAccess {
    const now = this.now();
    const permissionSetIds = new Set<string>();
    for (const a of this.store.tableOrThrow("PermissionSetAssignment").live()) {
      if (a.AssigneeId !== userId) continue;
      if (typeof a.ExpirationDate === "number" && a.ExpirationDate <= now) continue;
      permissionSetIds.add(a.PermissionSetId as string);
    }
    const system = new Set<SystemPermission>();
    for (const id of permissionSetIds) {
      const ps = this.store.tableOrThrow("PermissionSet").get(id);
      if (!ps || ps.IsDeleted) continue;
      for (const p of SYSTEM_PERMISSIONS) if (ps[`Permissions${p}`] === true) system.add(p);
    }
    const objects = new Map<string, Set<ObjectPermission>>();
    for (const op of this.store.tableOrThrow("ObjectPermissions").live()) {
      if (!permissionSetIds.has(op.ParentId as string)) continue;
      const key = String(op.SobjectType).toLowerCase();
      const granted = objects.get(key) ?? new Set<ObjectPermission>();
      objects.set(key, granted);
      for (const p of OBJECT_PERMISSIONS) if (op[`Permissions${p}`] === true) granted.add(p);
    }
    const fields = new Map<string, { read: boolean; edit: boolean }>();
    for (const fp of this.store.tableOrThrow("FieldPermissions").live()) {
      if (!permissionSetIds.has(fp.ParentId as string)) continue;
      const key = String(fp.Field).toLowerCase();
      const current = fields.get(key) ?? { read: false, edit: false };
      current.read ||= fp.PermissionsRead === true || fp.PermissionsEdit === true;
      current.edit ||= fp.PermissionsEdit === true;
      fields.set(key, current);
    }
    return { userId, permissionSetIds, system, objects, fields };
  }
}

export function hasObjectPermission(access: EffectiveAccess, def: ObjectDef, permission: ObjectPermission): boolean {
  if (def.access === "public") return permission === "Read" || access.system.has("ModifyAllData");
  if (def.access === "setup") {
    if (permission === "Read") return access.system.has("ViewSetup") || access.system.has("ModifyAllData");
    return access.system.has("CustomizeApplication") || access.system.has("ModifyAllData");
  }
  if (access.system.has("ModifyAllData")) return true;
  if (permission === "Read" && access.system.has("ViewAllData")) return true;
  const granted = access.objects.get(def.name.toLowerCase());
  if (!granted) return false;
  if (granted.has("ModifyAllRecords")) return true;
  if (permission === "Read" && granted.has("ViewAllRecords")) return true;
  return granted.has(permission);
}

export function canReadObject(access: EffectiveAccess, def: ObjectDef): boolean {
  return hasObjectPermission(access, def, "Read");
}

/** Field-level security. Components of a compound field follow the compound's permission. */
export function canReadField(access: EffectiveAccess, def: ObjectDef, field: FieldDef): boolean {
  if (def.access !== "data") return true;
  const governing = field.compoundFieldName
    ? (def.fieldMap.get(field.compoundFieldName.toLowerCase()) ?? field)
    : field;
  if (!governing.permissionable) return true;
  if (access.system.has("ViewAllFieldsGlobal")) return true;
  if (access.objects.get(def.name.toLowerCase())?.has("ViewAllFields")) return true;
  return access.fields.get(`${def.name}.${governing.name}`.toLowerCase())?.read === true;
}

export function canEditField(access: EffectiveAccess, def: ObjectDef, field: FieldDef): boolean {
  if (field.calculated || (!field.createable && !field.updateable)) return false;
  if (def.access !== "data") return true;
  const governing = field.compoundFieldName
    ? (def.fieldMap.get(field.compoundFieldName.toLowerCase()) ?? field)
    : field;
  if (!governing.permissionable) return true;
  return access.fields.get(`${def.name}.${governing.name}`.toLowerCase())?.edit === true;
}
