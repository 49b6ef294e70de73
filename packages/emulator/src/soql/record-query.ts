import type { OrderByClause, QueryBase, Subquery } from "@jetstreamapp/soql-parser-js";
import type { ObjectDef } from "../schema/types.ts";
import type { StoredRecord } from "../store/record-store.ts";
import { resolvePath } from "./field-paths.ts";
import { kindOf } from "./operands.ts";
import { compileOrderBy, orderRows, type SortKey, type SortTarget } from "./order.ts";
import { type ChildColumn, csvProjection, jsonProjection } from "./projection.ts";
import { clauseStart, invalidField, locate, malformedQuery, unknownChildRelationship } from "./query-errors.ts";
import { type SelectEntry, selectEntries } from "./select-list.ts";
import { scanRows, sourceRows } from "./source-rows.ts";
import type { CompileContext, Predicate } from "./types.ts";
import { compileWhere } from "./where.ts";

/** A compiled non-aggregate (sub)query: everything resolved, ready to run over rows. */
export interface RecordQuery {
  def: ObjectDef;
  columns: string[];
  where: Predicate | undefined;
  sortKeys: SortKey[];
  offset: number;
  limit: number | undefined;
  hasSubquery: boolean;
  toJson: (record: StoredRecord) => Record<string, unknown>;
  toCsvRow: (record: StoredRecord) => string[];
}

function sortTarget(ctx: CompileContext, def: ObjectDef, alias: string | undefined, clause: OrderByClause): SortTarget {
  const from = clauseStart(ctx.soql, "ORDER BY");
  if (!("field" in clause)) {
    throw malformedQuery(
      ctx.soql,
      locate(ctx.soql, clause.fn.functionName ?? "", from),
      "Ordered field must be grouped or aggregated",
    );
  }
  const path = resolvePath(ctx, def, clause.field, alias, from);
  if (!path.field.sortable) {
    throw invalidField(
      ctx.soql,
      locate(ctx.soql, clause.field, from),
      `field '${path.field.name}' can not be sorted in a query call`,
    );
  }
  return { get: path.get, kind: kindOf(path.field), isId: path.hops.length === 0 && path.field.type === "id" };
}

export function compileRecordQuery(ctx: CompileContext, def: ObjectDef, query: QueryBase): RecordQuery {
  const alias = query.sObjectAlias;
  const entries = selectEntries(ctx, def, alias, query.fields ?? []);
  const children = new Map<SelectEntry, ChildColumn>();
  for (const e of entries) if (e.kind === "subquery") children.set(e, compileChild(ctx, def, e.subquery));
  return {
    def,
    columns: entries.flatMap((e) => (e.kind === "field" ? [e.path.hops.length ? e.path.apiPath : e.key] : [])),
    where: compileWhere(ctx, def, alias, query.where),
    sortKeys: compileOrderBy(query.orderBy, (c) => sortTarget(ctx, def, alias, c)),
    offset: query.offset ?? 0,
    limit: query.limit,
    hasSubquery: children.size > 0,
    toJson: jsonProjection(ctx, def, entries, children),
    toCsvRow: csvProjection(entries),
  };
}

/** Filters, orders and pages rows of a compiled query. */
export function runRecordQuery(ctx: CompileContext, plan: RecordQuery, rows?: StoredRecord[]): StoredRecord[] {
  const keep = plan.limit === undefined ? undefined : plan.offset + plan.limit;
  const matched = rows ?? scanRows(ctx, plan.def, plan.where, plan.sortKeys.length === 0 ? keep : undefined);
  const ordered = orderRows(matched, plan.sortKeys, keep);
  if (plan.offset === 0 && (keep === undefined || keep >= ordered.length)) return ordered;
  return ordered.slice(plan.offset, keep);
}

/**
 * A parent-to-child subquery. Children are grouped by parent once, on first use, so projecting a
 * page costs one map lookup per parent.
 */
function compileChild(ctx: CompileContext, parentDef: ObjectDef, subquery: Subquery): ChildColumn {
  const wanted = subquery.relationshipName.toLowerCase();
  const relationship = parentDef.childRelationships.find((c) => c.relationshipName.toLowerCase() === wanted);
  const childDef = relationship ? ctx.view.object(relationship.childSObject, ctx.options.api) : undefined;
  if (!relationship || !childDef) {
    throw unknownChildRelationship(
      ctx.soql,
      locate(ctx.soql, subquery.relationshipName, clauseStart(ctx.soql, "FROM")),
      subquery.relationshipName,
    );
  }
  const plan = compileRecordQuery(ctx, childDef, subquery);
  const foreignKey = relationship.field;
  let byParent: Map<string, StoredRecord[]> | undefined;
  const group = () => {
    const groups = new Map<string, StoredRecord[]>();
    const includeDeleted = ctx.options.includeDeleted;
    for (const r of sourceRows(ctx, childDef)) {
      const parentId = r[foreignKey];
      if (typeof parentId !== "string" || (!includeDeleted && r.IsDeleted === true)) continue;
      if (plan.where && !plan.where(r)) continue;
      const list = groups.get(parentId);
      if (list) list.push(r);
      else groups.set(parentId, [r]);
    }
    for (const [id, list] of groups) groups.set(id, runRecordQuery(ctx, plan, list));
    return groups;
  };
  return {
    key: relationship.relationshipName,
    value: (parent) => {
      byParent ??= group();
      const rows = byParent.get(parent.Id);
      if (!rows || rows.length === 0) return null;
      return { totalSize: rows.length, done: true, records: rows.map(plan.toJson) };
    },
  };
}
