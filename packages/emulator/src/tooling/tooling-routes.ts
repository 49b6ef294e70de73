import type { RequestContext } from "../http/context.ts";
import { ApiError, malformedJson, notFound } from "../http/errors.ts";
import { empty, json, type Reply } from "../http/reply.ts";
import type { Router } from "../http/router.ts";
import { normalizeId } from "../ids.ts";
import { hasObjectPermission } from "../org/permissions.ts";
import { SchemaView } from "../org/visibility.ts";
import { describeGlobal, describeObject, objectSummary } from "../rest/describe.ts";
import { apiVersion } from "../rest/discovery-routes.ts";
import type { ObjectDef } from "../schema/types.ts";
import { wireValue } from "../store/wire.ts";
import {
  checkEnrichedFields,
  checkNewMember,
  MEMBER_OBJECT,
  memberMetadata,
  memberRequest,
  memberValues,
  patchedMetadata,
} from "./channel-members.ts";

const tooling = { kind: "tooling", auth: "api" } as const;
const BASE = "/services/data/:version/tooling/sobjects";
/** PlatformEventChannelMember exists from API v47. */
const MEMBER_SINCE = 47;

const insufficientAccess = (what: string) =>
  new ApiError(403, "INSUFFICIENT_ACCESS", `insufficient access rights on object id: ${what}`);

/** Describe answers point at /sobjects; Tooling objects live under /tooling/sobjects. */
function toolingUrls<T>(value: T, version: string): T {
  const from = `/services/data/v${version}/sobjects/`;
  const to = `/services/data/v${version}/tooling/sobjects/`;
  return JSON.parse(JSON.stringify(value).replaceAll(from, to)) as T;
}

/** The Tooling object named in the path; reading it needs View Setup, changing it Customize Application. */
function pathObject(
  ctx: RequestContext,
  need: "Read" | "Create" | "Edit" | "Delete",
): { view: SchemaView; def: ObjectDef } {
  const view = new SchemaView(ctx.org, ctx.userId);
  const def = ctx.org.objectDef(ctx.params.object, "tooling");
  if (!def || (def.name === MEMBER_OBJECT && Number(apiVersion(ctx.params.version)) < MEMBER_SINCE)) throw notFound();
  if (!hasObjectPermission(view.access, def, need)) {
    const permission = need === "Read" ? "View Setup and Configuration" : "Customize Application";
    throw insufficientAccess(`${def.name} needs the ${permission} permission`);
  }
  return { view, def };
}

async function bodyObject(ctx: RequestContext): Promise<Record<string, unknown>> {
  const body = await ctx.json<unknown>();
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw malformedJson("Expected a JSON object.");
  return body as Record<string, unknown>;
}

function recordIn(ctx: RequestContext, def: ObjectDef) {
  const id = normalizeId(ctx.params.id);
  const record = id?.startsWith(def.keyPrefix) ? ctx.org.store.tableOrThrow(def.name).get(id) : undefined;
  if (!record || record.IsDeleted) throw notFound();
  return record;
}

function readRecord(ctx: RequestContext): Reply {
  const { view, def } = pathObject(ctx, "Read");
  const record = recordIn(ctx, def);
  const version = apiVersion(ctx.params.version);
  const out: Record<string, unknown> = {
    attributes: { type: def.name, url: `/services/data/v${version}/tooling/sobjects/${def.name}/${record.Id}` },
  };
  for (const f of view.fields(def)) out[f.name] = f.name === "Metadata" ? memberMetadata(record) : wireValue(f, record);
  return json(out);
}

async function create(ctx: RequestContext): Promise<Reply> {
  const { def } = pathObject(ctx, "Create");
  if (def.name !== MEMBER_OBJECT) {
    throw new ApiError(400, "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY", `entity type cannot be inserted: ${def.name}`);
  }
  const { fullName, metadata } = memberRequest(await bodyObject(ctx));
  checkNewMember(ctx.org, fullName, metadata);
  const record = ctx.org.store.insert(def.name, memberValues(fullName, metadata), ctx.org.writeContext(ctx.userId));
  const version = apiVersion(ctx.params.version);
  return json({ id: record.Id, success: true, errors: [], warnings: [], infos: [] }, 201, {
    location: `/services/data/v${version}/tooling/sobjects/${def.name}/${record.Id}`,
  });
}

async function update(ctx: RequestContext): Promise<Reply> {
  const { def } = pathObject(ctx, "Edit");
  if (def.name !== MEMBER_OBJECT)
    throw new ApiError(400, "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY", `entity type cannot be updated: ${def.name}`);
  const record = recordIn(ctx, def);
  const metadata = patchedMetadata(record, await bodyObject(ctx));
  checkEnrichedFields(ctx.org, metadata);
  ctx.org.store.update(
    def.name,
    record.Id,
    memberValues(String(record.FullName), metadata),
    ctx.org.writeContext(ctx.userId),
  );
  return empty(204);
}

function remove(ctx: RequestContext): Reply {
  const { def } = pathObject(ctx, "Delete");
  const record = recordIn(ctx, def);
  // Metadata deletions skip the recycle bin.
  ctx.org.store.hardDelete(def.name, record.Id);
  return empty(204);
}

/** Tooling API sObject resources: describe, and create/read/update/delete of Tooling records. */
export function registerToolingRoutes(router: Router): void {
  router.add("GET", BASE, tooling, (ctx) => {
    const version = apiVersion(ctx.params.version);
    return json(toolingUrls(describeGlobal(new SchemaView(ctx.org, ctx.userId), version, "tooling"), version));
  });

  router.add("GET", `${BASE}/:object/describe`, tooling, (ctx) => {
    const { view, def } = pathObject(ctx, "Read");
    const version = apiVersion(ctx.params.version);
    return json(toolingUrls(describeObject(view, def, version), version));
  });

  router.add("GET", `${BASE}/:object`, tooling, (ctx) => {
    const { view, def } = pathObject(ctx, "Read");
    const version = apiVersion(ctx.params.version);
    return json({ objectDescribe: toolingUrls(objectSummary(view, def, version), version), recentItems: [] });
  });

  router.add("POST", `${BASE}/:object`, tooling, create);
  router.add("GET", `${BASE}/:object/:id`, tooling, readRecord);
  router.add("PATCH", `${BASE}/:object/:id`, tooling, update);
  router.add("DELETE", `${BASE}/:object/:id`, tooling, remove);
}
