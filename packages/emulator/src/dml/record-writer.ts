import { normalizeId } from "../ids.ts";
import type { Org } from "../org/org.ts";
import { hasObjectPermission } from "../org/permissions.ts";
import { SchemaView } from "../org/visibility.ts";
import type { FieldDef, ObjectDef } from "../schema/types.ts";
import type { StoredRecord } from "../store/record-store.ts";
import { coerceValue } from "./coerce.ts";
import { DmlError, type DmlErrorBody, insufficientAccess, unableToLockRow } from "./dml-error.ts";
import { checkValidationRules } from "./validation-rules.ts";

export interface DmlResult {
  id: string | null;
  success: boolean;
  errors: DmlErrorBody[];
  created?: boolean;
}

/** A validated change, ready to apply; preparing every record first lets allOrNone roll back cleanly. */
export interface PreparedWrite {
  kind: "insert" | "update" | "delete";
  def: ObjectDef;
  id?: string;
  values: Record<string, unknown>;
  created?: boolean;
}

const IGNORED_KEYS = new Set(["attributes", "id", "type"]);

/**
 * Writes records as one user, with the checks the real API makes: object permissions, field
 * existence and field-level security, writability, types, lengths, required fields, uniqueness.
 */
export class RecordWriter {
  readonly org: Org;
  readonly view: SchemaView;
  readonly source: "json" | "csv";

  constructor(org: Org, userId: string, source: "json" | "csv" = "json") {
    this.org = org;
    this.view = new SchemaView(org, userId);
    this.source = source;
  }

  get userId(): string {
    return this.view.userId;
  }

  prepareInsert(def: ObjectDef, input: Record<string, unknown>): PreparedWrite {
    if (!def.createable)
      throw new DmlError("CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY", `entity type cannot be inserted: ${def.name}`);
    if (!hasObjectPermission(this.view.access, def, "Create")) throw insufficientAccess();
    const values = this.coerceAll(def, input, "insert");
    const missing = def.fields.filter(
      (f) =>
        !f.nillable &&
        f.createable &&
        !f.defaultedOnCreate &&
        f.type !== "boolean" &&
        (values[f.name] ?? null) === null,
    );
    if (missing.length > 0) {
      const names = missing.map((f) => f.name);
      throw new DmlError("REQUIRED_FIELD_MISSING", `Required fields are missing: [${names.join(", ")}]`, names);
    }
    this.checkUnique(def, values, undefined);
    checkValidationRules(this.org.validationRules, def, values);
    return { kind: "insert", def, values };
  }

  prepareUpdate(def: ObjectDef, id: string, input: Record<string, unknown>): PreparedWrite {
    if (!def.updateable)
      throw new DmlError("CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY", `entity type cannot be updated: ${def.name}`);
    const record = this.existing(def, id);
    if (!hasObjectPermission(this.view.access, def, "Edit")) throw insufficientAccess();
    const values = this.coerceAll(def, input, "update");
    for (const [name, v] of Object.entries(values)) {
      const f = def.fieldMap.get(name.toLowerCase())!;
      if (!f.nillable && v === null && f.type !== "boolean") {
        throw new DmlError("REQUIRED_FIELD_MISSING", `Required fields are missing: [${f.name}]`, [f.name]);
      }
    }
    this.checkUnique(def, values, record.Id);
    checkValidationRules(this.org.validationRules, def, { ...record, ...values });
    return { kind: "update", def, id: record.Id, values };
  }

  prepareDelete(def: ObjectDef, id: string): PreparedWrite {
    if (!def.deletable)
      throw new DmlError("CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY", `entity type cannot be deleted: ${def.name}`);
    const record = this.existing(def, id);
    if (!hasObjectPermission(this.view.access, def, "Delete")) throw insufficientAccess();
    return { kind: "delete", def, id: record.Id, values: {} };
  }

  /** Finds records whose external id field equals a value, for upsert. */
  matchExternalId(def: ObjectDef, field: FieldDef, value: unknown): StoredRecord[] {
    if (field.name === "Id") {
      const id = typeof value === "string" ? normalizeId(value) : undefined;
      const r = id ? this.org.store.tableOrThrow(def.name).get(id) : undefined;
      return r && !r.IsDeleted ? [r] : [];
    }
    const wanted = coerceValue(field, value, this.source);
    return this.org.store.tableOrThrow(def.name).withValue(field.name, wanted);
  }

