import { truncateToSecond } from "../clock.ts";
import { type IdFactory, normalizeId } from "../ids.ts";
import { type FieldDef, fieldOf, type ObjectDef } from "../schema/types.ts";

/** A stored record: field API names to internal values (datetimes as epoch ms). */
export type StoredRecord = Record<string, unknown> & { Id: string };

export interface WriteContext {
  userId: string;
  now: number;
}

export const RECYCLE_BIN_MS = 15 * 24 * 3600 * 1000;

export class ObjectTable {
  /** Map iteration order is insertion order, which is Id order: ids are minted monotonically. */
  readonly rows = new Map<string, StoredRecord>();
  /** Bumped on every write; caches key on it. */
  version = 0;
  readonly def: ObjectDef;
  constructor(def: ObjectDef) {
    this.def = def;
  }

  get(id: string): StoredRecord | undefined {
    return this.rows.get(id);
  }

  /** Live rows (not in the recycle bin), in Id order. */
  *live(): IterableIterator<StoredRecord> {
    for (const r of this.rows.values()) if (!r.IsDeleted) yield r;
  }

  all(): IterableIterator<StoredRecord> {
    return this.rows.values();
  }

  get size(): number {
    return this.rows.size;
  }

  /**
   * Field name → value key → ids of rows that held that value when written: built on a field's
   * first lookup, then added to on every write (`noteWrite`), never pruned; a lookup checks each
   * candidate's current value, so rows re-keyed or deleted since drop out there. Without it a
   * uniqueness check or an external-id match scans the table, and a large write is quadratic.
   */
  private readonly valueIndexes = new Map<string, Map<unknown, Set<string>>>();

  /** Live rows whose `field` holds `value` (text compared ignoring case, as Salesforce's unique and external ids). */
  withValue(field: string, value: unknown): StoredRecord[] {
    const ids = this.valueIndex(field).get(valueKey(value));
    if (!ids) return [];
    const out: StoredRecord[] = [];
    for (const id of ids) {
      const r = this.rows.get(id);
      if (r && !r.IsDeleted && sameValue(r[field], value)) out.push(r);
    }
    return out;
  }

  /** Keeps the built indexes current after `record` was inserted, changed or restored. */
  noteWrite(record: StoredRecord): void {
    for (const [field, index] of this.valueIndexes) addToIndex(index, record[field], record.Id);
  }

  private valueIndex(field: string): Map<unknown, Set<string>> {
    let index = this.valueIndexes.get(field);
    if (!index) {
      index = new Map();
      for (const r of this.rows.values()) addToIndex(index, r[field], r.Id);
      this.valueIndexes.set(field, index);
    }
    return index;
  }
}

function valueKey(value: unknown): unknown {
  return typeof value === "string" ? value.toLowerCase() : value;
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase());
}

function addToIndex(index: Map<unknown, Set<string>>, value: unknown, id: string): void {
  if (value === undefined || value === null) return;
  const key = valueKey(value);
  const ids = index.get(key);
  if (ids) ids.add(id);
  else index.set(key, new Set([id]));
}

/** One write as an observer sees it: the record before (absent for an insert) and after (absent for a removal). */
export interface RecordWrite {
  kind: "insert" | "update" | "delete" | "undelete";
  table: ObjectTable;
  id: string;
  before?: StoredRecord;
  after?: StoredRecord;
  userId: string;
  now: number;
  /** Whether the write is inside a transaction (it is then final only when the outermost one commits). */
  inTransaction: boolean;
}

/**
 * Hears every write of the store and where its transactions begin and end (Change Data Capture):
 * one hook beneath every DML path, so none can be missed.
 */
export interface WriteObserver {
  /** Whether writes to this table are wanted: the store copies a record's state only for those. */
  watches(table: ObjectTable): boolean;
  written(write: RecordWrite): void;
  /** A transaction or savepoint began; the mark it returns comes back to `ended`. */
  began(): number;
  ended(mark: number, committed: boolean, outermost: boolean): void;
}

