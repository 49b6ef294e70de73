import type { StoredRecord } from "../store/record-store.ts";

/**
 * Snapshot rows are written as columns and value arrays: a million records do not repeat their
 * field names a million times, and loading builds each record with one object literal per shape,
 * which is several times faster than parsing and re-keying JSON objects. A column whose values
 * repeat (owners, audit users, timestamps of one second, picklists) is written as indexes into
 * that column's distinct values, which makes the file smaller and lets loaded records share
 * their strings, as records generated in memory do.
 */
export interface RowGroup {
  columns: string[];
  /** For dictionary columns (by column index), their distinct values; rows then hold indexes. */
  dicts?: Record<string, unknown[]>;
  rows: unknown[][];
}

/** Groups records, in order, by the fields they hold (a field set to undefined is not held). */
export function toRowGroups(records: StoredRecord[]): RowGroup[] {
  const groups: RowGroup[] = [];
  let current: RowGroup | undefined;
  let currentShape = "";
  for (const record of records) {
    const columns = Object.keys(record).filter((k) => record[k] !== undefined);
    const shape = columns.join("\u0000");
    if (!current || shape !== currentShape) {
      current = { columns, rows: [] };
      currentShape = shape;
      groups.push(current);
    }
    current.rows.push(columns.map((c) => record[c]));
  }
  for (const group of groups) encodeDictionaries(group);
  return groups;
}

function encodeDictionaries(group: RowGroup): void {
  if (group.rows.length < 16) return;
  for (let c = 0; c < group.columns.length; c++) {
    const distinct = new Map<unknown, number>();
    for (const row of group.rows) {
      const v = row[c];
      if (v !== null && typeof v === "object") break;
      if (!distinct.has(v)) distinct.set(v, distinct.size);
      if (distinct.size > group.rows.length / 4) break;
    }
    if (distinct.size > group.rows.length / 4) continue;
    if (group.rows.some((row) => row[c] !== null && typeof row[c] === "object")) continue;
    for (const row of group.rows) row[c] = distinct.get(row[c]);
    group.dicts ??= {};
    group.dicts[c] = [...distinct.keys()];
  }
}

export type RecordBuilder = (values: unknown[]) => StoredRecord;
type BuilderFactory = (dicts: Record<string, unknown[]>) => RecordBuilder;

/** A function that makes a record of this group's shape from its values; `cache` keeps one per shape. */
export function recordBuilder(group: RowGroup, cache: Map<string, BuilderFactory>): RecordBuilder {
  const dicts = group.dicts ?? {};
  const { columns } = group;
  const shape = `${columns.join("\u0000")}\u0001${Object.keys(dicts).join(",")}`;
  let factory = cache.get(shape);
  if (!factory) {
    factory = makeFactory(columns, dicts);
    cache.set(shape, factory);
  }
  return factory(dicts);
}

function makeFactory(columns: string[], dicts: Record<string, unknown[]>): BuilderFactory {
  const value = (i: number) => (dicts[i] ? `d[${i}][v[${i}]]` : `v[${i}]`);
  if (columns.every((c) => /^[A-Za-z][A-Za-z0-9_]*$/.test(c))) {
    // Field API names only: safe to spell as the keys of an object literal.
    const body = columns.map((c, i) => `${c}: ${value(i)}`).join(", ");
    return new Function("d", `return (v) => ({ ${body} });`) as BuilderFactory;
  }
  return (d) => (values) => {
    const record = {} as StoredRecord;
    for (const [i, c] of columns.entries()) {
      const v = d[i] ? d[i][values[i] as number] : values[i];
      Object.defineProperty(record, c, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return record;
  };
}
