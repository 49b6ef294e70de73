import { RequestContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import type { Reply } from "./reply.ts";
import type { Router } from "./router.ts";
import { errorReply } from "./server.ts";

export interface InternalAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Serves a subrequest of a composite call through the same routes, as the same user and session;
 * it is part of the one API call already counted, so it skips the pipeline.
 */
export async function dispatchInternal(
  router: Router,
  parent: RequestContext,
  method: string,
  url: string,
  body: unknown,
  headers?: Record<string, string>,
): Promise<InternalAnswer> {
  const ctx = RequestContext.internal(parent, method.toUpperCase(), url, body, headers);
  const { found } = router.match(ctx.method, ctx.path);
  let reply: Reply;
  try {
    if (found?.route.auth !== "api" || found.route.kind === "bulk") {
      throw new ApiError(404, "NOT_FOUND", `The requested resource does not exist: ${method} ${url}`);
    }
    ctx.params = found.params;
    reply = await found.route.handler(ctx);
  } catch (error) {
    reply = errorReply(error);
  }
  let parsed: unknown = reply.json ?? null;
  if (reply.json === undefined && reply.body !== undefined) parsed = String(reply.body);
  return { status: reply.status, headers: reply.headers ?? {}, body: parsed };
}
