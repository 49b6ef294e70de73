import type { CopyBatch } from "./destination.ts";
import { DELETED_AT_COLUMN, quoteIdent, SYNCED_AT_COLUMN } from "./postgres-columns.ts";
import type { PreparedTable } from "./postgres-destination.ts";

const ID = quoteIdent("id");
const STAMP = quoteIdent("systemmodstamp");
const DELETED_AT = quoteIdent(DELETED_AT_COLUMN);
const SYNCED_AT = quoteIdent(SYNCED_AT_COLUMN);
/** Dropped at commit: each batch's transaction has its own, and sessions never see each other's. */
const STAGE = "pg_temp.forcelink_stage";

/**
 * The ON CONFLICT clause of an upsert writing the `present` columns: with a SystemModstamp, a row is updated only by
 * a version at least as new, and a soft-deleted row only by a version newer than its deletion (which revives it).
 */
export function conflictClause(table: PreparedTable, present: number[]): string {
  const names = present.map((index) => quoteIdent(table.columns[index].name));
  const updates = names.filter((name) => name !== ID).map((name) => `${name} = excluded.${name}`);
  updates.push(`${DELETED_AT} = NULL`, `${SYNCED_AT} = now()`);
  let sql = `ON CONFLICT (${ID}) DO UPDATE SET ${updates.join(", ")}`;
  if (present.includes(table.stampIndex)) {
    sql +=
      ` WHERE excluded.${STAMP} IS NULL OR ((t.${STAMP} IS NULL OR excluded.${STAMP} >= t.${STAMP})` +
      ` AND (t.${DELETED_AT} IS NULL OR excluded.${STAMP} > t.${DELETED_AT}))`;
  }
  return sql;
}

/**
 * The ON CONFLICT clause of a soft delete: it leaves a tombstone (Id and deletion time) for a row never seen, so that
 * an older version arriving later cannot bring it back; a deletion older than the stored version is ignored.
 */
export function deletionConflictClause(hasStamp: boolean): string {
  const sql =
    `ON CONFLICT (${ID}) DO UPDATE SET ${DELETED_AT} = GREATEST(t.${DELETED_AT}, excluded.${DELETED_AT}), ` +
    `${SYNCED_AT} = now()`;
  return hasStamp ? `${sql} WHERE t.${STAMP} IS NULL OR excluded.${DELETED_AT} >= t.${STAMP}` : sql;
}

/**
 * The statements of a COPY batch (`upsertAll` when no row is a deletion): a staging table typed like the table's columns (so COPY reads each value with the
 * same input function as deliver()'s arrays), the COPY, one upsert and one soft delete. Within the batch each Id's
 * newest version wins (the later row on a tie), as in deliver(); rows go in Id order, so concurrent batches wait
 * rather than deadlock. (deliver() lets a row without SystemModstamp win over an earlier one with it; here a row
 * with it wins. Bulk never sends a row without one.)
 *
 * `direct` copies the rows straight into the table, for a page that only adds rows: it carries every column the
 * merge writes, so when no row is a deletion, none repeats an Id and none is in the table yet, it stores exactly
 * what the merge would (null when a written column is not copied). A repeated Id fails it (unique violation).
 */
export function stagingStatements(
  table: PreparedTable,
  batch: Pick<CopyBatch, "fields" | "copied" | "deletedField" | "deletedAtField">,
): {
  create: string;
  copy: string;
  direct: string | null;
  upsert: string;
  upsertAll: string;
  delete: string | null;
} {
  const indexOf = (field: string) => {
    let index = table.keys.get(field);
    if (index === undefined) {
      const column = field.toLowerCase();
      index = table.columns.findIndex((c) => c.name === column);
      table.keys.set(field, index);
    }
    return index;
  };
  const present = [...new Set(batch.fields.map(indexOf).filter((i) => i >= 0))];
  const copied = batch.copied.map(indexOf);
  if (copied.some((i) => i < 0)) throw new Error("a copied field is not a column of the table");
  // Staging holds what the rows carry and what the batch sets to null; the table's own constraints apply at the merge.
  const staged = [...new Set([...present, ...copied])];
  const column = (index: number) => quoteIdent(table.columns[index].name);
  const create =
    `CREATE TEMPORARY TABLE ${STAGE} (${staged.map((i) => `${column(i)} ${table.columns[i].type}`).join(", ")}) ` +
    "ON COMMIT DROP";
  const copy = `COPY ${STAGE} (${copied.map(column).join(", ")}) FROM STDIN`;
  const direct =
    new Set(copied).size === copied.length && present.every((i) => copied.includes(i))
      ? `COPY ${table.qualified} (${copied.map(column).join(", ")}) FROM STDIN`
      : null;

  const deleted = batch.deletedField === null ? -1 : indexOf(batch.deletedField);
  const flag = deleted >= 0 && copied.includes(deleted) ? `s.${column(deleted)}` : null;
  const isDeleted = flag && (table.columns[deleted].type === "boolean" ? `${flag} IS TRUE` : `${flag}::text = 'true'`);
  const names = present.map(column);
  const order = [
    `s.${ID}`,
    ...(present.includes(table.stampIndex) ? [`s.${STAMP} DESC NULLS LAST`] : []),
    "s.ctid DESC",
  ].join(", ");
  const upsertWhere = (where: string) =>
    `INSERT INTO ${table.qualified} AS t (${names.join(", ")}) ` +
    `SELECT DISTINCT ON (s.${ID}) ${names.map((n) => `s.${n}`).join(", ")} FROM ${STAGE} s` +
    `${where} ORDER BY ${order} ${conflictClause(table, present)}`;
  const upsertAll = upsertWhere("");
  if (!isDeleted) return { create, copy, direct, upsert: upsertAll, upsertAll, delete: null };
  const upsert = upsertWhere(` WHERE (${isDeleted}) IS NOT TRUE`);

  const at = batch.deletedAtField === null ? -1 : indexOf(batch.deletedAtField);
  const when =
    at >= 0 && staged.includes(at)
      ? `COALESCE(s.${column(at)}::timestamp with time zone, $1::timestamp with time zone)`
      : "$1::timestamp with time zone";
  const remove =
    `INSERT INTO ${table.qualified} AS t (${ID}, ${DELETED_AT}) ` +
    `SELECT DISTINCT ON (s.${ID}) s.${ID}, ${when} FROM ${STAGE} s WHERE ${isDeleted} ` +
    `ORDER BY s.${ID}, 2 DESC ${deletionConflictClause(table.stampIndex >= 0)}`;
  return { create, copy, direct, upsert, upsertAll, delete: remove };
}