/** Every table of the org, keyed by lower-cased API name and by key prefix. */
type UndoEntry =
  | { kind: "insert"; table: ObjectTable; id: string }
  | { kind: "restore"; table: ObjectTable; before: StoredRecord };

export class RecordStore {
  private readonly tables = new Map<string, ObjectTable>();
  private readonly byPrefix = new Map<string, ObjectTable>();
  /** While a transaction is open, how to undo each write made in it. */
  private journal: UndoEntry[] | null = null;
  /** Records written since the last takeChanges(), by table, while changes are tracked (persistence). */
  private changes: Map<ObjectTable, Set<string>> | null = null;

  /** Set by the org's change capture; hears every write. */
  observer: WriteObserver | null = null;

  private readonly ids: IdFactory;
  constructor(ids: IdFactory) {
    this.ids = ids;
  }

  define(def: ObjectDef): ObjectTable {
    const existing = this.tables.get(def.name.toLowerCase());
    if (existing) return existing;
    const table = new ObjectTable(def);
    this.tables.set(def.name.toLowerCase(), table);
    this.byPrefix.set(def.keyPrefix, table);
    return table;
  }

  /** Moves on with every write to any table: what a page prepared ahead of time is checked against. */
  get revision(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.version;
    return n;
  }

  table(name: string): ObjectTable | undefined {
    return this.tables.get(name.toLowerCase());
  }

  /**
   * Runs writes all-or-none: if `work` throws or returns false, every write it made is undone
   * (ids already minted stay burnt, as in Salesforce).
   */
  transaction<T>(work: () => T, committed: (result: T) => boolean = () => true): T {
    const tx = this.begin();
    let ok = false;
    try {
      const result = work();
      ok = committed(result);
      return result;
    } finally {
      this.end(tx, ok);
    }
  }

  /**
   * The same for work that awaits. Only safe for work whose awaits are already settled (composite
   * subrequests read pre-parsed bodies), so no other request's writes can land in the journal.
   */
  async transactionAsync<T>(work: () => Promise<T>, committed: (result: T) => boolean = () => true): Promise<T> {
    const tx = this.begin();
    let ok = false;
    try {
      const result = await work();
      ok = committed(result);
      return result;
    } finally {
      this.end(tx, ok);
    }
  }

  /** A nested transaction is a savepoint: it undoes only its own writes. */
  private begin(): { journal: UndoEntry[]; savepoint: number; outer: boolean; mark: number } {
    const outer = this.journal !== null;
    const journal = this.journal ?? [];
    this.journal = journal;
    return { journal, savepoint: journal.length, outer, mark: this.observer?.began() ?? 0 };
  }

  private end(tx: { journal: UndoEntry[]; savepoint: number; outer: boolean; mark: number }, ok: boolean): void {
    if (!ok) this.undo(tx.journal.splice(tx.savepoint));
    if (!tx.outer) this.journal = null;
    this.observer?.ended(tx.mark, ok, !tx.outer);
  }

  private notify(
    kind: RecordWrite["kind"],
    table: ObjectTable,
    id: string,
    ctx: { userId: string; now: number },
    before?: StoredRecord,
  ): void {
    const after = kind === "delete" ? undefined : table.get(id);
    this.observer!.written({ kind, table, id, before, after, ...ctx, inTransaction: this.journal !== null });
  }

  private watched(table: ObjectTable): boolean {
    return this.observer?.watches(table) === true;
  }

  private undo(journal: UndoEntry[]): void {
    for (const entry of journal.reverse()) {
      if (entry.kind === "insert") entry.table.rows.delete(entry.id);
      else {
        entry.table.rows.set(entry.before.Id, entry.before);
        entry.table.noteWrite(entry.before);
      }
      entry.table.version++;
      this.changed(entry.table, entry.kind === "insert" ? entry.id : entry.before.Id);
    }
  }

