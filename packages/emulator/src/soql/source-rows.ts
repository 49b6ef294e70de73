import { SYSTEM_PERMISSIONS } from "../schema/setup-objects.ts";
import type { ObjectDef } from "../schema/types.ts";
import type { StoredRecord } from "../store/record-store.ts";
import type { CompileContext, Predicate } from "./types.ts";

/** UserPermissionAccess has no table: its one row is the running user's effective system permissions. */
function userPermissionAccessRow(ctx: CompileContext): StoredRecord {
  const granted = ctx.org.userAccess(ctx.userId).system;
  const row: StoredRecord = { Id: "" };
  for (const p of SYSTEM_PERMISSIONS) row[`Permissions${p}`] = granted.has(p);
  return row;
}

/** Every stored row of the object, recycle bin included, in Id order. */
export function sourceRows(ctx: CompileContext, def: ObjectDef): Iterable<StoredRecord> {
  if (def.name === "UserPermissionAccess") return [userPermissionAccessRow(ctx)];
  return ctx.org.store.table(def.name)?.rows.values() ?? [];
}

/**
 * Rows passing the filter, recycled rows only for queryAll. `stopAfter` ends the scan early when
 * nothing reorders the rows (LIMIT without ORDER BY).
 */
export function scanRows(
  ctx: CompileContext,
  def: ObjectDef,
  where: Predicate | undefined,
  stopAfter = Number.POSITIVE_INFINITY,
): StoredRecord[] {
  const out: StoredRecord[] = [];
  if (stopAfter <= 0) return out;
  const includeDeleted = ctx.options.includeDeleted;
  for (const r of sourceRows(ctx, def)) {
    if (!includeDeleted && r.IsDeleted === true) continue;
    if (where !== undefined && !where(r)) continue;
    if (out.push(r) >= stopAfter) break;
  }
  return out;
}
