import type { Query } from "@jetstreamapp/soql-parser-js";
import type { Org } from "../org/org.ts";
import { SchemaView } from "../org/visibility.ts";
import type { ObjectDef } from "../schema/types.ts";
import { isAggregateQuery, isCountQuery, runAggregate } from "./aggregate.ts";
import { resolvePath } from "./field-paths.ts";
import { parseSoql } from "./parse.ts";
import { clauseStart, invalidType, locate, malformedQuery, offsetOutOfRange, queryTimeout } from "./query-errors.ts";
import { compileRecordQuery, runRecordQuery } from "./record-query.ts";
import { usesUnboundedFields } from "./select-list.ts";
import { scanRows } from "./source-rows.ts";
import type { CompileContext, SoqlOptions, SoqlResult } from "./types.ts";
import { compileWhere } from "./where.ts";

const MAX_OFFSET = 2000;
const MAX_FIELDS_LIMIT = 200;

/**
 * Runs one SOQL query as a user: parse, resolve every name against what the user can see,
 * compile to closures, then scan. Throws ApiError with Salesforce's codes and messages.
 */
export function executeSoql(org: Org, userId: string, soql: string, options: SoqlOptions): SoqlResult {
  if (org.faults.take("queryTimeout")) throw queryTimeout();
  const query = parseSoql(soql);
  const ctx: CompileContext = {
    org,
    view: new SchemaView(org, userId),
    userId,
    soql,
    options,
    now: org.clock.now(),
    semiJoin: (inner, at) => semiJoinValues(ctx, inner, at),
  };
  return runQuery(ctx, query);
}

/** The FROM object, or INVALID_TYPE when it does not exist for this user. */
export function fromObject(ctx: CompileContext, query: Query): ObjectDef {
  const name = query.sObject ?? "";
  const def = ctx.view.object(name, ctx.options.api);
  if (!def) throw invalidType(ctx.soql, locate(ctx.soql, name, clauseStart(ctx.soql, "FROM")), name);
  return def;
}

function checkLimits(ctx: CompileContext, query: Query): void {
  if ((query.offset ?? 0) > MAX_OFFSET) throw offsetOutOfRange();
  if (usesUnboundedFields(query.fields) && (query.limit === undefined || query.limit > MAX_FIELDS_LIMIT)) {
    throw malformedQuery(
      ctx.soql,
      locate(ctx.soql, "FIELDS"),
      `The SOQL FIELDS function must have a LIMIT of at most ${MAX_FIELDS_LIMIT}`,
    );
  }
}

function runQuery(ctx: CompileContext, query: Query): SoqlResult {
  const def = fromObject(ctx, query);
  checkLimits(ctx, query);
  const base = { def, hasOffset: query.offset !== undefined };

  if (isCountQuery(query)) {
    const matched = scanRows(ctx, def, compileWhere(ctx, def, query.sObjectAlias, query.where));
    const afterOffset = Math.max(0, matched.length - (query.offset ?? 0));
    const totalSize = query.limit === undefined ? afterOffset : Math.min(afterOffset, query.limit);
    return {
      ...base,
      columns: [],
      records: [],
      totalSize,
      isCount: true,
      aggregate: false,
      hasSubquery: false,
      toJson: () => ({}),
      toCsvRow: () => [],
    };
  }

  if (isAggregateQuery(query)) {
    const matched = scanRows(ctx, def, compileWhere(ctx, def, query.sObjectAlias, query.where));
    const outcome = runAggregate(ctx, def, query, matched);
    return {
      ...base,
      columns: outcome.columns,
      records: outcome.rows,
      totalSize: outcome.rows.length,
      isCount: false,
      aggregate: true,
      hasSubquery: false,
      toJson: outcome.toJson,
      toCsvRow: outcome.toCsvRow,
    };
  }

  const plan = compileRecordQuery(ctx, def, query);
  const records = runRecordQuery(ctx, plan);
  return {
    ...base,
    columns: plan.columns,
    records,
    totalSize: records.length,
    isCount: false,
    aggregate: false,
    hasSubquery: plan.hasSubquery,
    toJson: plan.toJson,
    toCsvRow: plan.toCsvRow,
  };
}

/** `X IN (SELECT Y FROM Z …)`: the values of Y over Z's matching rows, computed once. */
function semiJoinValues(ctx: CompileContext, inner: Query, at: number): Set<unknown> {
  const def = fromObject(ctx, inner);
  const fields = inner.fields ?? [];
  const only = fields[0];
  if (fields.length !== 1 || (only.type !== "Field" && only.type !== "FieldRelationship")) {
    throw malformedQuery(ctx.soql, at, "The inner select field of a semi-join or anti-join must be a single field");
  }
  const raw = only.type === "Field" ? only.field : (only.rawValue ?? [...only.relationships, only.field].join("."));
  const path = resolvePath(ctx, def, raw, inner.sObjectAlias);
  const rows = scanRows(ctx, def, compileWhere(ctx, def, inner.sObjectAlias, inner.where));
  const values = new Set<unknown>();
  for (const r of rows) {
    const v = path.get(r);
    if (v !== null) values.add(v);
  }
  return values;
}