  /** From now on, every write (and every undone write) is remembered until takeChanges(). */
  trackChanges(): void {
    this.changes ??= new Map();
  }

  /** The records written since the last call, by table; a record no longer in its table was deleted. */
  takeChanges(): Map<ObjectTable, Set<string>> {
    const taken = this.changes ?? new Map<ObjectTable, Set<string>>();
    if (this.changes) this.changes = new Map();
    return taken;
  }

  /** Gives back changes taken by takeChanges() that could not be saved, so the next call returns them again. */
  putBackChanges(taken: Map<ObjectTable, Set<string>>): void {
    for (const [table, ids] of taken) for (const id of ids) this.changed(table, id);
  }

  private changed(table: ObjectTable, id: string): void {
    if (!this.changes) return;
    let ids = this.changes.get(table);
    if (!ids) {
      ids = new Set();
      this.changes.set(table, ids);
    }
    ids.add(id);
  }

  private remember(table: ObjectTable, id: string, isInsert: boolean): void {
    if (!this.journal) return;
    if (isInsert) this.journal.push({ kind: "insert", table, id });
    else {
      const before = table.get(id);
      if (before) this.journal.push({ kind: "restore", table, before: { ...before } });
    }
  }

  tableOrThrow(name: string): ObjectTable {
    const t = this.table(name);
    if (!t) throw new Error(`unknown object ${name}`);
    return t;
  }

  tableForId(id: string): ObjectTable | undefined {
    return this.byPrefix.get(id.slice(0, 3));
  }

  allTables(): ObjectTable[] {
    return [...this.tables.values()];
  }

  /** Finds a record of any object by a 15- or 18-character id. */
  find(id: string): { table: ObjectTable; record: StoredRecord } | undefined {
    const canonical = normalizeId(id);
    if (!canonical) return undefined;
    const table = this.tableForId(canonical);
    const record = table?.get(canonical);
    return table && record ? { table, record } : undefined;
  }

  /**
   * Inserts a record. The caller has validated values against the schema; this sets the id,
   * audit fields and defaults. Timestamps have second precision, as in Salesforce.
   */
  insert(objectName: string, values: Record<string, unknown>, ctx: WriteContext, id?: string): StoredRecord {
    const table = this.tableOrThrow(objectName);
    const def = table.def;
    const now = truncateToSecond(ctx.now);
    const recordId = id ?? this.ids.next(def.keyPrefix);
    if (id) this.ids.observe(id);
    const record: StoredRecord = { Id: recordId };
    for (const f of def.fields) {
      if (f.defaultValue !== undefined) record[f.name] = f.defaultValue;
      else if (f.type === "boolean" && !f.formula) record[f.name] = false;
    }
    for (const [k, v] of Object.entries(values)) {
      const f = fieldOf(def, k);
      if (f) record[f.name] = v;
    }
    if (def.fieldMap.has("createddate")) {
      record.IsDeleted = false;
      record.CreatedDate ??= now;
      record.CreatedById ??= ctx.userId;
      record.LastModifiedDate ??= record.CreatedDate;
      record.LastModifiedById ??= ctx.userId;
      record.SystemModstamp ??= record.LastModifiedDate;
    }
    if (def.fieldMap.has("ownerid") && record.OwnerId == null) record.OwnerId = ctx.userId;
    deriveNames(def, record);
    this.remember(table, recordId, true);
    table.rows.set(recordId, record);
    table.noteWrite(record);
    table.version++;
    this.changed(table, recordId);
    if (this.watched(table)) this.notify("insert", table, recordId, ctx);
    return record;
  }

  /**
   * Adds a complete record minted by the caller (the data generator), skipping defaults and
   * checks: the fast path for seeding a million rows.
   */
  load(table: ObjectTable, record: StoredRecord): void {
    table.rows.set(record.Id, record);
    table.noteWrite(record);
    table.version++;
    this.changed(table, record.Id);
    if (this.watched(table)) {
      const now = typeof record.CreatedDate === "number" ? record.CreatedDate : 0;
      this.notify("insert", table, record.Id, { userId: String(record.CreatedById ?? ""), now });
    }
  }

