/**
 * Salesforce sends a change event's `changedFields`, `nulledFields` and `diffFields` over the
 * Pub/Sub API as bitmaps, not names: the first string (`0x…`, hexadecimal) sets bit i for the
 * schema's top-level field i (the header is field 0); each further string `i-0x…` sets bits for
 * the fields nested in top-level field i (a compound field such as an address), which read as
 * `BillingAddress.City`. Pure, so it is tested from tables.
 */

/** The part of an Avro schema the bitmaps index: record fields, with nested records inside unions. */
interface AvroField {
  name: string;
  type: unknown;
}

/** What the bitmaps of a schema index: its top-level fields and its named records, found once per schema. */
export interface BitmapIndex {
  fields: AvroField[] | undefined;
  named: NamedRecords;
}

export function bitmapIndex(schema: unknown): BitmapIndex {
  const named = namedRecords(schema);
  return { fields: recordFields(schema, named), named };
}

/** The field names the bitmaps of one header list stand for, in schema order. */
export function bitmapFieldNames(bitmaps: readonly string[], schema: unknown): string[] {
  return bitmapNames(bitmaps, bitmapIndex(schema));
}

/** `bitmapFieldNames` with the schema's index made beforehand (events of one schema share it). */
export function bitmapNames(bitmaps: readonly string[], index: BitmapIndex): string[] {
  const { fields, named } = index;
  if (!fields || bitmaps.length === 0) return [];
  const names: string[] = [];
  for (const bitmap of bitmaps) {
    const nested = /^(\d+)-(0x[0-9a-fA-F]+)$/.exec(bitmap);
    if (nested) {
      const parent = fields[Number(nested[1])];
      const inner = parent ? recordFields(parent.type, named) : undefined;
      if (!parent || !inner) continue;
      for (const i of setBits(nested[2])) if (inner[i]) names.push(`${parent.name}.${inner[i].name}`);
      continue;
    }
    if (!/^0x[0-9a-fA-F]+$/.test(bitmap)) {
      // Not a bitmap: a name, as the Streaming API (CometD) sends the same header.
      names.push(bitmap);
      continue;
    }
    for (const i of setBits(bitmap)) if (fields[i]) names.push(fields[i].name);
  }
  return names;
}

/** Indexes of the bits set in a `0x…` bitmap, lowest first (bit 0 is the last hex digit's lowest bit). */
export function setBits(hex: string): number[] {
  let value = BigInt(hex);
  const out: number[] = [];
  for (let i = 0; value > 0n; i++, value >>= 1n) if (value & 1n) out.push(i);
  return out;
}

type NamedRecords = Map<string, unknown>;

/**
 * The fields of a record schema, also when it is one branch of a union (`["null", {record}]`) or
 * a reference by name to a record defined earlier (`["null", "Address"]`).
 */
function recordFields(type: unknown, named: NamedRecords): AvroField[] | undefined {
  if (typeof type === "string") {
    const target = named.get(type);
    return target === undefined ? undefined : recordFields(target, named);
  }
  if (Array.isArray(type)) {
    for (const branch of type) {
      const fields = recordFields(branch, named);
      if (fields) return fields;
    }
    return undefined;
  }
  if (type && typeof type === "object" && (type as { type?: unknown }).type === "record") {
    const fields = (type as { fields?: unknown }).fields;
    return Array.isArray(fields) ? (fields as AvroField[]) : undefined;
  }
  return undefined;
}

/** Every named record of a schema, by its name and by its full name (namespace.name). */
function namedRecords(schema: unknown, namespace = "", out: NamedRecords = new Map()): NamedRecords {
  if (Array.isArray(schema)) {
    for (const branch of schema) namedRecords(branch, namespace, out);
    return out;
  }
  if (!schema || typeof schema !== "object") return out;
  const s = schema as { type?: unknown; name?: unknown; namespace?: unknown; fields?: unknown; items?: unknown };
  if (s.type === "record" && typeof s.name === "string") {
    const ns = typeof s.namespace === "string" ? s.namespace : namespace;
    out.set(s.name, schema);
    if (ns) out.set(`${ns}.${s.name}`, schema);
    if (Array.isArray(s.fields)) for (const f of s.fields as AvroField[]) namedRecords(f.type, ns, out);
    return out;
  }
  if (s.type && typeof s.type === "object") namedRecords(s.type, namespace, out);
  if (s.items) namedRecords(s.items, namespace, out);
  return out;
}
