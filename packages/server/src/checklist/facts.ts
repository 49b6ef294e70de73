import { GENERIC_NAMES } from "../remedies/remedy-text.ts";
import type { ChecklistNeeds, FieldNeed } from "./needs.ts";
import type { ObjectPermissionColumn, OrgSnapshot, Reading, SystemPermissionName } from "./org-snapshot.ts";
import type { ChecklistContext, ObservedFailure } from "./outcome.ts";

/** What the rules derive from a snapshot, computed once per evaluation and shared by them. */

/**
 * Objects the Salesforce Platform license never grants, whatever the permissions say. A missing
 * permission on one of them is the license's fault, so only the license check reports it.
 */
export const PLATFORM_EXCLUDED = new Set(
  [
    "Lead",
    "Opportunity",
    "OpportunityLineItem",
    "OpportunityContactRole",
    "Case",
    "CaseComment",
    "Campaign",
    "CampaignMember",
    "Product2",
    "Pricebook2",
    "PricebookEntry",
    "Quote",
    "QuoteLineItem",
    "Solution",
    "Forecast",
  ].map((n) => n.toLowerCase()),
);

export interface FieldState {
  need: FieldNeed;
  /** "field": this field's own verdict; otherwise the check that owns the problem. */
  owner: "field" | "object-access" | "user-license";
  readable?: boolean;
  editable?: boolean;
  computed?: boolean;
  why?: { code: string; message: string };
}

export class Facts {
  readonly snapshot: OrgSnapshot;
  readonly needs: ChecklistNeeds;
  readonly context: ChecklistContext;
  private objectCache?: Reading<(name: string) => Set<ObjectPermissionColumn>>;
  private fieldCache?: Reading<FieldState[]>;

  constructor(snapshot: OrgSnapshot, needs: ChecklistNeeds, context: ChecklistContext) {
    this.snapshot = snapshot;
    this.needs = needs;
    this.context = context;
  }

  /** Names for remedies. */
  names(): Record<string, string | string[]> {
    const user = this.snapshot.user.ok ? this.snapshot.user.value : undefined;
    return {
      ...GENERIC_NAMES,
      user: user?.username ? `the user ${user.username}` : "the connected user",
      profile: user?.profileName ? `the profile '${user.profileName}'` : "the connected user's profile",
      app: this.context.appName ? `'${this.context.appName}'` : "the integration's app",
    };
  }

  observed(item: string): ObservedFailure | undefined {
    const probe = this.snapshot.refreshProbe;
    if (probe && !probe.ok && probe.checklistItem === item)
      return { checklistItem: item, code: probe.code, message: probe.message };
    return this.context.observed?.find((o) => o.checklistItem === item);
  }

  /** An effective system permission: UserPermissionAccess, or else the union of the assigned sets. */
  system(name: SystemPermissionName): Reading<boolean> {
    const upa = this.snapshot.systemPermissions;
    if (upa.ok && upa.value[name] !== undefined) return { ok: true, value: upa.value[name] === true };
    const sets = this.snapshot.permissionSets;
    if (sets.ok) return { ok: true, value: sets.value.some((s) => s.system[name] === true) };
    return upa.ok ? sets : upa;
  }

  holderName(permissionSetId: string): string {
    const sets = this.snapshot.permissionSets;
    const id = permissionSetId.slice(0, 15);
    const ps = sets.ok ? sets.value.find((s) => s.id.slice(0, 15) === id) : undefined;
    if (!ps) return permissionSetId;
    const user = this.snapshot.user;
    const profile = user.ok && user.value.profileName ? user.value.profileName : ps.label;
    return ps.isOwnedByProfile ? `profile ${profile}` : `permission set ${ps.label}`;
  }

  licenseExcludes(objectName: string): boolean {
    const user = this.snapshot.user;
    return (
      user.ok && user.value.licenseName === "Salesforce Platform" && PLATFORM_EXCLUDED.has(objectName.toLowerCase())
    );
  }

