import type { RequestContext } from "../http/context.ts";
import { ApiError } from "../http/errors.ts";
import { dispatchInternal } from "../http/internal-dispatch.ts";
import { json } from "../http/reply.ts";
import type { Router } from "../http/router.ts";
import { apiVersion } from "./discovery-routes.ts";
import { checkSubrequests, runSubrequests, type Subrequest } from "./subrequests.ts";

const rest = { kind: "rest", auth: "api" } as const;
const MAX_SUBREQUESTS = 25;
const MAX_QUERY_OR_COLLECTION = 5;

function isQueryOrCollection(sub: Subrequest): boolean {
  return /\/(query|queryAll)\b|\/composite\/sobjects/.test(sub.url);
}

export function registerCompositeRoutes(router: Router): void {
  router.add("POST", "/services/data/:version/composite", rest, async (ctx) => {
    const body = await ctx.json<{ allOrNone?: boolean; compositeRequest?: unknown }>();
    const subs = body?.compositeRequest;
    checkSubrequests(subs, "compositeRequest");
    if (subs.length > MAX_SUBREQUESTS)
      throw new ApiError(400, "LIMIT_EXCEEDED", `Maximum number of subrequests allowed is ${MAX_SUBREQUESTS}`);
    if (subs.filter(isQueryOrCollection).length > MAX_QUERY_OR_COLLECTION) {
      throw new ApiError(
        400,
        "LIMIT_EXCEEDED",
        `At most ${MAX_QUERY_OR_COLLECTION} subrequests may be queries or sObject Collections`,
      );
    }
    const { responses } = await runSubrequests(router, ctx, subs, body.allOrNone === true);
    return json({ compositeResponse: responses });
  });

  router.add("POST", "/services/data/:version/composite/batch", rest, async (ctx) => {
    const body = await ctx.json<{
      batchRequests?: Array<{ method: string; url: string; richInput?: unknown }>;
      haltOnError?: boolean;
    }>();
    const reqs = body?.batchRequests;
    if (!Array.isArray(reqs) || reqs.length === 0)
      throw new ApiError(400, "JSON_PARSER_ERROR", "batchRequests: an array of {method, url, richInput} is required");
    if (reqs.length > MAX_SUBREQUESTS)
      throw new ApiError(400, "LIMIT_EXCEEDED", `Maximum number of subrequests allowed is ${MAX_SUBREQUESTS}`);
    const version = apiVersion(ctx.params.version);
    const results: Array<{ statusCode: number; result: unknown }> = [];
    let hasErrors = false;
    // Unlike /composite, each subrequest of a batch counts against the API limits: the call itself
    // was counted as the first.
    ctx.org.apiUsage.count(reqs.length - 1);
    for (const r of reqs) {
      if (hasErrors && body.haltOnError) {
        results.push({
          statusCode: 412,
          result: [{ errorCode: "BATCH_PROCESSING_HALTED", message: "Batch processing halted per request" }],
        });
        continue;
      }
      const url = r.url.startsWith("/services/data")
        ? r.url
        : `/services/data/${r.url.startsWith("v") ? r.url : `v${version}/${r.url.replace(/^\//, "")}`}`;
      const answer = await dispatchInternal(router, ctx as RequestContext, r.method, url, r.richInput);
      if (answer.status >= 400) hasErrors = true;
      results.push({ statusCode: answer.status, result: answer.status === 204 ? null : answer.body });
    }
    return json({ hasErrors, results });
  });
}
