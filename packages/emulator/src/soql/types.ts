import type { Query } from "@jetstreamapp/soql-parser-js";
import type { Org } from "../org/org.ts";
import type { SchemaView } from "../org/visibility.ts";
import type { ObjectDef } from "../schema/types.ts";
import type { StoredRecord } from "../store/record-store.ts";

export interface SoqlOptions {
  /** queryAll: rows in the recycle bin (IsDeleted = true) are included. */
  includeDeleted: boolean;
  api: "data" | "tooling";
  /** API version without the "v", e.g. "67.0". */
  version: string;
}

export interface SoqlResult {
  /** The FROM object. */
  def: ObjectDef;
  /** Selected field paths in SELECT order, API-cased ("Id", "Account.Name"); aggregate output keys for aggregates. */
  columns: string[];
  /** Matching rows after WHERE, ORDER BY, OFFSET and LIMIT, not yet projected (AggregateResult rows for aggregates). */
  records: StoredRecord[];
  totalSize: number;
  /** SELECT COUNT(): records is empty and totalSize is the count. */
  isCount: boolean;
  /** Aggregate functions or GROUP BY: records are AggregateResult rows keyed by output name. */
  aggregate: boolean;
  hasSubquery: boolean;
  hasOffset: boolean;
  /** The REST shape: attributes, nested parent records, child subquery results. */
  toJson(record: StoredRecord): Record<string, unknown>;
  /** Flat values in `columns` order for Bulk 2.0 CSV; '' for null. */
  toCsvRow(record: StoredRecord): string[];
}

/** What compiling one (sub)query needs to know. */
export interface CompileContext {
  org: Org;
  view: SchemaView;
  userId: string;
  soql: string;
  options: SoqlOptions;
  /** The org clock when the query started: date literals are evaluated against it. */
  now: number;
  /** Runs the inner query of a semi-join or anti-join, giving the values of its one selected field. */
  semiJoin(query: Query, at: number): Set<unknown>;
}

export type Getter = (record: StoredRecord) => unknown;
export type Predicate = (record: StoredRecord) => boolean;