  /**
   * Object permissions by union of every row, widened by the system permissions that imply them
   * (View All Data, Modify All Data, View All Fields (Global)) and by Modify All on the object.
   */
  objectAccess(): Reading<(name: string) => Set<ObjectPermissionColumn>> {
    if (this.objectCache) return this.objectCache;
    const rows = this.snapshot.objectPermissions;
    const modifyAll = this.system("ModifyAllData");
    const viewAll = this.system("ViewAllData");
    const fieldsGlobal = this.system("ViewAllFieldsGlobal");
    if (!rows.ok && !(modifyAll.ok && modifyAll.value)) {
      this.objectCache = rows;
      return rows;
    }
    const byObject = new Map<string, Set<ObjectPermissionColumn>>();
    for (const r of rows.ok ? rows.value : []) {
      const key = r.sobjectType.toLowerCase();
      const set = byObject.get(key) ?? new Set<ObjectPermissionColumn>();
      byObject.set(key, set);
      for (const [p, on] of Object.entries(r.granted)) if (on) set.add(p as ObjectPermissionColumn);
    }
    const lookup = (name: string): Set<ObjectPermissionColumn> => {
      const set = new Set(byObject.get(name.toLowerCase()) ?? []);
      if (set.has("ModifyAllRecords"))
        for (const p of ["Read", "Edit", "Delete", "ViewAllRecords"] as const) set.add(p);
      if (viewAll.ok && viewAll.value) for (const p of ["Read", "ViewAllRecords"] as const) set.add(p);
      if (modifyAll.ok && modifyAll.value)
        for (const p of ["Read", "Create", "Edit", "Delete", "ViewAllRecords", "ModifyAllRecords"] as const) set.add(p);
      if (fieldsGlobal.ok && fieldsGlobal.value && set.has("Read")) set.add("ViewAllFields");
      return set;
    };
    this.objectCache = { ok: true, value: lookup };
    return this.objectCache;
  }

  /** Visibility and editability of every declared field, or who owns the problem instead. */
  fieldStates(): Reading<FieldState[]> {
    if (this.fieldCache) return this.fieldCache;
    const objects = this.objectAccess();
    const rows = this.snapshot.fieldPermissions;
    if (!objects.ok) {
      this.fieldCache = objects;
      return objects;
    }
    if (!rows.ok) {
      this.fieldCache = rows;
      return rows;
    }
    const grants = new Map<string, { read: boolean; edit: boolean }>();
    for (const r of rows.value) {
      const key = r.field.toLowerCase();
      const g = grants.get(key) ?? { read: false, edit: false };
      g.read ||= r.read;
      g.edit ||= r.edit;
      grants.set(key, g);
    }
    const states = this.needs.fields.map((need): FieldState => {
      if (this.licenseExcludes(need.object)) return { need, owner: "user-license" };
      const granted = objects.value(need.object);
      if (!granted.has("Read")) return { need, owner: "object-access" };
      const grant = grants.get(need.path.toLowerCase());
      const describe = this.snapshot.describes[need.object.toLowerCase()];
      const described = describe?.ok
        ? describe.value.fields.find((d) => d.name.toLowerCase() === need.field.toLowerCase())
        : undefined;
      const notPermissionable = described !== undefined && !described.permissionable;
      const computed =
        described !== undefined &&
        (described.calculated || (notPermissionable && !described.createable && !described.updateable));
      const state: FieldState = { need, owner: "field", computed };
      const permitted = grant?.read === true || granted.has("ViewAllFields") || notPermissionable;
      if (describe?.ok) {
        // Describe as the user lists every field they can see: one it lacks is hidden or absent.
        state.readable = permitted && described !== undefined;
        state.editable = grant?.edit === true || (notPermissionable && (described.createable || described.updateable));
      } else {
        // Without describe, a granted row still proves the field exists and is visible; no row
        // may mean a field that is not permissionable, which only describe can tell.
        state.why = describe ?? { code: "NOT_DESCRIBED", message: `${need.object} was not described` };
        if (permitted) state.readable = true;
        if (grant !== undefined) state.editable = grant.edit;
      }
      return state;
    });
    this.fieldCache = { ok: true, value: states };
    return this.fieldCache;
  }
}
