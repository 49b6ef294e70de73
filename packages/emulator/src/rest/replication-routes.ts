import { formatDateTime } from "../clock.ts";
import type { RequestContext } from "../http/context.ts";
import { ApiError } from "../http/errors.ts";
import { json } from "../http/reply.ts";
import type { Router } from "../http/router.ts";
import { SchemaView } from "../org/visibility.ts";
import { RECYCLE_BIN_MS } from "../store/record-store.ts";
import { pathObject } from "./path-object.ts";

const rest = { kind: "rest", auth: "api" } as const;
const DAY_MS = 24 * 3600 * 1000;
const MINUTE_MS = 60_000;
const MAX_IDS = 600_000;

/** Reads start and end, dropping seconds as Salesforce does, and checks the range. */
export function replicationWindow(start: string | undefined, end: string | undefined, now: number, maxBackMs: number) {
  const parse = (name: string, v: string | undefined) => {
    const ms = v ? Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, "$1:$2")) : Number.NaN;
    if (Number.isNaN(ms)) {
      throw new ApiError(
        400,
        "INVALID_REPLICATION_DATE",
        `'${name}' must be an ISO 8601 date-time such as 2024-05-01T00:00:00+00:00; got '${v ?? ""}'.`,
      );
    }
    return ms - (ms % MINUTE_MS);
  };
  const from = parse("start", start);
  const to = Math.min(parse("end", end), now - (now % MINUTE_MS));
  if (from >= to)
    throw new ApiError(
      400,
      "INVALID_REPLICATION_DATE",
      "start date must be before end date, and end date must not be in the future",
    );
  if (from < now - maxBackMs) {
    throw new ApiError(
      400,
      "INVALID_REPLICATION_DATE",
      `start date cannot be more than ${maxBackMs / DAY_MS} days ago`,
    );
  }
  return { from, to };
}

function replicable(ctx: RequestContext) {
  const { def } = pathObject(ctx, new SchemaView(ctx.org, ctx.userId));
  if (!def.replicateable)
    throw new ApiError(400, "INVALID_TYPE", `sObject type '${def.name}' is not supported for replication.`);
  return def;
}

export function registerReplicationRoutes(router: Router): void {
  router.add("GET", "/services/data/:version/sobjects/:object/updated", rest, (ctx) => {
    const def = replicable(ctx);
    const now = ctx.org.clock.now();
    const { from, to } = replicationWindow(ctx.query("start"), ctx.query("end"), now, 30 * DAY_MS);
    const ids: string[] = [];
    for (const r of ctx.org.store.tableOrThrow(def.name).live()) {
      const ts = r.SystemModstamp as number;
      if (ts >= from && ts < to) ids.push(r.Id);
      if (ids.length > MAX_IDS)
        throw new ApiError(400, "EXCEEDED_ID_LIMIT", `more than ${MAX_IDS} ids in the range; use a narrower window`);
    }
    return json({ ids, latestDateCovered: formatDateTime(to) });
  });

  router.add("GET", "/services/data/:version/sobjects/:object/deleted", rest, (ctx) => {
    const def = replicable(ctx);
    const now = ctx.org.clock.now();
    const { from, to } = replicationWindow(ctx.query("start"), ctx.query("end"), now, RECYCLE_BIN_MS);
    const deletedRecords: Array<{ id: string; deletedDate: string }> = [];
    let earliest = now - RECYCLE_BIN_MS;
    for (const r of ctx.org.store.tableOrThrow(def.name).all()) {
      if (!r.IsDeleted) continue;
      const ts = r.SystemModstamp as number;
      if (ts >= from && ts < to) deletedRecords.push({ id: r.Id, deletedDate: formatDateTime(ts) });
    }
    earliest = Math.max(earliest, ctx.org.createdAt);
    return json({
      deletedRecords,
      earliestDateAvailable: formatDateTime(earliest - (earliest % MINUTE_MS)),
      latestDateCovered: formatDateTime(to),
    });
  });
}
