import type { LiteralType, WhereClause } from "@jetstreamapp/soql-parser-js";
import type { ObjectDef } from "../schema/types.ts";
import { comparePredicate, includesPredicate, inPredicate, likePredicate, not } from "./comparisons.ts";
import { dateFunction, dateFunctionResultType } from "./date-functions.ts";
import { resolvePath } from "./field-paths.ts";
import { likeRegex, unquote } from "./literals.ts";
import { type ConditionSite, coerceOperand, kindOf, type ValueKind } from "./operands.ts";
import { clauseStart, invalidField, invalidFilterOperator, locate } from "./query-errors.ts";
import type { CompileContext, Getter, Predicate } from "./types.ts";
import { type BoolNode, type Condition, whereTree } from "./where-tree.ts";

/** Compiles a WHERE clause into one predicate closure, resolved and type-checked up front. */
export function compileWhere(
  ctx: CompileContext,
  def: ObjectDef,
  alias: string | undefined,
  where: WhereClause | undefined,
): Predicate | undefined {
  if (!where) return undefined;
  return compileBool(ctx, whereTree(where, ctx.soql), (cond) => conditionTarget(ctx, def, alias, cond));
}

/** The left side of a condition, resolved: how to read it from a row and how to compare it. */
export type TargetResolver = (cond: Condition) => ConditionTarget;

export function compileBool(ctx: CompileContext, node: BoolNode, targetOf: TargetResolver): Predicate {
  if (node.kind === "cond") return compileCondition(ctx, targetOf(node.cond), node.cond);
  if (node.kind === "not") return not(compileBool(ctx, node.item, targetOf));
  const parts = node.items.map((n) => compileBool(ctx, n, targetOf));
  if (node.kind === "and") {
    if (parts.length === 2) {
      const [a, b] = parts;
      return (r) => a(r) && b(r);
    }
    return (r) => {
      for (const p of parts) if (!p(r)) return false;
      return true;
    };
  }
  if (parts.length === 2) {
    const [a, b] = parts;
    return (r) => a(r) || b(r);
  }
  return (r) => {
    for (const p of parts) if (p(r)) return true;
    return false;
  };
}

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export interface ConditionTarget {
  get: Getter;
  kind: ValueKind;
  intField: boolean;
  site: ConditionSite;
}

/** The left side of a condition: a field path, or a date function over one. */
function conditionTarget(
  ctx: CompileContext,
  def: ObjectDef,
  alias: string | undefined,
  cond: Condition,
): ConditionTarget {
  const from = clauseStart(ctx.soql, "WHERE");
  if ("fn" in cond && cond.fn) {
    const fnName = cond.fn.functionName ?? "";
    const param = cond.fn.parameters?.[0];
    const at = locate(ctx.soql, fnName, from);
    if (typeof param !== "string") throw invalidField(ctx.soql, at, `Invalid function: ${cond.fn.rawValue ?? fnName}`);
    const path = resolvePath(ctx, def, param, alias, from);
    const fn = dateFunction(fnName, path.field);
    if (!fn) throw invalidField(ctx.soql, at, `Invalid function: ${cond.fn.rawValue ?? fnName}`);
    const get = path.get;
    const kind: ValueKind = dateFunctionResultType(fnName) === "date" ? "date" : "number";
    return {
      get: (r) => fn(get(r)),
      kind,
      intField: kind === "number",
      site: { label: cond.fn.rawValue ?? fnName, at },
    };
  }
  const fieldText = (cond as { field: string }).field;
  const path = resolvePath(ctx, def, fieldText, alias, from);
  const at = locate(ctx.soql, fieldText, from);
  if (!path.field.filterable)
    throw invalidField(ctx.soql, at, `field '${path.field.name}' can not be filtered in a query call`);
  return {
    get: path.get,
    kind: kindOf(path.field),
    intField: path.field.type === "int",
    site: { label: path.field.name, at },
  };
}

function compileCondition(ctx: CompileContext, target: ConditionTarget, cond: Condition): Predicate {
  const { get, kind, site } = target;
  const op = cond.operator.toUpperCase();
  if ("valueQuery" in cond && cond.valueQuery) {
    const values = ctx.semiJoin(cond.valueQuery, site.at);
    const inSet: Predicate = (r) => {
      const v = get(r);
      return v !== null && values.has(v);
    };
    return op === "NOT IN" ? not(inSet) : inSet;
  }
  const values = asArray((cond as { value?: string | string[] }).value);
  const types = asArray((cond as { literalType?: LiteralType | LiteralType[] }).literalType);
  const dateNs = asArray((cond as { dateLiteralVariable?: number | number[] }).dateLiteralVariable);
  const typeAt = (i: number) => types[i] ?? types[0];
  const operand = (i: number) =>
    coerceOperand(ctx, site, kind, target.intField, typeAt(i), values[i], dateNs[i] ?? undefined);

  if (op === "IN" || op === "NOT IN") {
    const p = inPredicate(
      get,
      kind,
      values.map((_, i) => operand(i)),
    );
    return op === "IN" ? p : not(p);
  }
  if (op === "LIKE") {
    if (kind !== "text" && kind !== "id")
      throw invalidFilterOperator(ctx.soql, site.at, `invalid operator on field: ${site.label}`);
    if (typeAt(0) !== "STRING") throw invalidFilterOperator(ctx.soql, site.at, `LIKE operator requires a string value`);
    return likePredicate(get, likeRegex(values[0]));
  }
  if (op === "INCLUDES" || op === "EXCLUDES") {
    if (kind !== "multi") {
      throw invalidFilterOperator(ctx.soql, site.at, "includes or excludes operator only valid on multipicklist field");
    }
    const p = includesPredicate(
      get,
      values.map((v) => unquote(v)),
    );
    return op === "INCLUDES" ? p : not(p);
  }
  return comparePredicate(get, kind, op, operand(0));
}
