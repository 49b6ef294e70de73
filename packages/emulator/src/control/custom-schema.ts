import { truncateToSecond } from "../clock.ts";
import { encodeBase62 } from "../ids.ts";
import type { OrgAdmin } from "../org/admin.ts";
import type { CustomSchemaEntry, Org } from "../org/org.ts";
import { addFields, defineObject, field } from "../schema/field-builders.ts";
import type { FieldDef } from "../schema/types.ts";
import { grantFullAccess } from "../seed/base-org.ts";
import { type CustomFieldSpec, SpecError } from "./specs.ts";

const FORMULA_TOKENS = /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|([-+*/()]))/y;

/**
 * A read-only formula: either `Relationship.Field` (a parent's value, which changes without the
 * child's SystemModstamp moving, as real cross-object formulas do) or arithmetic over this
 * record's number fields.
 */
export function compileFormula(org: Org, objectName: string, text: string): (r: Record<string, unknown>) => unknown {
  const parent = /^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(text.trim());
  if (parent) {
    const [, relationship, parentField] = parent;
    const def = org.objectDef(objectName);
    const lookup = def?.fields.find((f) => f.relationshipName?.toLowerCase() === relationship.toLowerCase());
    if (!lookup) throw new SpecError(`formula '${text}': ${objectName} has no relationship named ${relationship}`);
    return (r) => {
      const id = r[lookup.name];
      if (typeof id !== "string") return null;
      const found = org.store.find(id);
      if (!found) return null;
      const f = found.table.def.fieldMap.get(parentField.toLowerCase());
      return f ? (found.record[f.name] ?? null) : null;
    };
  }
  const names: string[] = [];
  let js = "";
  FORMULA_TOKENS.lastIndex = 0;
  let pos = 0;
  const source = text.trim();
  while (pos < source.length) {
    FORMULA_TOKENS.lastIndex = pos;
    const m = FORMULA_TOKENS.exec(source);
    if (!m) throw new SpecError(`formula '${text}': only numbers, field names, + - * / and parentheses are understood`);
    pos = FORMULA_TOKENS.lastIndex;
    if (m[1]) js += m[1];
    else if (m[2]) {
      names.push(m[2]);
      js += `v(${JSON.stringify(m[2])})`;
    } else js += m[3];
  }
  const evaluate = new Function("v", `return (${js});`) as (v: (n: string) => number) => number;
  return (r) => {
    let missing = false;
    const value = evaluate((n) => {
      const x = r[n];
      if (typeof x !== "number") missing = true;
      return typeof x === "number" ? x : 0;
    });
    return missing || !Number.isFinite(value) ? null : value;
  };
}

function customField(org: Org, objectName: string, spec: CustomFieldSpec): FieldDef {
  const base = field(spec.name, spec.type, {
    ...(spec.label ? { label: spec.label } : {}),
    custom: true,
    ...(spec.length ? { length: spec.length } : {}),
    nillable: !spec.required,
    unique: spec.unique ?? false,
    externalId: spec.externalId ?? false,
    idLookup: spec.externalId ?? false,
    restrictedPicklist: spec.restricted ?? false,
    picklistValues: (spec.picklistValues ?? []).map((value) => ({
      value,
      label: value,
      active: true,
      defaultValue: false,
    })),
  });
  if (spec.type === "reference") {
    if (!spec.referenceTo) throw new SpecError(`${spec.name}: a reference field needs referenceTo`);
    if (!org.objectDef(spec.referenceTo))
      throw new SpecError(`${spec.name}: referenceTo names unknown object ${spec.referenceTo}`);
    base.referenceTo = [org.objectDef(spec.referenceTo)!.name];
    base.relationshipName = spec.relationshipName ?? spec.name.replace(/__c$/, "__r");
    base.length = 18;
  }
  if (spec.formula) {
    base.calculated = true;
    base.calculatedFormula = spec.formula;
    base.createable = false;
    base.updateable = false;
    base.formula = compileFormula(org, objectName, spec.formula);
  }
  if (spec.required) base.permissionable = false;
  return base;
}

/** Creates a custom object or adds custom fields to an existing object, then grants access. */
export function applyObjectSpec(
  org: Org,
  admin: OrgAdmin,
  spec: { name: string; label?: string; labelPlural?: string; fields: CustomFieldSpec[]; grantTo?: string[] },
): void {
  let def = org.objectDef(spec.name);
  const isNew = !def;
  if (!def) {
    if (!spec.name.endsWith("__c"))
      throw new SpecError(`'${spec.name}' is not an existing object, and custom object names end in __c`);
    const count = org.store.allTables().filter((t) => t.def.custom).length;
    const keyPrefix = `a${encodeBase62(count + 1, 2)}`;
    def = defineObject(
      spec.name,
      keyPrefix,
      [
        field("Name", "string", { nillable: false, nameField: true, permissionable: false, length: 80 }),
        field("OwnerId", "reference", {
          referenceTo: ["User"],
          relationshipName: "Owner",
          nillable: false,
          defaultedOnCreate: true,
          permissionable: false,
        }),
      ],
      { label: spec.label ?? spec.name.replace(/__c$/, "").replace(/_/g, " "), labelPlural: spec.labelPlural },
    );
    org.store.define(def);
  }
  // What was made is logged as it is made, so a spec that fails halfway is saved as far as it got.
  const logged: CustomSchemaEntry = {
    name: def.name,
    ...(isNew && spec.label ? { label: spec.label } : {}),
    ...(isNew && spec.labelPlural ? { labelPlural: spec.labelPlural } : {}),
    fields: [],
  };
  org.schemaLog.push(logged);
  // Reference fields and formulas may point at fields defined earlier in the same list.
  for (const f of spec.fields) {
    addFields(def, [customField(org, def.name, f)]);
    logged.fields.push(f);
  }
  for (const f of spec.fields.filter((x) => x.type === "reference")) {
    const parent = org.objectDef(f.referenceTo!);
    const relationshipName = def.labelPlural.replace(/\s+/g, "_");
    if (parent && !parent.childRelationships.some((c) => c.field === f.name && c.childSObject === def.name)) {
      parent.childRelationships.push({
        childSObject: def.name,
        field: f.name,
        relationshipName: `${relationshipName}__r`,
        cascadeDelete: false,
      });
    }
  }
  // Whole seconds, as Last-Modified carries them, from one reading of the clock (two could straddle a second).
  org.schemaChangedAt = truncateToSecond(org.clock.now());
  for (const holder of spec.grantTo ?? ["System Administrator"]) {
    if (isNew) grantFullAccess(admin, holder, def.name);
    else {
      for (const f of spec.fields) {
        const created = def.fieldMap.get(f.name.toLowerCase());
        if (created?.permissionable)
          admin.setFieldPermissions(holder, `${def.name}.${created.name}`, created.calculated ? "read" : "edit");
      }
    }
  }
}
