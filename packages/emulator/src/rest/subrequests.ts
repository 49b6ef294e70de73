import type { RequestContext } from "../http/context.ts";
import { ApiError } from "../http/errors.ts";
import { dispatchInternal } from "../http/internal-dispatch.ts";
import type { Router } from "../http/router.ts";
import { substitute } from "./composite-routes.ts";

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
 * `@{referenceId.path}`, in one transaction. With `allOrNone`, the first failure halts the rest
 * and rolls every write back, and every result that had succeeded reports PROCESSING_HALTED.
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
        answer = await dispatchInternal(
          router,
          ctx,
          sub.method,
          substitute(sub.url, results),
          substitute(sub.body, results),
          sub.httpHeaders,
        );
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        answer = { status: e.status, headers: {}, body: e.body() };
      }
      if (answer.status >= 400) failed = true;
      else results.set(sub.referenceId, answer.body);
      const httpHeaders: Record<string, string> = {};
      if (answer.headers.location) httpHeaders.Location = answer.headers.location;
      responses.push({ body: answer.body, httpHeaders, httpStatusCode: answer.status, referenceId: sub.referenceId });
    }
  };
  await ctx.org.store.transactionAsync(runAll, () => !(allOrNone && failed));
  if (allOrNone && failed) {
    for (const r of responses) {
      if (r.httpStatusCode < 400) {
        r.httpStatusCode = 400;
        r.body = PROCESSING_HALTED;
        r.httpHeaders = {};
      }
    }
  }
  return { responses, failed };
}
