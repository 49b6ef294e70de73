import { normalizeId } from "../ids.ts";
import type { Org } from "../org/org.ts";
import type { FieldDef, ObjectDef } from "../schema/types.ts";

/**
 * Live records of one object by the value of one external id field, built once per job: matching
 * each row by scanning the table would make a large upsert quadratic. Text matches ignore case,
 * as Salesforce's external ids do unless marked case-sensitive.
 */
export class ExternalIdIndex {
  private readonly org: Org;
  private readonly def: ObjectDef;
  private readonly field: FieldDef;
  private byValue: Map<string, string[]> | null = null;

  constructor(org: Org, def: ObjectDef, field: FieldDef) {
    this.org = org;
    this.def = def;
    this.field = field;
  }

  /** Ids of the live records whose key equals the cell's text. */
  match(cell: string): string[] {
    if (this.field.name === "Id") {
      const id = normalizeId(cell);
      const record = id ? this.org.store.tableOrThrow(this.def.name).get(id) : undefined;
      return record && !record.IsDeleted ? [record.Id] : [];
    }
    const ids = this.index().get(cell.toLowerCase()) ?? [];
    const table = this.org.store.tableOrThrow(this.def.name);
    // Rows deleted or re-keyed since the index was built no longer match.
    return ids.filter((id) => {
      const r = table.get(id);
      return r !== undefined && !r.IsDeleted && String(r[this.field.name] ?? "").toLowerCase() === cell.toLowerCase();
    });
  }

  /** Records a record created during the job, so later rows of the same job find it. */
  remember(cell: string, id: string): void {
    if (this.field.name === "Id") return;
    const key = cell.toLowerCase();
    const map = this.index();
    const ids = map.get(key);
    if (ids) ids.push(id);
    else map.set(key, [id]);
  }

  private index(): Map<string, string[]> {
    if (this.byValue) return this.byValue;
    const map = new Map<string, string[]>();
    const name = this.field.name;
    for (const r of this.org.store.tableOrThrow(this.def.name).live()) {
      const v = r[name];
      if (v === undefined || v === null) continue;
      const key = String(v).toLowerCase();
      const ids = map.get(key);
      if (ids) ids.push(r.Id);
      else map.set(key, [r.Id]);
    }
    this.byValue = map;
    return map;
  }
}
