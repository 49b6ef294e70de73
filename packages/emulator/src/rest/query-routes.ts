import type { RequestContext } from "../http/context.ts";
import { ApiError } from "../http/errors.ts";
import { json, type Reply } from "../http/reply.ts";
import type { Router } from "../http/router.ts";
import { executeSoql } from "../soql/execute.ts";
import { batchSizeOf, DEFAULT_BATCH_SIZE, firstPage, nextPageBody } from "../soql/query-pages.ts";

const rest = { kind: "rest", auth: "api" } as const;
const tooling = { kind: "tooling", auth: "api" } as const;

type Origin = "query" | "queryAll" | "tooling";

function versionOf(ctx: RequestContext): string {
  return (ctx.params.version ?? "v67.0").slice(1);
}

function batchHint(ctx: RequestContext): number | undefined {
  return batchSizeOf(ctx.header("sforce-query-options"));
}

/** queryAll's nextRecordsUrl path is an open question, so it is an org setting. */
function locatorPath(ctx: RequestContext, origin: Origin): string {
  if (origin === "tooling") return "tooling/query";
  if (origin === "queryAll" && ctx.org.settings.queryAllLocatorPath === "queryAll") return "queryAll";
  return "query";
}

function runQuery(ctx: RequestContext, origin: Origin): Reply {
  const soql = ctx.query("q");
  const version = versionOf(ctx);
  if (soql === undefined) {
    const explain = ctx.query("explain");
    if (explain !== undefined && origin === "query") return json(explainPlan(ctx, explain, version));
    throw new ApiError(400, "MALFORMED_QUERY", "A query string has to be specified");
  }
  const result = executeSoql(ctx.org, ctx.userId, soql, {
    includeDeleted: origin === "queryAll",
    api: origin === "tooling" ? "tooling" : "data",
    version,
  });
  return json(
    firstPage(ctx.org, ctx.userId, result, batchHint(ctx) ?? DEFAULT_BATCH_SIZE, locatorPath(ctx, origin), version),
  );
}

function morePages(ctx: RequestContext): Reply {
  return {
    status: 200,
    body: nextPageBody(ctx.org, ctx.userId, ctx.params.locator, batchHint(ctx), versionOf(ctx)),
    headers: { "content-type": "application/json;charset=UTF-8" },
  };
}

/** A plausible plan for jsforce's explain(): every emulated query is a table scan. */
function explainPlan(ctx: RequestContext, soql: string, version: string) {
  const result = executeSoql(ctx.org, ctx.userId, soql, { includeDeleted: false, api: "data", version });
  const sobjectCardinality = ctx.org.store.table(result.def.name)?.size ?? 0;
  const cardinality = result.isCount ? result.totalSize : result.records.length;
  return {
    plans: [
      {
        cardinality,
        fields: [],
        leadingOperationType: "TableScan",
        notes: [
          {
            description: "Not considering filter for optimization because unindexed",
            fields: ["IsDeleted"],
            tableEnumOrId: result.def.name,
          },
        ],
        relativeCost: Math.round((0.5 + cardinality / Math.max(1, sobjectCardinality)) * 1000) / 1000,
        sobjectCardinality,
        sobjectType: result.def.name,
      },
    ],
    sourceQuery: soql,
  };
}

/** REST /query, /queryAll and Tooling /query, with their locator pages. */
export function registerQueryRoutes(router: Router): void {
  router.add("GET", "/services/data/:version/query", rest, (ctx) => runQuery(ctx, "query"));
  router.add("GET", "/services/data/:version/queryAll", rest, (ctx) => runQuery(ctx, "queryAll"));
  // jsforce rebuilds next-page URLs as /query/<locator> whatever created them: serve both paths.
  router.add("GET", "/services/data/:version/query/:locator", rest, morePages);
  router.add("GET", "/services/data/:version/queryAll/:locator", rest, morePages);
  router.add("GET", "/services/data/:version/tooling/query", tooling, (ctx) => runQuery(ctx, "tooling"));
  router.add("GET", "/services/data/:version/tooling/query/:locator", tooling, morePages);
}
