import type { FunctionExp, Query, FieldType as SelectField, WhereClause } from "@jetstreamapp/soql-parser-js";
import { formatDateTime } from "../clock.ts";
import type { FieldDef, ObjectDef } from "../schema/types.ts";
import type { StoredRecord } from "../store/record-store.ts";
import { type Accumulator, AGGREGATE_FUNCTIONS, accumulator } from "./aggregate-functions.ts";
import { comparable } from "./comparisons.ts";
import { dateFunction } from "./date-functions.ts";
import { resolvePath } from "./field-paths.ts";
import { kindOf, type ValueKind } from "./operands.ts";
import { asList, compileOrderBy, orderRows, type SortKey } from "./order.ts";
import { clauseStart, invalidField, locate, malformedQuery } from "./query-errors.ts";
import type { CompileContext, Getter, Predicate } from "./types.ts";
import { compileBool } from "./where.ts";
import { type Condition, whereTree } from "./where-tree.ts";

/** A GROUP BY expression: a field path or a date function over one. */
interface GroupSpec {
  match: string;
  get: Getter;
  field: FieldDef;
  kind: ValueKind;
  isFunction: boolean;
}

interface AggregateSpec {
  match: string;
  fn: string;
  get: Getter | undefined;
  field: FieldDef | undefined;
}

type Output = { key: string; read: (row: StoredRecord) => unknown };

const normalise = (text: string) => text.replace(/\s+/g, "").toLowerCase();

/** Aggregate functions or GROUP BY make the rows AggregateResult objects. */
export function isAggregateQuery(query: Query): boolean {
  if (query.groupBy !== undefined) return true;
  return (query.fields ?? []).some(
    (f) => f.type === "FieldFunctionExpression" && AGGREGATE_FUNCTIONS.has(f.functionName.toUpperCase()),
  );
}

/** SELECT COUNT(): only a row count is answered. */
export function isCountQuery(query: Query): boolean {
  const fields = query.fields ?? [];
  return (
    fields.length === 1 &&
    fields[0].type === "FieldFunctionExpression" &&
    fields[0].functionName.toUpperCase() === "COUNT" &&
    fields[0].parameters.length === 0
  );
}

export interface AggregateOutcome {
  columns: string[];
  rows: StoredRecord[];
  toJson: (row: StoredRecord) => Record<string, unknown>;
  toCsvRow: (row: StoredRecord) => string[];
}

const rawKey = (kind: "g" | "a", i: number) => `\u0000${kind}${i}`;

function wireOf(field: FieldDef | undefined, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  return field?.type === "datetime" && typeof value === "number" ? formatDateTime(value) : value;
}

/**
 * Groups the filtered rows and computes the aggregates. Output keys follow Salesforce: an alias,
 * else the field name for grouped fields, else expr0, expr1… in select order.
 */
