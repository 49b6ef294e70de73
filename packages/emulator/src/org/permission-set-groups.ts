import { OBJECT_PERMISSIONS, type ObjectPermission, SYSTEM_PERMISSIONS } from "../schema/setup-objects.ts";
import type { StoredRecord } from "../store/record-store.ts";
import { AdminError, type OrgAdmin } from "./admin.ts";
import type { Org } from "./org.ts";

/**
 * Permission set groups as Salesforce keeps them: a PermissionSetGroup, its components
 * (PermissionSetGroupComponent rows pointing at permission sets and at most one muting permission
 * set), and an aggregate PermissionSet of Type 'Group' whose permissions are the union of the
 * components' minus what the muting set turns off. Assigning a group assigns that aggregate
 * (PermissionSetAssignment with PermissionSetGroupId), so every access check reads it unchanged.
 */
export class PermissionSetGroups {
  private readonly org: Org;
  private readonly admin: OrgAdmin;
  constructor(org: Org, admin: OrgAdmin) {
    this.org = org;
    this.admin = admin;
  }

  find(name: string): StoredRecord | undefined {
    const wanted = name.toLowerCase();
    for (const g of this.org.store.tableOrThrow("PermissionSetGroup").live())
      if (String(g.DeveloperName).toLowerCase() === wanted) return g;
    return undefined;
  }

  require(name: string): StoredRecord {
    const g = this.find(name);
    if (!g) throw new AdminError(`no permission set group named '${name}'`);
    return g;
  }

  /** Creates a group of permission sets (by name); `muting` names the muting permission set it creates. */
  create(spec: { name: string; label?: string; description?: string; permissionSets?: string[]; muting?: string }) {
    if (this.find(spec.name)) throw new AdminError(`a permission set group named '${spec.name}' exists already`);
    const { store } = this.org;
    const ctx = this.admin.ctx;
    const label = spec.label ?? spec.name;
    const group = store.insert(
      "PermissionSetGroup",
      { DeveloperName: spec.name, MasterLabel: label, Description: spec.description ?? null, Status: "Updated" },
      ctx,
    );
    store.insert(
      "PermissionSet",
      { Name: spec.name, Label: label, IsOwnedByProfile: false, Type: "Group", PermissionSetGroupId: group.Id },
      ctx,
    );
    this.change(spec.name, { addPermissionSets: spec.permissionSets ?? [], muting: spec.muting });
    return group;
  }

  /** Adds or removes permission sets, and creates the group's muting permission set when named. */
  change(name: string, patch: { addPermissionSets?: string[]; removePermissionSets?: string[]; muting?: string }) {
    const group = this.require(name);
    const { store } = this.org;
    const components = store.tableOrThrow("PermissionSetGroupComponent");
    for (const psName of patch.addPermissionSets ?? []) {
      const ps = this.regularPermissionSet(psName);
      if (![...components.live()].some((c) => c.PermissionSetGroupId === group.Id && c.PermissionSetId === ps.Id))
        store.insert(
          "PermissionSetGroupComponent",
          { PermissionSetGroupId: group.Id, PermissionSetId: ps.Id },
          this.admin.ctx,
        );
    }
    for (const psName of patch.removePermissionSets ?? []) {
      const ps = this.regularPermissionSet(psName);
      for (const c of [...components.live()])
        if (c.PermissionSetGroupId === group.Id && c.PermissionSetId === ps.Id)
          store.hardDelete("PermissionSetGroupComponent", c.Id);
    }
    if (patch.muting && !this.mutingSetOf(group)) {
      const muting = store.insert(
        "MutingPermissionSet",
        { DeveloperName: patch.muting, MasterLabel: patch.muting },
        this.admin.ctx,
      );
      store.insert(
        "PermissionSetGroupComponent",
        { PermissionSetGroupId: group.Id, PermissionSetId: muting.Id },
        this.admin.ctx,
      );
    }
    this.recalculate();
  }

  assign(userId: string, name: string): void {
    const group = this.require(name);
    const aggregate = this.aggregateOf(group);
    for (const a of this.org.store.tableOrThrow("PermissionSetAssignment").live())
      if (a.AssigneeId === userId && a.PermissionSetId === aggregate.Id) return;
    this.org.store.insert(
      "PermissionSetAssignment",
      { AssigneeId: userId, PermissionSetId: aggregate.Id, PermissionSetGroupId: group.Id, IsActive: true },
      this.admin.ctx,
    );
  }

  unassign(userId: string, name: string): void {
    this.admin.unassign(userId, this.aggregateOf(this.require(name)).Id);
  }

  /** Recomputes every group's aggregate permission set from its components (after any permission change). */
  recalculate(): void {
    for (const group of [...this.org.store.tableOrThrow("PermissionSetGroup").live()]) this.recalculateOne(group);
  }

