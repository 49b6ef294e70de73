import type { RequestContext } from "../http/context.ts";
import { malformedJson, notFound } from "../http/errors.ts";
import { apiVersion } from "../rest/discovery-routes.ts";
import { invalidJob } from "./bulk-errors.ts";
import { isColumnDelimiter, isLineEnding } from "./csv-dialect.ts";
import type { ColumnDelimiter, LineEnding } from "./job-types.ts";

/** The request's API version ("67.0"); Bulk 2.0 ingest exists from v41, query jobs from v47. */
export function bulkVersion(ctx: RequestContext, minimum: number): string {
  const version = apiVersion(ctx.params.version);
  if (Number(version) < minimum) throw notFound();
  return version;
}

export async function jsonObject(ctx: RequestContext): Promise<Record<string, unknown>> {
  const body = await ctx.json<unknown>();
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw malformedJson("Expected a JSON object.");
  return body as Record<string, unknown>;
}

/** The CSV options every job takes: contentType (CSV only), columnDelimiter, lineEnding. */
export function csvOptions(body: Record<string, unknown>): {
  columnDelimiter: ColumnDelimiter;
  lineEnding: LineEnding;
} {
  const { contentType, columnDelimiter = "COMMA", lineEnding = "LF" } = body;
  if (contentType !== undefined && contentType !== null && contentType !== "CSV") {
    throw invalidJob(`Invalid contentType: ${String(contentType)}. Only CSV is supported.`);
  }
  if (!isColumnDelimiter(columnDelimiter)) throw invalidJob(`Invalid columnDelimiter: ${String(columnDelimiter)}`);
  if (!isLineEnding(lineEnding)) throw invalidJob(`Invalid lineEnding: ${String(lineEnding)}`);
  return { columnDelimiter, lineEnding };
}

/** The `state` a PATCH asks for. */
export async function requestedState(ctx: RequestContext): Promise<string> {
  const body = await jsonObject(ctx);
  if (typeof body.state !== "string") throw invalidJob("The request must set state.");
  return body.state;
}