export function runAggregate(
  ctx: CompileContext,
  def: ObjectDef,
  query: Query,
  rows: StoredRecord[],
): AggregateOutcome {
  const alias = query.sObjectAlias;
  const groupFrom = clauseStart(ctx.soql, "GROUP BY");
  const groups: GroupSpec[] = asList(query.groupBy).map((g) => {
    if ("field" in g) {
      const path = resolvePath(ctx, def, g.field, alias, groupFrom);
      if (!path.field.groupable)
        throw invalidField(
          ctx.soql,
          locate(ctx.soql, g.field, groupFrom),
          `field '${path.field.name}' can not be grouped in a query call`,
        );
      return {
        match: path.apiPath.toLowerCase(),
        get: path.get,
        field: path.field,
        kind: kindOf(path.field),
        isFunction: false,
      };
    }
    return dateGroup(ctx, def, alias, g.fn);
  });
  const aggregates: AggregateSpec[] = [];
  const aggregateFor = (
    fn: FunctionExp | { functionName: string; parameters: unknown[]; rawValue?: string },
  ): number => {
    const name = (fn.functionName ?? "").toUpperCase();
    const param = fn.parameters?.[0];
    const match = `${name}(${typeof param === "string" ? normalise(param) : ""})`;
    const found = aggregates.findIndex((a) => a.match === match);
    if (found >= 0) return found;
    let get: Getter | undefined;
    let field: FieldDef | undefined;
    if (typeof param === "string") {
      const path = resolvePath(ctx, def, param, alias);
      get = path.get;
      field = path.field;
    }
    aggregates.push({ match, fn: name, get, field });
    return aggregates.length - 1;
  };

  const outputs: Output[] = [];
  let expr = 0;
  for (const f of query.fields ?? [])
    outputs.push(outputFor(ctx, def, alias, f, groups, aggregates, aggregateFor, () => `expr${expr++}`));

  const having = compileHaving(ctx, query.having, def, alias, groups, aggregates, aggregateFor);
  // Without ORDER BY, groups come sorted by their values, as Salesforce's sort-based grouping gives them.
  const defaultKeys: SortKey[] = groups.map((g, i) => ({
    get: (r) => r[rawKey("g", i)] ?? null,
    norm: comparable(g.kind),
    desc: false,
    nullsFirst: true,
    isId: false,
  }));
  const sortKeys =
    query.orderBy === undefined
      ? defaultKeys
      : compileOrderBy(query.orderBy, (c) => {
          if ("fn" in c) {
            const i = aggregateFor(c.fn);
            return {
              get: (r) => r[rawKey("a", i)] ?? null,
              kind: aggregates[i].field ? kindOf(aggregates[i].field!) : "number",
              isId: false,
            };
          }
          const i = groups.findIndex((g) => g.match === pathMatch(ctx, def, alias, c.field));
          if (i < 0)
            throw malformedQuery(
              ctx.soql,
              locate(ctx.soql, c.field, clauseStart(ctx.soql, "ORDER BY")),
              "Ordered field must be grouped or aggregated",
            );
          return { get: (r) => r[rawKey("g", i)] ?? null, kind: groups[i].kind, isId: false };
        });

  let result = orderRows(
    aggregateRows(rows, groups, aggregates, outputs).filter((r) => !having || having(r)),
    sortKeys,
    undefined,
  );
  const offset = query.offset ?? 0;
  if (offset > 0 || query.limit !== undefined)
    result = result.slice(offset, query.limit === undefined ? undefined : offset + query.limit);
  const columns = outputs.map((o) => o.key);
  return {
    columns,
    rows: result,
    toJson: (row) => {
      const out: Record<string, unknown> = { attributes: { type: "AggregateResult" } };
      for (const c of columns) out[c] = row[c] ?? null;
      return out;
    },
    toCsvRow: (row) => columns.map((c) => (row[c] === null || row[c] === undefined ? "" : String(row[c]))),
  };
}

function pathMatch(ctx: CompileContext, def: ObjectDef, alias: string | undefined, field: string): string {
  return resolvePath(ctx, def, field, alias).apiPath.toLowerCase();
}

function dateGroup(ctx: CompileContext, def: ObjectDef, alias: string | undefined, fn: FunctionExp): GroupSpec {
  const param = fn.parameters?.[0];
  const at = locate(ctx.soql, fn.functionName ?? "", clauseStart(ctx.soql, "GROUP BY"));
  if (typeof param !== "string")
    throw invalidField(ctx.soql, at, `Invalid function: ${fn.rawValue ?? fn.functionName}`);
  const path = resolvePath(ctx, def, param, alias);
  const dateFn = dateFunction(fn.functionName ?? "", path.field);
  if (!dateFn) throw invalidField(ctx.soql, at, `Invalid function: ${fn.rawValue ?? fn.functionName}`);
  const get = path.get;
  return {
    match: normalise(fn.rawValue ?? ""),
    get: (r) => dateFn(get(r)),
    field: path.field,
    kind: "number",
    isFunction: true,
  };
}

