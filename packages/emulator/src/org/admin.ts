import {
  OBJECT_PERMISSIONS,
  type ObjectPermission,
  SYSTEM_PERMISSIONS,
  type SystemPermission,
} from "../schema/setup-objects.ts";
import type { StoredRecord } from "../store/record-store.ts";
import { type ConnectedApp, defaultApp } from "./connected-app.ts";
import type { Org } from "./org.ts";

/**
 * What a Salesforce admin does in Setup, as functions over the org: licenses, profiles,
 * permission sets, users, object and field permissions, connected apps. Seeds and the control
 * surface both go through here, so every change leaves the records SOQL will read.
 */
export class OrgAdmin {
  readonly org: Org;
  constructor(org: Org) {
    this.org = org;
  }

  /** The write context of setup changes: the first user is their author. */
  get ctx() {
    return this.org.writeContext(this.systemUserId());
  }

  /** The user recorded as the author of setup changes: the first user, or none yet. */
  private systemUserId(): string {
    const first = this.org.store.tableOrThrow("User").live().next();
    return first.done ? "" : first.value.Id;
  }

  license(name: string, key: string, total = 100): StoredRecord {
    const existing = this.findByName("UserLicense", name);
    if (existing) return existing;
    return this.org.store.insert(
      "UserLicense",
      {
        Name: name,
        MasterLabel: name,
        LicenseDefinitionKey: key,
        Status: "Active",
        TotalLicenses: total,
        UsedLicenses: 0,
      },
      this.ctx,
    );
  }

  findByName(objectName: string, name: string): StoredRecord | undefined {
    const wanted = name.toLowerCase();
    for (const r of this.org.store.tableOrThrow(objectName).live())
      if (String(r.Name).toLowerCase() === wanted) return r;
    return undefined;
  }

  require(objectName: string, name: string): StoredRecord {
    const r = this.findByName(objectName, name);
    if (!r) throw new AdminError(`no ${objectName} named '${name}'`);
    return r;
  }

  /** Creates a profile with its profile-owned permission set, as Salesforce keeps them. */
  profile(name: string, licenseName: string, permissions: SystemPermission[] = []): StoredRecord {
    const existing = this.findByName("Profile", name);
    if (existing) return existing;
    const license = this.require("UserLicense", licenseName);
    const profile = this.org.store.insert(
      "Profile",
      {
        Name: name,
        UserLicenseId: license.Id,
        UserType: "Standard",
        Description: null,
        ...permissionValues(permissions),
      },
      this.ctx,
    );
    this.org.store.insert(
      "PermissionSet",
      {
        Name: `X00e${profile.Id.slice(3, 15)}`,
        Label: name,
        IsOwnedByProfile: true,
        ProfileId: profile.Id,
        Type: "Profile",
        LicenseId: license.Id,
        ...permissionValues(permissions),
      },
      this.ctx,
    );
    return profile;
  }

  permissionSet(name: string, permissions: SystemPermission[] = [], label = name): StoredRecord {
    const existing = this.findByName("PermissionSet", name);
    if (existing) return existing;
    return this.org.store.insert(
      "PermissionSet",
      { Name: name, Label: label, IsOwnedByProfile: false, Type: "Regular", ...permissionValues(permissions) },
      this.ctx,
    );
  }

  /** The permission set that carries a profile's permissions. */
  profilePermissionSet(profileId: string): StoredRecord {
    for (const ps of this.org.store.tableOrThrow("PermissionSet").live())
      if (ps.ProfileId === profileId && ps.IsOwnedByProfile) return ps;
    throw new AdminError(`profile ${profileId} has no permission set`);
  }

  /**
   * Resolves a profile, permission set or muting permission set name to the record that holds its
   * grants (muting sets hold what they turn off).
   */
  permissionHolder(name: string): StoredRecord {
    const profile = this.findByName("Profile", name);
    if (profile) return this.profilePermissionSet(profile.Id);
    const ps = this.findByName("PermissionSet", name);
    if (ps?.Type === "Group")
      throw new AdminError(
        `'${name}' is a permission set group: change its permission sets or its muting permission set`,
      );
    if (ps) return ps;
    const wanted = name.toLowerCase();
    for (const m of this.org.store.tableOrThrow("MutingPermissionSet").live())
      if (String(m.DeveloperName).toLowerCase() === wanted) return m;
    throw new AdminError(`no profile, permission set or muting permission set named '${name}'`);
  }

