import { DmlError } from "../dml/dml-error.ts";
import type { RequestContext } from "../http/context.ts";
import { ApiError, notFound } from "../http/errors.ts";
import { SchemaView } from "../org/visibility.ts";
import type { ObjectDef } from "../schema/types.ts";

/** The object named in the path, if this user can see it; 404 as Salesforce answers otherwise. */
export function pathObject(
  ctx: RequestContext,
  view = new SchemaView(ctx.org, ctx.userId),
): { view: SchemaView; def: ObjectDef } {
  const def = view.object(ctx.params.object);
  if (!def) throw notFound();
  return { view, def };
}

/** Turns a per-record failure into the REST answer for a single-record call. */
export function dmlToApiError(e: unknown): never {
  if (e instanceof DmlError) {
    const status = e.statusCode === "NOT_FOUND" || e.statusCode === "ENTITY_IS_DELETED" ? 404 : 400;
    throw new ApiError(status, e.statusCode, e.message, e.fields.length > 0 ? e.fields : undefined);
  }
  throw e;
}
