import { createHash } from "node:crypto";
import avro from "avsc";
import type { FieldDef, ObjectDef } from "../schema/types.ts";
import { changeEventName } from "./selection.ts";

export const CHANGE_TYPES = [
  "CREATE",
  "UPDATE",
  "DELETE",
  "UNDELETE",
  "GAP_CREATE",
  "GAP_UPDATE",
  "GAP_DELETE",
  "GAP_UNDELETE",
  "GAP_OVERFLOW",
] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

/** A ChangeEventHeader, with its field lists as stored field names (they become bitmaps on the wire). */
export interface ChangeEventHeader {
  entityName: string;
  recordIds: string[];
  changeType: ChangeType;
  changeOrigin: string;
  transactionKey: string;
  sequenceNumber: number;
  commitTimestamp: number;
  commitNumber: number;
  commitUser: string;
  changedFields: string[];
  nulledFields: string[];
  diffFields: string[];
}

/** A change event before encoding: its header and the values of its body, by stored field name. */
export interface ChangeEvent {
  header: ChangeEventHeader;
  values: Record<string, unknown>;
}

/** Fields a change event leaves out, as Salesforce does: the id is in recordIds, these are system-only. */
const LEFT_OUT = new Set(["Id", "IsDeleted", "SystemModstamp", "LastViewedDate", "LastReferencedDate"]);

/** Whether a field of the object is part of its change events (formulas are not: they derive). */
export function inChangeEvent(f: FieldDef): boolean {
  return !LEFT_OUT.has(f.name) && !f.formula && !f.calculated;
}

function avroType(f: FieldDef): string {
  switch (f.type) {
    case "boolean":
      return "boolean";
    case "int":
      return "int";
    case "double":
    case "currency":
    case "percent":
      return "double";
    case "datetime":
      return "long";
    case "date":
      return "int";
    default:
      return "string";
  }
}

/** One top-level field of the schema: a plain field, or a compound with its components' names. */
interface SchemaField {
  name: string;
  field: FieldDef;
  /** For a compound: stored component name → its name inside the compound's record. */
  components?: Map<string, string>;
  componentOrder?: string[];
}

/**
 * The Avro schema of one object's change events, as Salesforce publishes it: the header first,
 * then every field as an optional value, compound fields (addresses) as nested records. The
 * schema id is a fingerprint of the schema text, so a new field gives a new schema id.
 */
export class ChangeEventSchema {
  readonly id: string;
  readonly json: string;
  readonly type: avro.Type;
  private readonly fields: SchemaField[];
  /** Stored field name → [top-level index, index inside the compound or -1]. */
  private readonly positions = new Map<string, [number, number]>();

  constructor(def: ObjectDef) {
    this.fields = schemaFields(def);
    const namedTypes = new Set<string>();
    const avroFields: unknown[] = [{ name: "ChangeEventHeader", type: HEADER_SCHEMA }];
    this.fields.forEach((sf, i) => {
      this.positions.set(sf.field.name, [i + 1, -1]);
      if (!sf.components) {
        avroFields.push({ name: sf.name, type: ["null", avroType(sf.field)], default: null });
        return;
      }
      sf.componentOrder!.forEach((stored, j) => {
        this.positions.set(stored, [i + 1, j]);
      });
      const typeName = sf.field.type === "address" ? "Address" : sf.name;
      if (namedTypes.has(typeName)) {
        avroFields.push({ name: sf.name, type: ["null", typeName], default: null });
        return;
      }
      namedTypes.add(typeName);
      const record = {
        type: "record",
        name: typeName,
        fields: sf.componentOrder!.map((stored) => ({
          name: sf.components!.get(stored)!,
          type: ["null", avroType(def.fieldMap.get(stored.toLowerCase())!)],
          default: null,
        })),
      };
      avroFields.push({ name: sf.name, type: ["null", record], default: null });
    });
    const schema = {
      type: "record",
      name: changeEventName(def.name),
      namespace: "com.sforce.eventbus",
      fields: avroFields,
    };
    this.json = JSON.stringify(schema);
    this.id = createHash("md5").update(this.json).digest("base64url");
    this.type = avro.Type.forSchema(schema as avro.Schema);
  }

  /** The event as Avro binary: values converted to their Avro types, field lists as bitmaps. */
  encode(event: ChangeEvent, def: ObjectDef): Buffer {
    const h = event.header;
    const record: Record<string, unknown> = {
      ChangeEventHeader: {
        ...h,
        changedFields: this.bitmaps(h.changedFields),
        nulledFields: this.bitmaps(h.nulledFields),
        diffFields: this.bitmaps(h.diffFields),
      },
    };
    for (const sf of this.fields) {
      if (!sf.components) {
        record[sf.name] = avroValue(sf.field, event.values[sf.field.name]);
        continue;
      }
      const parts = sf.componentOrder!.filter((stored) => event.values[stored] != null);
      record[sf.name] =
        parts.length === 0
          ? null
          : Object.fromEntries(
              sf.componentOrder!.map((stored) => [
                sf.components!.get(stored)!,
                avroValue(def.fieldMap.get(stored.toLowerCase())!, event.values[stored]),
              ]),
            );
    }
    return this.type.toBuffer(record);
  }