  mintId(table: ObjectTable): string {
    return this.ids.next(table.def.keyPrefix);
  }

  update(objectName: string, id: string, values: Record<string, unknown>, ctx: WriteContext): StoredRecord {
    const table = this.tableOrThrow(objectName);
    const record = table.get(id);
    if (!record) throw new Error(`no ${objectName} ${id}`);
    this.remember(table, id, false);
    const before = this.watched(table) ? { ...record } : undefined;
    for (const [k, v] of Object.entries(values)) {
      const f = fieldOf(table.def, k);
      if (f) record[f.name] = v;
    }
    touch(table.def, record, ctx);
    deriveNames(table.def, record);
    table.noteWrite(record);
    table.version++;
    this.changed(table, id);
    if (before) this.notify("update", table, id, ctx, before);
    return record;
  }

  /** Moves a record to the recycle bin: queryAll still sees it, with IsDeleted = true. */
  softDelete(objectName: string, id: string, ctx: WriteContext): void {
    const table = this.tableOrThrow(objectName);
    const record = table.get(id);
    if (!record) return;
    this.remember(table, id, false);
    if (!table.def.fieldMap.has("isdeleted")) {
      table.rows.delete(id);
    } else {
      record.IsDeleted = true;
      touch(table.def, record, ctx);
    }
    table.version++;
    this.changed(table, id);
    // The record as it was (a soft delete keeps it in the recycle bin): its values enrich the event.
    if (this.watched(table)) this.notify("delete", table, id, ctx, record);
  }

  undelete(objectName: string, id: string, ctx: WriteContext): void {
    const table = this.tableOrThrow(objectName);
    const record = table.get(id);
    if (!record?.IsDeleted) return;
    this.remember(table, id, false);
    record.IsDeleted = false;
    touch(table.def, record, ctx);
    table.version++;
    this.changed(table, id);
    if (this.watched(table)) this.notify("undelete", table, id, ctx);
  }

  /** Removes a record for good; a live record's removal is a delete to observers (Bulk hardDelete). */
  hardDelete(objectName: string, id: string, ctx?: WriteContext): void {
    const table = this.tableOrThrow(objectName);
    this.remember(table, id, false);
    const wasLive = table.get(id)?.IsDeleted === false;
    if (table.rows.delete(id)) {
      table.version++;
      this.changed(table, id);
      if (wasLive && this.watched(table)) this.notify("delete", table, id, ctx ?? { userId: "", now: 0 });
    }
  }

  /** Empties the recycle bin of rows deleted more than 15 days before `now`. */
  purgeRecycleBin(now: number): number {
    let purged = 0;
    for (const table of this.tables.values()) {
      for (const [id, r] of table.rows) {
        if (r.IsDeleted && typeof r.SystemModstamp === "number" && now - r.SystemModstamp > RECYCLE_BIN_MS) {
          table.rows.delete(id);
          this.changed(table, id);
          purged++;
        }
      }
      if (purged) table.version++;
    }
    return purged;
  }
}

function touch(def: ObjectDef, record: StoredRecord, ctx: WriteContext): void {
  if (!def.fieldMap.has("systemmodstamp")) return;
  const now = truncateToSecond(ctx.now);
  record.LastModifiedDate = now;
  record.LastModifiedById = ctx.userId;
  record.SystemModstamp = now;
}

/** Name fields that Salesforce derives (Contact.Name from FirstName and LastName). */
function deriveNames(def: ObjectDef, record: StoredRecord): void {
  const name: FieldDef | undefined = def.fieldMap.get("name");
  if (name && !name.createable && def.fieldMap.has("lastname")) {
    record.Name = [record.FirstName, record.LastName].filter((p) => p != null && p !== "").join(" ");
  }
}