  /** Resolves the external-id field of an upsert, or explains why it cannot be used. */
  externalIdField(def: ObjectDef, name: string): FieldDef {
    const f = this.view.field(def, name);
    if (!f || !(f.externalId || f.idLookup || f.name === "Id")) {
      throw new DmlError("NOT_FOUND", `Provided external ID field does not exist or is not accessible: ${name}`);
    }
    return f;
  }

  /** Prepares an upsert: an update when exactly one record matches, an insert when none does. */
  prepareUpsert(def: ObjectDef, field: FieldDef, value: unknown, input: Record<string, unknown>): PreparedWrite {
    const matches = this.matchExternalId(def, field, value);
    if (matches.length > 1) {
      throw new DmlError(
        "DUPLICATE_EXTERNAL_ID",
        `${field.name}: more than one record found for external id field: ${matches.map((m) => m.Id).join(", ")}`,
        [field.name],
      );
    }
    if (matches.length === 1) return { ...this.prepareUpdate(def, matches[0].Id, input), created: false };
    const withKey = field.name === "Id" ? input : { ...input, [field.name]: value };
    return { ...this.prepareInsert(def, withKey), created: true };
  }

  /** Applies prepared writes; the fault injector may refuse them as a locked row first. */
  apply(writes: PreparedWrite[]): string[] {
    if (writes.length > 0 && this.org.faults.lockedRow()) throw unableToLockRow();
    const ctx = this.org.writeContext(this.userId);
    const ids: string[] = [];
    for (const w of writes) {
      if (w.kind === "insert") ids.push(this.org.store.insert(w.def.name, w.values, ctx).Id);
      else if (w.kind === "update") ids.push(this.org.store.update(w.def.name, w.id!, w.values, ctx).Id);
      else {
        this.org.store.softDelete(w.def.name, w.id!, ctx);
        ids.push(w.id!);
      }
    }
    return ids;
  }

  /** Prepares and applies one write, turning a failure into a per-record result. */
  one(prepare: () => PreparedWrite): DmlResult {
    try {
      const w = prepare();
      const [id] = this.apply([w]);
      return { id, success: true, errors: [], ...(w.created !== undefined ? { created: w.created } : {}) };
    } catch (e) {
      if (e instanceof DmlError) return { id: null, success: false, errors: [e.body()] };
      throw e;
    }
  }

  private existing(def: ObjectDef, id: string): StoredRecord {
    const canonical = normalizeId(id);
    if (!canonical || canonical.slice(0, 3) !== def.keyPrefix) {
      throw new DmlError("MALFORMED_ID", `${def.label} ID: id value of incorrect type: ${id}`, ["Id"]);
    }
    const record = this.org.store.tableOrThrow(def.name).get(canonical);
    if (!record) throw new DmlError("ENTITY_IS_DELETED", "entity is deleted", []);
    if (record.IsDeleted) throw new DmlError("ENTITY_IS_DELETED", "entity is deleted", []);
    return record;
  }

