import type { FieldSchema } from "./destinations/destination.ts";

/**
 * Pure planning of a sync run: which fields, which cursor, which window, which API, which SOQL.
 * Nothing here talks to Salesforce or the store.
 */

/** A field as describe gives it (the parts the planner reads). */
export interface DescribedField {
  name: string;
  type: string;
  length?: number;
  precision?: number;
  scale?: number;
  /** Set on the components of a compound field (BillingStreet → BillingAddress). */
  compoundFieldName?: string | null;
  calculated?: boolean;
}

export interface DescribedObject {
  name: string;
  queryable?: boolean;
  /** Get Updated and Get Deleted serve the object. */
  replicateable?: boolean;
  fields: DescribedField[];
}

/** The cursor fields, best first: SystemModstamp changes on every write, system ones included. */
export const CURSOR_FIELDS = ["SystemModstamp", "LastModifiedDate", "CreatedDate"] as const;

/** Types that cannot be read the way a sync reads: compound values and file bodies. */
const SKIPPED_TYPES = new Set(["address", "location", "base64"]);

export interface FieldSelection {
  /** What the sync reads and the destinations store; always starts with Id. */
  fields: FieldSchema[];
  /** Declared fields the connected user cannot see (field-level security) or that do not exist. */
  missing: string[];
  /** Formula fields among them: they change without touching SystemModstamp. */
  formulas: string[];
}

/**
 * The fields to read: the declared list ("all" means every field the user can see), compound
 * address and location fields replaced by their components (Bulk refuses compound fields, and
 * the components carry the same data), base64 bodies left out.
 */
export function selectFields(described: DescribedObject, wanted: "all" | string[]): FieldSelection {
  const byName = new Map(described.fields.map((f) => [f.name.toLowerCase(), f]));
  const out = new Map<string, DescribedField>();
  const missing: string[] = [];
  const add = (f: DescribedField) => {
    if (f.type === "address" || f.type === "location") {
      for (const c of described.fields) if (c.compoundFieldName === f.name) out.set(c.name.toLowerCase(), c);
      return;
    }
    if (!SKIPPED_TYPES.has(f.type)) out.set(f.name.toLowerCase(), f);
  };
  const id = byName.get("id");
  if (id) out.set("id", id);
  if (wanted === "all") for (const f of described.fields) add(f);
  else {
    for (const name of wanted) {
      const f = byName.get(name.toLowerCase());
      if (f) add(f);
      else missing.push(name);
    }
    // The cursor and the deletion flag are read whatever the list says.
    for (const name of [...CURSOR_FIELDS, "IsDeleted"]) {
      const f = byName.get(name.toLowerCase());
      if (f) add(f);
    }
  }
  const fields = [...out.values()].map(toSchema);
  const formulas = [...out.values()].filter((f) => f.calculated === true).map((f) => f.name);
  return { fields, missing, formulas };
}

function toSchema(f: DescribedField): FieldSchema {
  const out: FieldSchema = { name: f.name, type: f.type };
  if (f.length) out.length = f.length;
  if (f.precision) out.precision = f.precision;
  if (f.scale !== undefined && f.precision) out.scale = f.scale;
  return out;
}

/** The cursor field the object has, or null when it has none and every run reads everything. */
export function cursorFieldOf(fields: readonly { name: string }[]): string | null {
  const names = new Set(fields.map((f) => f.name.toLowerCase()));
  return CURSOR_FIELDS.find((c) => names.has(c.toLowerCase())) ?? null;
}

export interface Checkpoint {
  /** The cursor value of the last confirmed record, as Salesforce wrote it (ISO, UTC). */
  ts: string;
  id: string;
}

export interface WindowInput {
  cursorField: string | null;
  checkpoint: Checkpoint | null;
  /** Salesforce's clock now (ms). */
  serverNow: number;
  /** Rows newer than serverNow - lagMs are left for the next run: a write may still be committing. */
  lagMs: number;
  /** How far behind the checkpoint a run starts again, for rows that became visible late. */
  lookbackMs: number;
  /** Where the first run starts: null for the whole history. */
  backfillFrom: number | null;
}

export interface SyncWindow {
  /** Inclusive lower bound (ISO), or null for the beginning of time. */
  from: string | null;
  /** Inclusive upper bound (ISO), or null for a full refresh without a cursor. */
  to: string | null;
  /** Resume strictly after this record of `from`'s second (after a restart within a run). */
  after: Checkpoint | null;
}

