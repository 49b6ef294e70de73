import type { SchemaView } from "../org/visibility.ts";
import type { FieldDef, ObjectDef } from "../schema/types.ts";
import type { IngestOperation } from "./job-types.ts";

/** What one header column feeds: a field, a lookup by the parent's external id, the Id, or nothing. */
export type ColumnPlan =
  | { kind: "field"; index: number; field: FieldDef }
  | { kind: "reference"; index: number; field: FieldDef; target: ObjectDef; key: FieldDef }
  | { kind: "id"; index: number }
  | { kind: "ignored"; index: number };

export interface IngestPlan {
  columns: ColumnPlan[];
  /** Column of the record Id, or -1. */
  idIndex: number;
  /** Column of the upsert key, or -1. */
  keyIndex: number;
}

/** A header Salesforce refuses as a whole: the job fails with this message. */
export class HeaderError extends Error {}

const fieldNotFound = (name: string) => new HeaderError(`InvalidBatch : Field name not found : ${name}`);

/** A column a job may write at all, whatever the user's field-level security says (checked per row). */
function writableFor(operation: IngestOperation, field: FieldDef): boolean {
  if (field.calculated) return false;
  if (operation === "insert") return field.createable;
  if (operation === "update") return field.updateable;
  return field.createable || field.updateable;
}

/** `Account.Ext__c` or, for a polymorphic lookup, `Account:Parent.Ext__c`. */
const RELATIONSHIP_COLUMN = /^(?:([A-Za-z][\w]*):)?([A-Za-z][\w]*)\.([A-Za-z][\w]*)$/;

function relationshipColumn(
  view: SchemaView,
  def: ObjectDef,
  header: string,
  index: number,
  operation: IngestOperation,
): ColumnPlan {
  const m = RELATIONSHIP_COLUMN.exec(header);
  if (!m) throw fieldNotFound(header);
  const [, type, relationship, keyName] = m;
  const lookup = def.fields.find(
    (f) => f.type === "reference" && f.relationshipName?.toLowerCase() === relationship.toLowerCase(),
  );
  if (!lookup || !view.field(def, lookup.name) || !writableFor(operation, lookup)) throw fieldNotFound(header);
  const targetName = type
    ? lookup.referenceTo.find((t) => t.toLowerCase() === type.toLowerCase())
    : lookup.referenceTo[0];
  const target = targetName ? view.object(targetName) : undefined;
  const key = target ? view.field(target, keyName) : undefined;
  if (!target || !key || !(key.externalId || key.idLookup || key.name === "Id")) throw fieldNotFound(header);
  return { kind: "reference", index, field: lookup, target, key };
}

/**
 * Reads the header of an upload. Every column must name a field the user can see and the job's
 * operation can write; delete jobs only read the Id.
 */
export function planColumns(
  view: SchemaView,
  def: ObjectDef,
  header: string[],
  operation: IngestOperation,
  externalIdFieldName: string | null,
): IngestPlan {
  const deleting = operation === "delete" || operation === "hardDelete";
  const keyName = operation === "upsert" ? externalIdFieldName?.toLowerCase() : undefined;
  let idIndex = -1;
  let keyIndex = -1;
  const columns = header.map((name, index): ColumnPlan => {
    if (name.toLowerCase() === "id") {
      idIndex = index;
      if (keyName === "id") keyIndex = index;
      return { kind: "id", index };
    }
    if (deleting) return { kind: "ignored", index };
    if (name.includes(".")) return relationshipColumn(view, def, name, index, operation);
    const field = view.field(def, name);
    if (!field || !writableFor(operation, field)) throw fieldNotFound(name);
    if (keyName && field.name.toLowerCase() === keyName) keyIndex = index;
    return { kind: "field", index, field };
  });
  return { columns, idIndex, keyIndex };
}
