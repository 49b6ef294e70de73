import { ApiError } from "../http/errors.ts";
import { json } from "../http/reply.ts";
import type { Router } from "../http/router.ts";
import { checkSubrequests, runSubrequests } from "./subrequests.ts";

const rest = { kind: "rest", auth: "api" } as const;
/** Salesforce's limits: nodes (subrequests) in one graph, and graphs in one request. */
const MAX_NODES_PER_GRAPH = 500;
const MAX_GRAPHS = 75;

/**
 * Composite Graph (`POST /composite/graph`): several graphs of subrequests, each one its own
 * transaction: a graph succeeds whole or is rolled back whole, without touching the others.
 */
export function registerGraphRoutes(router: Router): void {
  router.add("POST", "/services/data/:version/composite/graph", rest, async (ctx) => {
    const body = await ctx.json<{ graphs?: Array<{ graphId?: unknown; compositeRequest?: unknown }> }>();
    const graphs = body?.graphs;
    if (!Array.isArray(graphs) || graphs.length === 0)
      throw new ApiError(400, "JSON_PARSER_ERROR", 'The body must be {"graphs": [{"graphId", "compositeRequest"}]}.');
    if (graphs.length > MAX_GRAPHS)
      throw new ApiError(400, "LIMIT_EXCEEDED", `A composite graph request can hold at most ${MAX_GRAPHS} graphs.`);
    const ids = new Set<string>();
    for (const graph of graphs) {
      if (typeof graph?.graphId !== "string" || graph.graphId === "")
        throw new ApiError(400, "INVALID_INPUT", "Each graph needs a graphId.");
      if (ids.has(graph.graphId))
        throw new ApiError(400, "INVALID_INPUT", `Duplicate graphId '${graph.graphId}' in the request.`);
      ids.add(graph.graphId);
      checkSubrequests(graph.compositeRequest, `graph ${graph.graphId}: compositeRequest`);
      if (graph.compositeRequest.length > MAX_NODES_PER_GRAPH)
        throw new ApiError(400, "LIMIT_EXCEEDED", `A graph can hold at most ${MAX_NODES_PER_GRAPH} nodes.`);
    }
    const answers = [];
    for (const graph of graphs) {
      checkSubrequests(graph.compositeRequest, "compositeRequest");
      const { responses, failed } = await runSubrequests(router, ctx, graph.compositeRequest, true);
      answers.push({ graphId: graph.graphId, graphResponse: { compositeResponse: responses }, isSuccessful: !failed });
    }
    return json({ graphs: answers });
  });
}
