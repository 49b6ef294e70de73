import { plainNames, recordLiteralSource } from "../store/compact-record.ts";
import type { StoredRecord } from "../store/record-store.ts";

/**
 * Snapshot and journal records are written by columns: a group of records with the same fields
 * names them once, then holds each column's values in record order. A million records do not
 * repeat their field names a million times, parsing a frame makes a few long arrays rather than
 * an array per record, and loading builds each record with one object literal per shape. A
 * column whose values repeat (owners, audit users, timestamps of one second, picklists) is
 * written as indexes into that column's distinct values, which makes the file smaller and lets
 * loaded records share their strings and numbers, as records generated in memory do.
 */
export interface RowGroup {
  columns: string[];
  /** For dictionary columns (by column index), their distinct values; the column then holds indexes. */
  dicts?: Record<string, unknown[]>;
  /** Each column's values, one per record. */
  values?: unknown[][];
  /** One array of values per record: how snapshots written before column groups hold them (still read). */
  rows?: unknown[][];
}

/** Groups records, in order, by the fields they hold (a field set to undefined is not held). */
export function toRowGroups(records: StoredRecord[]): RowGroup[] {
  const groups: Array<RowGroup & { values: unknown[][] }> = [];
  let current: (RowGroup & { values: unknown[][] }) | undefined;
  for (const record of records) {
    const columns = Object.keys(record).filter((k) => record[k] !== undefined);
    if (!current || !sameColumns(columns, current.columns)) {
      current = { columns, values: columns.map(() => []) };
      groups.push(current);
    }
    for (let c = 0; c < columns.length; c++) current.values[c].push(record[columns[c]]);
  }
  for (const group of groups) encodeDictionaries(group);
  return groups;
}

function sameColumns(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function encodeDictionaries(group: RowGroup & { values: unknown[][] }): void {
  for (const [c, column] of group.values.entries()) {
    if (column.length < 16) return;
    const distinct = new Map<unknown, number>();
    let fits = true;
    for (const v of column) {
      if ((v !== null && typeof v === "object") || distinct.size > column.length / 4) {
        fits = false;
        break;
      }
      if (!distinct.has(v)) distinct.set(v, distinct.size);
    }
    if (!fits || distinct.size > column.length / 4) continue;
    for (let i = 0; i < column.length; i++) column[i] = distinct.get(column[i]);
    group.dicts ??= {};
    group.dicts[c] = [...distinct.keys()];
  }
}

type RecordBuilder = (values: unknown[][], index: number) => StoredRecord;
type BuilderFactory = (dicts: Record<string, unknown[]>) => RecordBuilder;
export type BuilderCache = Map<string, BuilderFactory>;

/** Makes the group's records, in order, handing each to `each`; `cache` keeps a builder per shape. Returns how many. */
export function eachRecord(group: RowGroup, cache: BuilderCache, each: (record: StoredRecord) => void): number {
  const values = group.values ?? columnsOf(group.rows ?? [], group.columns.length);
  const count = values[0]?.length ?? 0;
  const build = recordBuilder(group, cache);
  for (let i = 0; i < count; i++) each(build(values, i));
  return count;
}

function columnsOf(rows: unknown[][], width: number): unknown[][] {
  return Array.from({ length: width }, (_, c) => rows.map((row) => row[c]));
}

function recordBuilder(group: RowGroup, cache: BuilderCache): RecordBuilder {
  const dicts = group.dicts ?? {};
  const { columns } = group;
  const shape = `${columns.join("\u0000")}\u0001${Object.keys(dicts).join(",")}`;
  let factory = cache.get(shape);
  if (!factory) {
    factory = makeFactory(columns, dicts);
    cache.set(shape, factory);
  }
  return factory(taggedDictionaries(dicts));
}

/**
 * A dictionary's values in an array that holds them as they are: JSON.parse puts numbers in an
 * array of raw doubles, and every read of one then makes a new number in memory for the record
 * (a date a million records share would be a million numbers).
 */
function taggedDictionaries(dicts: Record<string, unknown[]>): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [column, values] of Object.entries(dicts)) {
    const tagged: unknown[] = new Array(values.length).fill(null);
    for (let i = 0; i < values.length; i++) tagged[i] = values[i];
    out[column] = tagged;
  }
  return out;
}

function makeFactory(columns: string[], dicts: Record<string, unknown[]>): BuilderFactory {
  const value = (c: number) => (dicts[c] ? `d[${c}][v[${c}][i]]` : `v[${c}][i]`);
  if (plainNames(columns)) {
    const body = recordLiteralSource(
      columns,
      columns.map((_, c) => value(c)),
    );
    return new Function("d", `return (v, i) => { ${body} };`) as BuilderFactory;
  }
  return (d) => (values, i) => {
    const record = {} as StoredRecord;
    for (const [c, name] of columns.entries()) {
      const v = d[c] ? d[c][values[c][i] as number] : values[c][i];
      Object.defineProperty(record, name, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return record;
  };
}