  /** Sets system permissions on a profile or permission set (by name). */
  setSystemPermissions(holderName: string, changes: Partial<Record<SystemPermission, boolean>>): void {
    const ps = this.permissionHolder(holderName);
    const values: Record<string, boolean> = {};
    for (const [p, on] of Object.entries(changes)) {
      if (!SYSTEM_PERMISSIONS.includes(p as SystemPermission)) throw new AdminError(`unknown system permission '${p}'`);
      values[`Permissions${p}`] = on === true;
    }
    this.org.store.update(holderObject(ps), ps.Id, values, this.ctx);
    if (ps.IsOwnedByProfile) this.org.store.update("Profile", ps.ProfileId as string, values, this.ctx);
  }

  /** Replaces the object permissions a profile or permission set grants on one object. */
  setObjectPermissions(holderName: string, objectName: string, granted: ObjectPermission[]): void {
    const ps = this.permissionHolder(holderName);
    const def = this.org.objectDef(objectName);
    if (!def) throw new AdminError(`unknown object '${objectName}'`);
    for (const p of granted)
      if (!OBJECT_PERMISSIONS.includes(p)) throw new AdminError(`unknown object permission '${p}'`);
    const table = this.org.store.tableOrThrow("ObjectPermissions");
    const existing = [...table.live()].find((r) => r.ParentId === ps.Id && r.SobjectType === def.name);
    // Salesforce keeps a row only while at least Read is granted.
    if (!granted.includes("Read") && granted.length === 0) {
      if (existing) this.org.store.hardDelete("ObjectPermissions", existing.Id);
      return;
    }
    const set = new Set<ObjectPermission>(granted);
    // Granting anything grants Read; muting Edit, though, leaves Read alone.
    if (set.size > 0 && holderObject(ps) === "PermissionSet") set.add("Read");
    const values = Object.fromEntries(OBJECT_PERMISSIONS.map((p) => [`Permissions${p}`, set.has(p)]));
    if (existing) this.org.store.update("ObjectPermissions", existing.Id, values, this.ctx);
    else this.org.store.insert("ObjectPermissions", { ParentId: ps.Id, SobjectType: def.name, ...values }, this.ctx);
  }

  /**
   * Sets field-level security for one field ("Account.Industry") or every permissionable field
   * of an object ("Account.*"). `access` is "edit", "read" or "none".
   */
  setFieldPermissions(holderName: string, fieldPath: string, access: "edit" | "read" | "none"): void {
    const ps = this.permissionHolder(holderName);
    const [objectName, fieldName] = fieldPath.split(".");
    const def = this.org.objectDef(objectName ?? "");
    if (!def || !fieldName) throw new AdminError(`'${fieldPath}' is not Object.Field`);
    const fields =
      fieldName === "*"
        ? def.fields.filter((f) => f.permissionable && !f.compoundFieldName)
        : [def.fieldMap.get(fieldName.toLowerCase())];
    const table = this.org.store.tableOrThrow("FieldPermissions");
    for (const f of fields) {
      if (!f) throw new AdminError(`unknown field '${fieldPath}'`);
      if (!f.permissionable) throw new AdminError(`${def.name}.${f.name} is not permissionable: it is always visible`);
      const key = `${def.name}.${f.name}`;
      const existing = [...table.live()].find((r) => r.ParentId === ps.Id && r.Field === key);
      if (access === "none") {
        if (existing) this.org.store.hardDelete("FieldPermissions", existing.Id);
        continue;
      }
      // On a muting permission set, "read" mutes reading (and so editing), "edit" mutes editing only.
      const values =
        holderObject(ps) === "MutingPermissionSet"
          ? { PermissionsRead: access === "read", PermissionsEdit: true }
          : { PermissionsRead: true, PermissionsEdit: access === "edit" && !f.calculated };
      if (existing) this.org.store.update("FieldPermissions", existing.Id, values, this.ctx);
      else
        this.org.store.insert(
          "FieldPermissions",
          { ParentId: ps.Id, SobjectType: def.name, Field: key, ...values },
          this.ctx,
        );
    }
  }

