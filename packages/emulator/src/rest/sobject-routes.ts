import { httpDate } from "../clock.ts";
import { DmlError } from "../dml/dml-error.ts";
import { RecordWriter } from "../dml/record-writer.ts";
import type { RequestContext } from "../http/context.ts";
import { ApiError, notFound } from "../http/errors.ts";
import { empty, json, type Reply } from "../http/reply.ts";
import type { Router } from "../http/router.ts";
import { normalizeId } from "../ids.ts";
import { SchemaView } from "../org/visibility.ts";
import type { ObjectDef } from "../schema/types.ts";
import { recordUrl, wireRecord } from "../store/wire.ts";
import { describeGlobal, describeObject, objectSummary } from "./describe.ts";
import { apiVersion } from "./discovery-routes.ts";
import { dmlToApiError, pathObject } from "./path-object.ts";
import { registerReplicationRoutes } from "./replication-routes.ts";

const rest = { kind: "rest", auth: "api" } as const;

function readRecord(ctx: RequestContext, def: ObjectDef, view: SchemaView, id: string): Reply {
  const record = ctx.org.store.tableOrThrow(def.name).get(id);
  if (!record || record.IsDeleted) throw notFound();
  const fieldsParam = ctx.query("fields");
  const fields = fieldsParam
    ? fieldsParam.split(",").map((n) => {
        const f = view.field(def, n.trim());
        if (!f)
          throw new ApiError(
            400,
            "INVALID_FIELD",
            `No such column '${n.trim()}' on entity '${def.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
          );
        return f;
      })
    : view.fields(def);
  return json(wireRecord(apiVersion(ctx.params.version), def, record, fields));
}

export function registerSObjectRoutes(router: Router): void {
  router.add("GET", "/services/data/:version/sobjects", rest, (ctx) => {
    const since = ctx.header("if-modified-since");
    if (since && Date.parse(since) >= ctx.org.schemaChangedAt) return empty(304);
    return json(describeGlobal(new SchemaView(ctx.org, ctx.userId), apiVersion(ctx.params.version)), 200, {
      "last-modified": httpDate(ctx.org.schemaChangedAt),
    });
  });

  router.add("GET", "/services/data/:version/sobjects/:object/describe", rest, (ctx) => {
    const { view, def } = pathObject(ctx);
    const since = ctx.header("if-modified-since");
    if (since && Date.parse(since) >= ctx.org.schemaChangedAt) return empty(304);
    return json(describeObject(view, def, apiVersion(ctx.params.version)), 200, {
      "last-modified": httpDate(ctx.org.schemaChangedAt),
    });
  });

  registerReplicationRoutes(router);

  router.add("GET", "/services/data/:version/sobjects/:object", rest, (ctx) => {
    const { view, def } = pathObject(ctx);
    return json({ objectDescribe: objectSummary(view, def, apiVersion(ctx.params.version)), recentItems: [] });
  });

  router.add("POST", "/services/data/:version/sobjects/:object", rest, async (ctx) => {
    const { def } = pathObject(ctx);
    const body = await ctx.jsonObject();
    const writer = new RecordWriter(ctx.org, ctx.userId);
    try {
      const [id] = writer.apply([writer.prepareInsert(def, body)]);
      return json({ id, success: true, errors: [] }, 201, {
        location: recordUrl(apiVersion(ctx.params.version), def.name, id),
      });
    } catch (e) {
      dmlToApiError(e);
    }
  });

  // /sobjects/{T}/{id}, or /sobjects/{T}/{externalIdField} when the segment is not an id.
  router.add(["GET", "PATCH", "DELETE"], "/services/data/:version/sobjects/:object/:id", rest, async (ctx) => {
    const { view, def } = pathObject(ctx);
    const id = normalizeId(ctx.params.id);
    if (!id || id.slice(0, 3) !== def.keyPrefix) {
      throw new ApiError(
        404,
        "NOT_FOUND",
        `Provided external ID field does not exist or is not accessible: ${ctx.params.id}`,
      );
    }
    if (ctx.method === "GET") return readRecord(ctx, def, view, id);
    const writer = new RecordWriter(ctx.org, ctx.userId);
    try {
      if (ctx.method === "DELETE") {
        writer.apply([writer.prepareDelete(def, id)]);
        return empty(204);
      }
      const body = await ctx.jsonObject();
      writer.apply([writer.prepareUpdate(def, id, body)]);
      return empty(204);
    } catch (e) {
      if (
        e instanceof DmlError &&
        e.statusCode === "ENTITY_IS_DELETED" &&
        !ctx.org.store.tableOrThrow(def.name).get(id)
      )
        throw notFound();
      dmlToApiError(e);
    }
  });

  // Upsert and read by external id: /sobjects/{T}/{field}/{value}
  router.add(
    ["GET", "PATCH", "POST", "DELETE"],
    "/services/data/:version/sobjects/:object/:field/:value",
    rest,
    async (ctx) => {
      const { def } = pathObject(ctx);
      const writer = new RecordWriter(ctx.org, ctx.userId);
      const version = apiVersion(ctx.params.version);
      try {
        const field = writer.externalIdField(def, ctx.params.field);
        if (ctx.method === "GET" || ctx.method === "DELETE") {
          const matches = writer.matchExternalId(def, field, ctx.params.value);
          if (matches.length === 0) throw notFound();
          if (matches.length > 1)
            return json(
              matches.map((m) => recordUrl(version, def.name, m.Id)),
              300,
            );
          if (ctx.method === "DELETE") {
            writer.apply([writer.prepareDelete(def, matches[0].Id)]);
            return empty(204);
          }
          return readRecord(ctx, def, writer.view, matches[0].Id);
        }
        const matches = writer.matchExternalId(def, field, ctx.params.value);
        if (matches.length > 1)
          return json(
            matches.map((m) => recordUrl(version, def.name, m.Id)),
            300,
          );
        const body = await ctx.jsonObject();
        if (ctx.query("updateOnly") === "true" && matches.length === 0) throw notFound();
        const prepared = writer.prepareUpsert(def, field, ctx.params.value, body);
        const [id] = writer.apply([prepared]);
        const legacy = Number(version) < 46;
        if (!prepared.created && legacy) return empty(204);
        return json(
          { id, success: true, errors: [], created: prepared.created === true },
          prepared.created ? 201 : 200,
        );
      } catch (e) {
        dmlToApiError(e);
      }
    },
  );
}