  private recalculateOne(group: StoredRecord): void {
    const { store } = this.org;
    const ids = [...store.tableOrThrow("PermissionSetGroupComponent").live()]
      .filter((c) => c.PermissionSetGroupId === group.Id)
      .map((c) => c.PermissionSetId as string);
    const granted = new Set(ids.filter((id) => id.startsWith("0PS")));
    const muted = new Set(ids.filter((id) => id.startsWith("0QM")));
    const aggregate = this.aggregateOf(group);
    const system: Record<string, boolean> = {};
    for (const p of SYSTEM_PERMISSIONS) {
      const key = `Permissions${p}`;
      const on = [...granted].some((id) => store.tableOrThrow("PermissionSet").get(id)?.[key] === true);
      const off = [...muted].some((id) => store.tableOrThrow("MutingPermissionSet").get(id)?.[key] === true);
      system[key] = on && !off;
    }
    store.update("PermissionSet", aggregate.Id, system, this.admin.ctx);
    this.replaceObjectPermissions(aggregate, granted, muted);
    this.replaceFieldPermissions(aggregate, granted, muted);
  }

  private replaceObjectPermissions(aggregate: StoredRecord, granted: Set<string>, muted: Set<string>): void {
    const { store } = this.org;
    const byObject = new Map<string, Set<ObjectPermission>>();
    const mutedBy = new Map<string, Set<ObjectPermission>>();
    for (const op of [...store.tableOrThrow("ObjectPermissions").live()]) {
      const parent = op.ParentId as string;
      if (parent === aggregate.Id) {
        store.hardDelete("ObjectPermissions", op.Id);
        continue;
      }
      const target = granted.has(parent) ? byObject : muted.has(parent) ? mutedBy : undefined;
      if (!target) continue;
      const set = target.get(op.SobjectType as string) ?? new Set<ObjectPermission>();
      target.set(op.SobjectType as string, set);
      for (const p of OBJECT_PERMISSIONS) if (op[`Permissions${p}`] === true) set.add(p);
    }
    for (const [object, perms] of byObject) {
      for (const p of mutedBy.get(object) ?? []) perms.delete(p);
      // What is left must stand on its own: no Edit without Read, no Delete without Edit…
      if (!perms.has("Read")) perms.clear();
      if (!perms.has("Edit")) perms.delete("Delete");
      if (!perms.has("Delete") || !perms.has("ViewAllRecords")) perms.delete("ModifyAllRecords");
      if (perms.size === 0) continue;
      const values = Object.fromEntries(OBJECT_PERMISSIONS.map((p) => [`Permissions${p}`, perms.has(p)]));
      store.insert("ObjectPermissions", { ParentId: aggregate.Id, SobjectType: object, ...values }, this.admin.ctx);
    }
  }

  private replaceFieldPermissions(aggregate: StoredRecord, granted: Set<string>, muted: Set<string>): void {
    const { store } = this.org;
    const byField = new Map<string, { object: string; read: boolean; edit: boolean }>();
    const mutedBy = new Map<string, { read: boolean; edit: boolean }>();
    for (const fp of [...store.tableOrThrow("FieldPermissions").live()]) {
      const parent = fp.ParentId as string;
      const key = fp.Field as string;
      if (parent === aggregate.Id) store.hardDelete("FieldPermissions", fp.Id);
      else if (granted.has(parent)) {
        const f = byField.get(key) ?? { object: fp.SobjectType as string, read: false, edit: false };
        f.read ||= fp.PermissionsRead === true;
        f.edit ||= fp.PermissionsEdit === true;
        byField.set(key, f);
      } else if (muted.has(parent)) {
        mutedBy.set(key, { read: fp.PermissionsRead === true, edit: fp.PermissionsEdit === true });
      }
    }
    for (const [key, f] of byField) {
      const off = mutedBy.get(key);
      const read = f.read && !off?.read;
      const edit = read && f.edit && !off?.edit;
      if (!read) continue;
      store.insert(
        "FieldPermissions",
        { ParentId: aggregate.Id, SobjectType: f.object, Field: key, PermissionsRead: true, PermissionsEdit: edit },
        this.admin.ctx,
      );
    }
  }

  private aggregateOf(group: StoredRecord): StoredRecord {
    for (const ps of this.org.store.tableOrThrow("PermissionSet").live())
      if (ps.PermissionSetGroupId === group.Id && ps.Type === "Group") return ps;
    throw new AdminError(`permission set group '${group.DeveloperName}' has no aggregate permission set`);
  }

  private mutingSetOf(group: StoredRecord): StoredRecord | undefined {
    for (const c of this.org.store.tableOrThrow("PermissionSetGroupComponent").live())
      if (c.PermissionSetGroupId === group.Id && String(c.PermissionSetId).startsWith("0QM"))
        return this.org.store.tableOrThrow("MutingPermissionSet").get(c.PermissionSetId as string);
    return undefined;
  }

  private regularPermissionSet(name: string): StoredRecord {
    const ps = this.admin.findByName("PermissionSet", name);
    if (ps?.Type !== "Regular")
      throw new AdminError(`no permission set named '${name}' (a group holds permission sets, not profiles or groups)`);
    return ps;
  }
}
