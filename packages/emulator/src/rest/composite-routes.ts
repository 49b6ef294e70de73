import type { RequestContext } from "../http/context.ts";
import { ApiError } from "../http/errors.ts";
import { dispatchInternal } from "../http/internal-dispatch.ts";
import { json } from "../http/reply.ts";
import type { Router } from "../http/router.ts";
import { apiVersion } from "./discovery-routes.ts";

const rest = { kind: "rest", auth: "api" } as const;
const MAX_SUBREQUESTS = 25;
const MAX_QUERY_OR_COLLECTION = 5;

interface Subrequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
  httpHeaders?: Record<string, string>;
}

const PROCESSING_HALTED = [
  {
    errorCode: "PROCESSING_HALTED",
    message: "The transaction was rolled back since another operation in the same transaction failed.",
  },
];

/** Reads `refId.path.to[0].value` out of earlier subrequest results. */
export function resolveReference(expression: string, results: Map<string, unknown>): unknown {
  const [refId, ...rest] = expression.split(".");
  if (!results.has(refId))
    throw new ApiError(
      400,
      "INVALID_REFERENCE",
      `Invalid reference specified. No value for ${expression} found in ${refId}.`,
    );
  let value: unknown = results.get(refId);
  for (const part of rest
    .join(".")
    .split(/\.|\[(\d+)\]/)
    .filter((p) => p !== undefined && p !== "")) {
    value = value == null ? undefined : (value as Record<string, unknown>)[part];
  }
  if (value === undefined)
    throw new ApiError(
      400,
      "INVALID_REFERENCE",
      `Invalid reference specified. No value for ${expression} found in ${refId}.`,
    );
  return value;
}

/** Replaces every `@{ref.path}` in a URL or body with the value it points at. */
export function substitute<T>(input: T, results: Map<string, unknown>): T {
  if (input === undefined || input === null) return input;
  const text = typeof input === "string" ? input : JSON.stringify(input);
  const replaced = text.replace(/@\{([^}]+)\}/g, (_m, expr: string) => String(resolveReference(expr, results)));
  return (typeof input === "string" ? replaced : JSON.parse(replaced)) as T;
}

function isQueryOrCollection(sub: Subrequest): boolean {
  return /\/(query|queryAll)\b|\/composite\/sobjects/.test(sub.url);
}

/** A collection write: create, update, upsert or delete through /composite/sobjects. */
function isCollectionWrite(method: string, url: string): boolean {
  return method.toUpperCase() !== "GET" && /\/composite\/sobjects(\/[^/?]+\/[^/?]+)?(\?|$)/.test(url);
}

/**
 * With allOrNone on the composite call, each collection subrequest is all-or-none too, whatever
 * its own flag says (Salesforce: the outer flag overrides the inner ones).
 */
function allOrNoneCollection(method: string, url: string, body: unknown): { url: string; body: unknown } {
  if (!isCollectionWrite(method, url)) return { url, body };
  if (method.toUpperCase() === "DELETE") {
    const [path, query = ""] = url.split("?");
    const params = new URLSearchParams(query);
    params.set("allOrNone", "true");
    return { url: `${path}?${params.toString()}`, body };
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) return { url, body };
  return { url, body: { ...(body as Record<string, unknown>), allOrNone: true } };
}

/** A collection answer in which a record failed: under allOrNone, the composite call fails. */
function recordFailed(answer: { status: number; body: unknown }): boolean {
  return (
    answer.status < 400 &&
    Array.isArray(answer.body) &&
    answer.body.some((r) => r !== null && typeof r === "object" && (r as { success?: unknown }).success === false)
  );
}

export function registerCompositeRoutes(router: Router): void {
  router.add("POST", "/services/data/:version/composite", rest, async (ctx) => {
    const body = await ctx.json<{ allOrNone?: boolean; compositeRequest?: Subrequest[] }>();
    const subs = body?.compositeRequest;
    if (!Array.isArray(subs) || subs.length === 0) {
      throw new ApiError(
        400,
        "JSON_PARSER_ERROR",
        "compositeRequest: an array of {method, url, referenceId, body} is required",
      );
    }
    if (subs.length > MAX_SUBREQUESTS)
      throw new ApiError(400, "LIMIT_EXCEEDED", `Maximum number of subrequests allowed is ${MAX_SUBREQUESTS}`);
    if (subs.filter(isQueryOrCollection).length > MAX_QUERY_OR_COLLECTION) {
      throw new ApiError(
        400,
        "LIMIT_EXCEEDED",
        `At most ${MAX_QUERY_OR_COLLECTION} subrequests may be queries or sObject Collections`,
      );
    }
    for (const s of subs) {
      if (!s || typeof s.method !== "string" || typeof s.url !== "string" || typeof s.referenceId !== "string") {
        throw new ApiError(400, "JSON_PARSER_ERROR", "each subrequest needs method, url and referenceId");
      }
    }
    const allOrNone = body.allOrNone === true;
    const results = new Map<string, unknown>();
    const responses: Array<{
      body: unknown;
      httpHeaders: Record<string, string>;
      httpStatusCode: number;
      referenceId: string;
    }> = [];
    let failed = false;
    const runAll = async () => {
      for (const sub of subs) {
        if (failed && allOrNone) {
          responses.push({
            body: PROCESSING_HALTED,
            httpHeaders: {},
            httpStatusCode: 400,
            referenceId: sub.referenceId,
          });
          continue;
        }
        let answer: { status: number; headers: Record<string, string>; body: unknown };
        try {
          let target = { url: substitute(sub.url, results), body: substitute(sub.body, results) };
          if (allOrNone) target = allOrNoneCollection(sub.method, target.url, target.body);
          answer = await dispatchInternal(router, ctx, sub.method, target.url, target.body, sub.httpHeaders);
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          answer = { status: e.status, headers: {}, body: e.body() };
        }
        if (answer.status >= 400 || (allOrNone && recordFailed(answer))) failed = true;
        if (answer.status < 400) results.set(sub.referenceId, answer.body);
        const httpHeaders: Record<string, string> = {};
        if (answer.headers.location) httpHeaders.Location = answer.headers.location;
        responses.push({ body: answer.body, httpHeaders, httpStatusCode: answer.status, referenceId: sub.referenceId });
      }
    };
    await ctx.org.store.transactionAsync(runAll, () => !(allOrNone && failed));
    if (allOrNone && failed) {
      for (const r of responses) {
        // The collection whose records failed keeps its per-record answer (its records already
        // carry their error or ALL_OR_NONE_OPERATION_ROLLED_BACK); every other subrequest is halted.
        if (r.httpStatusCode < 400 && !recordFailed({ status: r.httpStatusCode, body: r.body })) {
          r.httpStatusCode = 400;
          r.body = PROCESSING_HALTED;
          r.httpHeaders = {};
        }
      }
    }
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