/**
 * The window one run reads: from the checkpoint less the lookback (or the backfill start) up to a
 * little behind Salesforce's clock. Equal timestamps are safe because the window's rows are read
 * in (cursor, Id) order and the checkpoint is a (cursor, Id) pair; late rows are safe because
 * every run re-reads the lookback and never reads the last `lagMs`.
 */
export function planWindow(input: WindowInput): SyncWindow {
  if (!input.cursorField) return { from: null, to: null, after: null };
  const to = soqlDateTime(input.serverNow - input.lagMs);
  if (input.checkpoint) {
    const from = Date.parse(input.checkpoint.ts) - input.lookbackMs;
    return { from: soqlDateTime(from), to, after: null };
  }
  return { from: input.backfillFrom === null ? null : soqlDateTime(input.backfillFrom), to, after: null };
}

/** The window again after a restart inside a run: strictly after the last confirmed record. */
export function resumeWindow(window: SyncWindow, checkpoint: Checkpoint): SyncWindow {
  return { from: checkpoint.ts, to: window.to, after: checkpoint };
}

/** A SOQL datetime literal: UTC, second precision, `Z` (a `+` would need encoding). */
export function soqlDateTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** The WHERE clause of a window, or "" for none. */
export function windowCondition(cursorField: string | null, window: SyncWindow): string {
  if (!cursorField) return "";
  const parts: string[] = [];
  if (window.after) {
    const ts = soqlDateTime(Date.parse(window.after.ts));
    parts.push(`(${cursorField} > ${ts} OR (${cursorField} = ${ts} AND Id > '${idLiteral(window.after.id)}'))`);
  } else if (window.from) parts.push(`${cursorField} >= ${window.from}`);
  if (window.to) parts.push(`${cursorField} <= ${window.to}`);
  return parts.length > 0 ? ` WHERE ${parts.join(" AND ")}` : "";
}

function idLiteral(id: string): string {
  if (!/^[A-Za-z0-9]{15,18}$/.test(id)) throw new Error(`not a Salesforce id: ${id}`);
  return id;
}

/** The query of a run: the window's rows in (cursor, Id) order, so checkpoints are exact. */
export function readQuery(object: string, fields: readonly FieldSchema[], cursorField: string | null, w: SyncWindow) {
  const order = cursorField ? ` ORDER BY ${cursorField} ASC, Id ASC` : " ORDER BY Id ASC";
  return `SELECT ${fields.map((f) => f.name).join(", ")} FROM ${object}${windowCondition(cursorField, w)}${order}`;
}

/** How many rows the window holds: one cheap call that decides REST or Bulk. */
export function countQuery(object: string, cursorField: string | null, w: SyncWindow): string {
  return `SELECT COUNT() FROM ${object}${windowCondition(cursorField, w)}`;
}

export type ReadMode = "rest" | "bulk";

/** Above this many rows Bulk 2.0 costs fewer calls than REST pages of 2,000. */
export const BULK_THRESHOLD = 10_000;

/**
 * REST or Bulk for this run: Bulk for large windows (a backfill, a big change set) on objects the
 * Bulk API serves; REST for the rest, where a few pages cost fewer calls than a job and its polls.
 */
export function chooseMode(count: number, bulkSupported: boolean, threshold = BULK_THRESHOLD): ReadMode {
  return bulkSupported && count > threshold ? "bulk" : "rest";
}

/** Objects the Bulk API refuses (a sample of Salesforce's list; the job's INVALIDENTITY catches the rest). */
const NOT_BULK = new Set(
  [
    "AcceptedEventRelation",
    "AttachedContentNote",
    "CaseStatus",
    "ContentFolderItem",
    "ContractStatus",
    "DeclinedEventRelation",
    "EventWhoRelation",
    "FieldSecurityClassification",
    "KnowledgeArticleVersion",
    "OrderStatus",
    "PartnerRole",
    "QuoteTemplateRichTextData",
    "RecentlyViewed",
    "SolutionStatus",
    "TaskPriority",
    "TaskStatus",
    "TaskWhoRelation",
    "UndecidedEventRelation",
    "UserRecordAccess",
  ].map((s) => s.toLowerCase()),
);

export function bulkSupports(object: string): boolean {
  const o = object.toLowerCase();
  return !NOT_BULK.has(o) && !o.endsWith("changeevent") && !o.endsWith("__history") && !o.endsWith("__share");
}

/** Whether the quota share is used up: the sync pauses at this point (default 80%). */
export function quotaExhausted(used: number, max: number, share: number): boolean {
  return max > 0 && used / max >= share;
}