  private coerceAll(
    def: ObjectDef,
    input: Record<string, unknown>,
    mode: "insert" | "update",
  ): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    const notWritable: string[] = [];
    for (const [key, raw] of Object.entries(input)) {
      if (IGNORED_KEYS.has(key.toLowerCase())) continue;
      if (raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
        const parent = this.parentByExternalId(def, key, raw as Record<string, unknown>);
        const writable =
          (mode === "insert" ? parent.field.createable : parent.field.updateable) &&
          this.view.canEdit(def, parent.field);
        if (!writable) notWritable.push(parent.field.name);
        else values[parent.field.name] = parent.id;
        continue;
      }
      const f = this.view.field(def, key);
      if (!f) throw new DmlError("INVALID_FIELD", `No such column '${key}' on sobject of type ${def.name}`, [key]);
      const writable = (mode === "insert" ? f.createable : f.updateable) && this.view.canEdit(def, f);
      if (!writable) {
        notWritable.push(f.name);
        continue;
      }
      if (this.source === "csv" && raw === "") continue; // an empty Bulk cell leaves the value as it is
      values[f.name] = coerceValue(f, this.source === "csv" && raw === "#N/A" ? null : raw, this.source);
    }
    if (notWritable.length > 0) {
      throw new DmlError(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        `Unable to create/update fields: ${notWritable.join(", ")}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        notWritable,
      );
    }
    for (const [name, v] of Object.entries(values)) {
      const f = def.fieldMap.get(name.toLowerCase())!;
      if (f.type !== "reference" || v === null) continue;
      const target = this.org.store.find(v as string);
      if (!target || target.record.IsDeleted) {
        throw new DmlError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [f.name]);
      }
      if (f.referenceTo.length > 0 && !f.referenceTo.includes(target.table.def.name)) {
        throw new DmlError("FIELD_INTEGRITY_EXCEPTION", `${f.label}: id value of incorrect type: ${v as string}`, [
          f.name,
        ]);
      }
      // A lookup to a record the user cannot see is refused the way sharing refuses it.
      if (!this.view.object(target.table.def.name)) {
        throw new DmlError(
          "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
          "insufficient access rights on cross-reference id",
          [f.name],
        );
      }
      if (target.table.def.name === "User" && target.record.IsActive !== true) {
        throw new DmlError("INACTIVE_OWNER_OR_USER", "operation performed with inactive user", [f.name]);
      }
    }
    return values;
  }

  /**
   * A parent given by its external id, as `"Account": {"Ext_Id__c": "A-1"}` (with
   * `"attributes": {"type": …}` to pick the type of a polymorphic lookup): the lookup field it
   * sets and the one live parent record it names.
   */
  private parentByExternalId(
    def: ObjectDef,
    relationship: string,
    reference: Record<string, unknown>,
  ): { field: FieldDef; id: string } {
    const lookup = def.fields.find(
      (f) => f.type === "reference" && f.relationshipName?.toLowerCase() === relationship.toLowerCase(),
    );
    if (!lookup || !this.view.field(def, lookup.name)) {
      throw new DmlError("INVALID_FIELD", `No such column '${relationship}' on sobject of type ${def.name}`, [
        relationship,
      ]);
    }
    const typeName = (reference.attributes as { type?: unknown } | undefined)?.type;
    const targetName =
      typeof typeName === "string"
        ? lookup.referenceTo.find((t) => t.toLowerCase() === typeName.toLowerCase())
        : lookup.referenceTo[0];
    const target = targetName ? this.view.object(targetName) : undefined;
    const keys = Object.entries(reference).filter(([k]) => k !== "attributes");
    if (!target || keys.length !== 1) {
      throw new DmlError(
        "INVALID_FIELD",
        `${relationship}: a parent reference names the parent by exactly one external id field`,
        [relationship],
      );
    }
    const [keyName, value] = keys[0];
    const key = this.view.field(target, keyName);
    if (!key || !(key.externalId || key.idLookup)) {
      throw new DmlError(
        "INVALID_FIELD",
        `Provided external ID field does not exist or is not accessible: ${keyName}`,
        [relationship],
      );
    }
    const matches = this.matchExternalId(target, key, value);
    if (matches.length !== 1) {
      const detail = matches.length === 0 ? "not found" : "matched more than one record";
      throw new DmlError(
        "INVALID_FIELD",
        `Foreign key external ID: ${String(value)} ${detail} for field ${key.name} in entity ${target.name}`,
        [relationship],
      );
    }
    return { field: lookup, id: matches[0].Id };
  }

  private checkUnique(def: ObjectDef, values: Record<string, unknown>, selfId: string | undefined): void {
    for (const [name, v] of Object.entries(values)) {
      const f = def.fieldMap.get(name.toLowerCase())!;
      if (!f.unique || v === null) continue;
      for (const r of this.org.store.tableOrThrow(def.name).withValue(f.name, v)) {
        if (r.Id === selfId) continue;
        throw new DmlError(
          "DUPLICATE_VALUE",
          `duplicate value found: ${f.name} duplicates value on record with id: ${r.Id}`,
          [f.name],
        );
      }
    }
  }
}
