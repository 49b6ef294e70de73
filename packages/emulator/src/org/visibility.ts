import { FEATURE_GATED_PERMISSIONS, type SystemPermission } from "../schema/setup-objects.ts";
import type { FieldDef, ObjectDef } from "../schema/types.ts";
import type { Org } from "./org.ts";
import { canEditField, canReadField, canReadObject, type EffectiveAccess } from "./permissions.ts";

/**
 * What one user can see of the schema. Describe, SOQL and DML all ask here, so a field hidden by
 * field-level security is absent everywhere at once, as in Salesforce.
 */
export class SchemaView {
  readonly org: Org;
  readonly userId: string;
  readonly access: EffectiveAccess;
  constructor(org: Org, userId: string) {
    this.org = org;
    this.userId = userId;
    this.access = org.userAccess(userId);
  }

  /** The object if this user may see it at all (`api` picks the data or the Tooling API). */
  object(name: string, api: "data" | "tooling" = "data"): ObjectDef | undefined {
    const def = this.org.objectDef(name, api);
    if (!def || !canReadObject(this.access, def)) return undefined;
    return def;
  }

  objects(api: "data" | "tooling" = "data"): ObjectDef[] {
    return this.org.store
      .allTables()
      .map((t) => t.def)
      .filter((d) => (api === "tooling" ? d.tooling : !d.tooling) && canReadObject(this.access, d));
  }

  /** A field exists for the org (feature-gated columns aside) and this user may read it. */
  field(def: ObjectDef, name: string): FieldDef | undefined {
    const f = def.fieldMap.get(name.toLowerCase());
    if (!f || !this.columnExists(f)) return undefined;
    return canReadField(this.access, def, f) ? f : undefined;
  }

  fields(def: ObjectDef): FieldDef[] {
    return def.fields.filter((f) => this.columnExists(f) && canReadField(this.access, def, f));
  }

  canEdit(def: ObjectDef, field: FieldDef): boolean {
    return canEditField(this.access, def, field);
  }

  private columnExists(f: FieldDef): boolean {
    if (!f.name.startsWith("Permissions")) return true;
    const gate = FEATURE_GATED_PERMISSIONS[f.name.slice("Permissions".length) as SystemPermission];
    return gate === undefined || this.org.settings[gate] === true;
  }
}
