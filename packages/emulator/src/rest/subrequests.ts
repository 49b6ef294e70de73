import type { RequestContext } from "../http/context.ts";
import { ApiError } from "../http/errors.ts";
import { dispatchInternal } from "../http/internal-dispatch.ts";
import type { Router } from "../http/router.ts";

/** One subrequest of a Composite or Composite Graph call. */
export interface Subrequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
  httpHeaders?: Record<string, string>;
}

export interface SubrequestResult {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

export const PROCESSING_HALTED = [
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

/** Checks the shape of each subrequest; the caller checks the counts its resource allows. */
export function checkSubrequests(subs: unknown, name: string): asserts subs is Subrequest[] {
  if (!Array.isArray(subs) || subs.length === 0)
    throw new ApiError(400, "JSON_PARSER_ERROR", `${name}: an array of {method, url, referenceId, body} is required`);
  for (const s of subs) {
    if (!s || typeof s.method !== "string" || typeof s.url !== "string" || typeof s.referenceId !== "string")
      throw new ApiError(400, "JSON_PARSER_ERROR", "each subrequest needs method, url and referenceId");
  }
}

/**
 * Runs subrequests in order through the same routes, each able to refer to earlier results with
 * `@{referenceId.path}`, in one transaction. With `allOrNone`, every collection subrequest is
 * all-or-none too, the first failure (a record's included) halts the rest and rolls every write
 * back, and every result that had succeeded reports PROCESSING_HALTED.
 */
export async function runSubrequests(
  router: Router,
  ctx: RequestContext,
  subs: Subrequest[],
  allOrNone: boolean,
): Promise<{ responses: SubrequestResult[]; failed: boolean }> {
  const results = new Map<string, unknown>();
  const responses: SubrequestResult[] = [];
  let failed = false;
  const runAll = async () => {
    for (const sub of subs) {
      if (failed && allOrNone) {
        responses.push({ body: PROCESSING_HALTED, httpHeaders: {}, httpStatusCode: 400, referenceId: sub.referenceId });
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
  return { responses, failed };
}
