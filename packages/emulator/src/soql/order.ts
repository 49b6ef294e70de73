import type { OrderByClause } from "@jetstreamapp/soql-parser-js";
import type { StoredRecord } from "../store/record-store.ts";
import { comparable } from "./comparisons.ts";
import type { ValueKind } from "./operands.ts";
import type { Getter } from "./types.ts";

export interface SortKey {
  get: Getter;
  /** Puts stored values in compare form (text lower-cased: SOQL sorts case-insensitively). */
  norm: ((v: unknown) => unknown) | undefined;
  desc: boolean;
  nullsFirst: boolean;
  /** The key is the row's own Id: rows already come in Id order. */
  isId: boolean;
}

export interface SortTarget {
  get: Getter;
  kind: ValueKind;
  isId: boolean;
}

export function asList<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/**
 * ORDER BY keys. Nulls sort first by default, as the smallest value: so they come last under DESC
 * unless NULLS FIRST says otherwise.
 */
export function compileOrderBy(
  clauses: OrderByClause | OrderByClause[] | undefined,
  target: (c: OrderByClause) => SortTarget,
): SortKey[] {
  return asList(clauses).map((c) => {
    const t = target(c);
    const desc = c.order?.toUpperCase() === "DESC";
    const nulls = c.nulls?.toUpperCase();
    return { get: t.get, norm: comparable(t.kind), desc, nullsFirst: nulls ? nulls === "FIRST" : !desc, isId: t.isId };
  });
}

type Compare = (i: number, j: number) => number;

function comparator(rows: StoredRecord[], keys: SortKey[]): Compare {
  // Sort keys are computed once per row, not once per comparison.
  const columns = keys.map((k) => {
    const col = new Array<unknown>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const v = k.get(rows[i]);
      col[i] = v === null || v === undefined ? null : k.norm ? k.norm(v) : v;
    }
    return col;
  });
  const specs = keys.map((k, n) => ({ col: columns[n], sign: k.desc ? -1 : 1, nullSign: k.nullsFirst ? -1 : 1 }));
  return (i, j) => {
    for (const { col, sign, nullSign } of specs) {
      const a = col[i] as string | number | boolean | null;
      const b = col[j] as string | number | boolean | null;
      if (a === b) continue;
      if (a === null) return nullSign;
      if (b === null) return -nullSign;
      return a < b ? -sign : sign;
    }
    // Ties keep store order, which is Id order.
    return i - j;
  };
}

/**
 * Orders rows by the keys; with `keep` (OFFSET + LIMIT) far below the row count only the first
 * `keep` are selected with a bounded heap, which is linear on already-sorted data.
 */
export function orderRows(rows: StoredRecord[], keys: SortKey[], keep: number | undefined): StoredRecord[] {
  if (keys.length === 0 || rows.length < 2) return rows;
  if (keys[0].isId && inIdOrder(rows)) return keys[0].desc ? rows.slice().reverse() : rows;
  const cmp = comparator(rows, keys);
  const indexes =
    keep !== undefined && keep < rows.length / 4 ? topK(rows.length, keep, cmp) : sortAll(rows.length, cmp);
  const out = new Array<StoredRecord>(indexes.length);
  for (let i = 0; i < indexes.length; i++) out[i] = rows[indexes[i]];
  return out;
}

/** Tables iterate in Id order (ids are minted in sequence); checked, as seeds may bring their own ids. */
function inIdOrder(rows: StoredRecord[]): boolean {
  for (let i = 1; i < rows.length; i++) if (rows[i - 1].Id >= rows[i].Id) return false;
  return true;
}

function sortAll(n: number, cmp: Compare): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  return idx.sort(cmp);
}

/** The k smallest indexes under cmp, sorted: a max-heap holds the best k seen so far. */
function topK(n: number, k: number, cmp: Compare): Int32Array {
  if (k <= 0) return new Int32Array(0);
  const heap = new Int32Array(k);
  let size = 0;
  const siftUp = (pos: number) => {
    let p = pos;
    while (p > 0) {
      const parent = (p - 1) >> 1;
      if (cmp(heap[p], heap[parent]) <= 0) break;
      [heap[p], heap[parent]] = [heap[parent], heap[p]];
      p = parent;
    }
  };
  const siftDown = () => {
    let p = 0;
    for (;;) {
      const l = 2 * p + 1;
      const r = l + 1;
      let largest = p;
      if (l < size && cmp(heap[l], heap[largest]) > 0) largest = l;
      if (r < size && cmp(heap[r], heap[largest]) > 0) largest = r;
      if (largest === p) return;
      [heap[p], heap[largest]] = [heap[largest], heap[p]];
      p = largest;
    }
  };
  for (let i = 0; i < n; i++) {
    if (size < k) {
      heap[size++] = i;
      siftUp(size - 1);
    } else if (cmp(i, heap[0]) < 0) {
      heap[0] = i;
      siftDown();
    }
  }
  return heap.subarray(0, size).sort(cmp);
}