  /**
   * The payload as a user who may not read the `hidden` fields receives it (field-level
   * security): those fields null, and left out of the header's field lists.
   */
  withoutFields(payload: Buffer, hidden: ReadonlySet<string>): Buffer {
    const record = this.type.fromBuffer(payload) as Record<string, Record<string, unknown> | null>;
    for (const sf of this.fields) {
      if (!sf.components) {
        if (hidden.has(sf.field.name)) record[sf.name] = null;
        continue;
      }
      const value = record[sf.name];
      if (!value) continue;
      for (const stored of sf.componentOrder!) if (hidden.has(stored)) value[sf.components.get(stored)!] = null;
      if (Object.values(value).every((v) => v === null)) record[sf.name] = null;
    }
    const header = record.ChangeEventHeader as Record<string, string[]>;
    for (const key of ["changedFields", "nulledFields", "diffFields"]) {
      header[key] = this.bitmaps(this.names(header[key]).filter((n) => !hidden.has(n)));
    }
    return this.type.toBuffer(record);
  }

  /** The stored field names a list of bitmaps stands for (the inverse of `bitmaps`). */
  names(bitmaps: string[]): string[] {
    const byPosition = new Map([...this.positions].map(([name, [i, j]]) => [`${i}:${j}`, name]));
    const out: string[] = [];
    for (const entry of bitmaps) {
      const nested = /^(\d+)-0x([0-9A-F]+)$/i.exec(entry);
      const bits = BigInt(`0x${nested ? nested[2] : entry.slice(2)}`);
      for (let k = 0; bits >> BigInt(k) > 0n; k++) {
        if (((bits >> BigInt(k)) & 1n) === 0n) continue;
        const name = byPosition.get(nested ? `${nested[1]}:${k}` : `${k}:-1`);
        if (name) out.push(name);
      }
    }
    return out;
  }

  /**
   * Field names as Salesforce's bitmaps: the first string sets bit i for the schema's top-level
   * field i (as `0x` and upper-case hex), then one `i-0x…` string per compound field whose
   * components changed, its bits indexing the components.
   */
  bitmaps(names: string[]): string[] {
    if (names.length === 0) return [];
    let top = 0n;
    const nested = new Map<number, bigint>();
    for (const name of names) {
      const at = this.positions.get(name);
      if (!at) continue;
      const [i, j] = at;
      if (j < 0) top |= 1n << BigInt(i);
      else nested.set(i, (nested.get(i) ?? 0n) | (1n << BigInt(j)));
    }
    const out = [`0x${top.toString(16).toUpperCase()}`];
    for (const [i, bits] of [...nested].sort((a, b) => a[0] - b[0]))
      out.push(`${i}-0x${bits.toString(16).toUpperCase()}`);
    return out;
  }
}

function schemaFields(def: ObjectDef): SchemaField[] {
  const out: SchemaField[] = [];
  for (const f of def.fields) {
    if (!inChangeEvent(f) || f.compoundFieldName) continue;
    if (!f.components) {
      out.push({ name: f.name, field: f });
      continue;
    }
    const components = new Map<string, string>();
    for (const [key, stored] of Object.entries(f.components)) {
      components.set(stored, key.charAt(0).toUpperCase() + key.slice(1));
    }
    out.push({ name: f.name, field: f, components, componentOrder: [...components.keys()] });
  }
  return out;
}

function avroValue(f: FieldDef, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (avroType(f)) {
    case "boolean":
      return v === true;
    case "int":
      if (f.type === "date") return Math.floor(Date.parse(`${String(v).slice(0, 10)}T00:00:00Z`) / 86_400_000);
      return Math.trunc(Number(v));
    case "double":
      return Number(v);
    case "long":
      return typeof v === "number" ? v : Date.parse(String(v));
    default:
      return String(v);
  }
}

const HEADER_SCHEMA = {
  type: "record",
  name: "ChangeEventHeader",
  fields: [
    { name: "entityName", type: "string" },
    { name: "recordIds", type: { type: "array", items: "string" } },
    { name: "changeType", type: { type: "enum", name: "ChangeType", symbols: [...CHANGE_TYPES] } },
    { name: "changeOrigin", type: "string" },
    { name: "transactionKey", type: "string" },
    { name: "sequenceNumber", type: "int" },
    { name: "commitTimestamp", type: "long" },
    { name: "commitNumber", type: "long" },
    { name: "commitUser", type: "string" },
    { name: "nulledFields", type: { type: "array", items: "string" } },
    { name: "diffFields", type: { type: "array", items: "string" } },
    { name: "changedFields", type: { type: "array", items: "string" } },
  ],
};