  user(spec: {
    username: string;
    password: string;
    profile: string;
    firstName?: string;
    lastName?: string;
    email?: string;
    active?: boolean;
    permissionSets?: string[];
  }): StoredRecord {
    const profile = this.require("Profile", spec.profile);
    const existing = this.org.userByUsername(spec.username);
    if (existing) throw new AdminError(`a user named '${spec.username}' exists already`);
    const lastName = spec.lastName ?? spec.username.split("@")[0];
    const user = this.org.store.insert(
      "User",
      {
        Username: spec.username,
        FirstName: spec.firstName ?? null,
        LastName: lastName,
        Email: spec.email ?? spec.username,
        Alias: lastName.slice(0, 8),
        IsActive: spec.active ?? true,
        UserType: "Standard",
        ProfileId: profile.Id,
        TimeZoneSidKey: "America/Los_Angeles",
        LanguageLocaleKey: "en_US",
        LocaleSidKey: "en_US",
      },
      this.ctx,
    );
    this.org.passwords.set(user.Id, spec.password);
    this.assign(user.Id, this.profilePermissionSet(profile.Id).Id);
    for (const name of spec.permissionSets ?? []) this.assign(user.Id, this.require("PermissionSet", name).Id);
    return user;
  }

  /** Moves a user to another profile: the profile-owned assignment follows. */
  changeProfile(userId: string, profileName: string): void {
    const profile = this.require("Profile", profileName);
    const user = this.org.user(userId);
    if (!user) throw new AdminError(`no user ${userId}`);
    const oldPs = this.profilePermissionSet(user.ProfileId as string);
    this.unassign(userId, oldPs.Id);
    this.org.store.update("User", userId, { ProfileId: profile.Id }, this.ctx);
    this.assign(userId, this.profilePermissionSet(profile.Id).Id);
  }

  assign(userId: string, permissionSetId: string): void {
    const table = this.org.store.tableOrThrow("PermissionSetAssignment");
    for (const a of table.live()) if (a.AssigneeId === userId && a.PermissionSetId === permissionSetId) return;
    this.org.store.insert(
      "PermissionSetAssignment",
      { AssigneeId: userId, PermissionSetId: permissionSetId, IsActive: true, ExpirationDate: null },
      this.ctx,
    );
  }

  unassign(userId: string, permissionSetId: string): void {
    for (const a of [...this.org.store.tableOrThrow("PermissionSetAssignment").live()]) {
      if (a.AssigneeId === userId && a.PermissionSetId === permissionSetId)
        this.org.store.hardDelete("PermissionSetAssignment", a.Id);
    }
  }

  setUserActive(userId: string, active: boolean): void {
    this.org.store.update("User", userId, { IsActive: active }, this.ctx);
    // A deactivated user's sessions end for good; reactivating does not bring them back.
    if (!active) for (const s of this.org.sessions.sessions.values()) if (s.userId === userId) s.revoked = true;
  }

  /** Registers a connected app; `preauthorized` names profiles or permission sets. */
  app(
    spec: Partial<ConnectedApp> &
      Pick<ConnectedApp, "name" | "clientId" | "clientSecret"> & { preauthorized?: string[] },
  ): ConnectedApp {
    const { preauthorized, ...rest } = spec;
    const id = spec.id ?? this.org.ids.next("0H4");
    const app = defaultApp({ ...rest, id });
    if (preauthorized) app.preauthorizedPermissionSetIds = preauthorized.map((n) => this.permissionHolder(n).Id);
    this.org.apps.set(app.id, app);
    this.org.syncAppRecords(this.systemUserId());
    return app;
  }

  updateApp(appId: string, patch: Partial<ConnectedApp> & { preauthorized?: string[] }): ConnectedApp {
    const app = this.org.apps.get(appId);
    if (!app) throw new AdminError(`no connected app ${appId}`);
    const { preauthorized, ...rest } = patch;
    Object.assign(app, rest, { id: app.id });
    if (preauthorized) app.preauthorizedPermissionSetIds = preauthorized.map((n) => this.permissionHolder(n).Id);
    this.org.syncAppRecords(this.systemUserId());
    return app;
  }
}

export class AdminError extends Error {}

/** PermissionSet, or MutingPermissionSet for a muting set's grants. */
function holderObject(holder: StoredRecord): "PermissionSet" | "MutingPermissionSet" {
  return holder.Id.startsWith("0QM") ? "MutingPermissionSet" : "PermissionSet";
}

function permissionValues(granted: SystemPermission[]): Record<string, boolean> {
  return Object.fromEntries(SYSTEM_PERMISSIONS.map((p) => [`Permissions${p}`, granted.includes(p)]));
}