function outputFor(
  ctx: CompileContext,
  def: ObjectDef,
  alias: string | undefined,
  f: SelectField,
  groups: GroupSpec[],
  aggregates: AggregateSpec[],
  aggregateFor: (fn: FunctionExp) => number,
  nextExpr: () => string,
): Output {
  if (f.type === "FieldFunctionExpression") {
    const name = f.functionName.toUpperCase();
    if (AGGREGATE_FUNCTIONS.has(name)) {
      const i = aggregateFor(f);
      const key = f.alias ?? nextExpr();
      // MIN and MAX keep the field's type, so datetimes show in the wire format.
      const field = name === "MIN" || name === "MAX" ? aggregates[i].field : undefined;
      return { key, read: (r) => wireOf(field, r[rawKey("a", i)]) };
    }
    const g = groups.findIndex((x) => x.isFunction && x.match === normalise(f.rawValue ?? ""));
    if (g < 0)
      throw malformedQuery(
        ctx.soql,
        locate(ctx.soql, f.functionName),
        `Field must be grouped or aggregated: ${f.rawValue ?? name}`,
      );
    return { key: f.alias ?? nextExpr(), read: (r) => r[rawKey("g", g)] };
  }
  if (f.type === "Field" || f.type === "FieldRelationship") {
    const raw = f.type === "Field" ? f.field : (f.rawValue ?? [...f.relationships, f.field].join("."));
    const path = resolvePath(ctx, def, raw, alias);
    const g = groups.findIndex((x) => !x.isFunction && x.match === path.apiPath.toLowerCase());
    if (g < 0)
      throw malformedQuery(ctx.soql, locate(ctx.soql, raw), `Field must be grouped or aggregated: ${path.field.name}`);
    const key = ("alias" in f && f.alias) || path.field.name;
    return { key, read: (r) => wireOf(path.field, r[rawKey("g", g)]) };
  }
  throw malformedQuery(ctx.soql, -1, "Aggregate queries do not support this select item");
}

function aggregateRows(
  rows: StoredRecord[],
  groups: GroupSpec[],
  aggregates: AggregateSpec[],
  outputs: Output[],
): StoredRecord[] {
  const byKey = new Map<unknown, { values: unknown[]; accs: Accumulator[] }>();
  const fresh = (values: unknown[]) => ({
    values,
    accs: aggregates.map((a) => accumulator(a.fn, a.get === undefined)),
  });
  // Without GROUP BY there is always exactly one row, even over no records (COUNT(Id) = 0).
  if (groups.length === 0) byKey.set("", fresh([]));
  const single = groups.length === 1 ? groups[0] : undefined;
  for (const r of rows) {
    // One GROUP BY expression (the usual case) keys the map by the value itself, no string built.
    const values = single || groups.length === 0 ? undefined : groups.map((g) => g.get(r));
    const key = single
      ? single.get(r)
      : values
        ? values.map((v) => (v === null ? "\u0001" : `${typeof v}:${String(v)}`)).join("\u0000")
        : "";
    let group = byKey.get(key);
    if (!group) {
      group = fresh(values ?? [key]);
      byKey.set(key, group);
    }
    for (let i = 0; i < aggregates.length; i++) group.accs[i].add(aggregates[i].get ? aggregates[i].get!(r) : 1);
  }
  const out: StoredRecord[] = [];
  for (const { values, accs } of byKey.values()) {
    const row: StoredRecord = { Id: "" };
    values.forEach((v, i) => {
      row[rawKey("g", i)] = v;
    });
    accs.forEach((acc, i) => {
      row[rawKey("a", i)] = acc.result();
    });
    for (const o of outputs) row[o.key] = o.read(row);
    out.push(row);
  }
  return out;
}

function compileHaving(
  ctx: CompileContext,
  having: Query["having"],
  def: ObjectDef,
  alias: string | undefined,
  groups: GroupSpec[],
  aggregates: AggregateSpec[],
  aggregateFor: (fn: FunctionExp) => number,
): Predicate | undefined {
  if (!having) return undefined;
  const from = clauseStart(ctx.soql, "HAVING");
  return compileBool(ctx, whereTree(having as WhereClause, ctx.soql), (cond: Condition) => {
    if ("fn" in cond && cond.fn) {
      const i = aggregateFor(cond.fn);
      const a = aggregates[i];
      const kind: ValueKind = (a.fn === "MIN" || a.fn === "MAX") && a.field ? kindOf(a.field) : "number";
      const label = cond.fn.rawValue ?? a.fn;
      return {
        get: (r) => r[rawKey("a", i)] ?? null,
        kind,
        intField: a.fn.startsWith("COUNT"),
        site: { label, at: locate(ctx.soql, a.fn, from) },
      };
    }
    const field = (cond as { field: string }).field;
    const g = groups.findIndex((x) => x.match === pathMatch(ctx, def, alias, field));
    if (g < 0)
      throw malformedQuery(ctx.soql, locate(ctx.soql, field, from), `Field must be grouped or aggregated: ${field}`);
    return {
      get: (r) => r[rawKey("g", g)] ?? null,
      kind: groups[g].kind,
      intField: false,
      site: { label: field, at: locate(ctx.soql, field, from) },
    };
  });
}
