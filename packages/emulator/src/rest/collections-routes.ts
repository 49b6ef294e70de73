import { DmlError } from "../dml/dml-error.ts";
import { type DmlResult, type PreparedWrite, RecordWriter } from "../dml/record-writer.ts";
import type { RequestContext } from "../http/context.ts";
import { ApiError } from "../http/errors.ts";
import { json } from "../http/reply.ts";
import type { Router } from "../http/router.ts";
import { normalizeId } from "../ids.ts";
import type { SchemaView } from "../org/visibility.ts";
import type { ObjectDef } from "../schema/types.ts";
import { wireRecord } from "../store/wire.ts";
import { apiVersion } from "./discovery-routes.ts";
import { pathObject } from "./path-object.ts";

const rest = { kind: "rest", auth: "api" } as const;
const MAX_RECORDS = 200;
const MAX_RETRIEVE_IDS = 2000;

const ROLLED_BACK = {
  statusCode: "ALL_OR_NONE_OPERATION_ROLLED_BACK",
  message: "Record rolled back because not all records were valid and the request was using AllOrNone header",
  fields: [],
};

interface CollectionBody {
  allOrNone?: boolean;
  records?: Array<Record<string, unknown>>;
}

async function readCollection(
  ctx: RequestContext,
): Promise<{ allOrNone: boolean; records: Array<Record<string, unknown>> }> {
  const body = await ctx.json<CollectionBody>();
  if (!body || !Array.isArray(body.records)) {
    throw new ApiError(400, "JSON_PARSER_ERROR", 'The body must be {"allOrNone": boolean, "records": [ … ]}.');
  }
  if (body.records.length > MAX_RECORDS) {
    throw new ApiError(
      400,
      "EXCEEDED_ID_LIMIT",
      `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`,
    );
  }
  return { allOrNone: body.allOrNone === true, records: body.records };
}

function recordType(view: SchemaView, record: Record<string, unknown>): ObjectDef {
  const type = (record.attributes as { type?: string } | undefined)?.type;
  if (!type) throw new DmlError("INVALID_TYPE", "Must specify a type in attributes for each record");
  const def = view.object(type);
  if (!def) throw new DmlError("INVALID_TYPE", `sObject type '${type}' is not supported.`);
  return def;
}

/**
 * Runs one collection: every record prepared and applied on its own, or, with allOrNone, all of
 * them in one transaction that is undone when any record fails.
 */
export function runCollection(
  writer: RecordWriter,
  allOrNone: boolean,
  prepares: Array<() => PreparedWrite>,
): DmlResult[] {
  // Without allOrNone the call is still one transaction, saving the records that succeed.
  if (!allOrNone) return writer.org.store.transaction(() => prepares.map((p) => writer.one(p)));
  const results: DmlResult[] = [];
  writer.org.store.transaction(
    () => {
      for (const prepare of prepares) results.push(writer.one(prepare));
      return results;
    },
    (rs) => rs.every((r) => r.success),
  );
  if (results.every((r) => r.success)) return results;
  return results.map((r) => (r.success ? { id: null, success: false, errors: [ROLLED_BACK] } : r));
}

export function registerCollectionRoutes(router: Router): void {
  router.add("POST", "/services/data/:version/composite/sobjects", rest, async (ctx) => {
    const { allOrNone, records } = await readCollection(ctx);
    const writer = new RecordWriter(ctx.org, ctx.userId);
    return json(
      runCollection(
        writer,
        allOrNone,
        records.map((r) => () => writer.prepareInsert(recordType(writer.view, r), r)),
      ),
    );
  });

  router.add("PATCH", "/services/data/:version/composite/sobjects", rest, async (ctx) => {
    const { allOrNone, records } = await readCollection(ctx);
    const writer = new RecordWriter(ctx.org, ctx.userId);
    return json(
      runCollection(
        writer,
        allOrNone,
        records.map((r) => () => {
          const id = typeof r.id === "string" ? r.id : typeof r.Id === "string" ? r.Id : undefined;
          if (!id) throw new DmlError("MISSING_ARGUMENT", "Id not specified in an update call", ["Id"]);
          const { Id: _omit, ...values } = r;
          return writer.prepareUpdate(recordType(writer.view, r), id, values);
        }),
      ),
    );
  });

  router.add("PATCH", "/services/data/:version/composite/sobjects/:object/:field", rest, async (ctx) => {
    const { def } = pathObject(ctx);
    const { allOrNone, records } = await readCollection(ctx);
    const writer = new RecordWriter(ctx.org, ctx.userId);
    const field = (() => {
      try {
        return writer.externalIdField(def, ctx.params.field);
      } catch (e) {
        throw new ApiError(400, "INVALID_FIELD", (e as Error).message);
      }
    })();
    return json(
      runCollection(
        writer,
        allOrNone,
        records.map((r) => () => {
          const key = Object.entries(r).find(([k]) => k.toLowerCase() === field.name.toLowerCase())?.[1];
          if (key === undefined || key === null || key === "") {
            throw new DmlError("MISSING_ARGUMENT", `${field.name} not specified`, [field.name]);
          }
          return writer.prepareUpsert(def, field, key, r);
        }),
      ),
    );
  });

  router.add("DELETE", "/services/data/:version/composite/sobjects", rest, (ctx) => {
    const ids = (ctx.query("ids") ?? "").split(",").filter(Boolean);
    if (ids.length === 0) throw new ApiError(400, "MISSING_ARGUMENT", "ids: the ids to delete, comma separated");
    if (ids.length > MAX_RECORDS) {
      throw new ApiError(
        400,
        "EXCEEDED_ID_LIMIT",
        `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`,
      );
    }
    const writer = new RecordWriter(ctx.org, ctx.userId);
    const results = runCollection(
      writer,
      ctx.query("allOrNone") === "true",
      ids.map((raw) => () => {
        const id = normalizeId(raw);
        const found = id ? ctx.org.store.find(id) : undefined;
        if (!id || !found)
          throw new DmlError(
            id ? "ENTITY_IS_DELETED" : "MALFORMED_ID",
            id ? "entity is deleted" : `malformed id ${raw}`,
          );
        const def = writer.view.object(found.table.def.name);
        if (!def) throw new DmlError("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id");
        return writer.prepareDelete(def, id);
      }),
    );
    return json(results.map((r, i) => (r.success ? r : { ...r, id: normalizeId(ids[i]) ?? ids[i] })));
  });

  const retrieve = async (ctx: RequestContext) => {
    const { view, def } = pathObject(ctx);
    let ids: string[];
    let fieldNames: string[];
    if (ctx.method === "POST") {
      const body = await ctx.json<{ ids?: string[]; fields?: string[] }>();
      ids = body?.ids ?? [];
      fieldNames = body?.fields ?? [];
    } else {
      ids = (ctx.query("ids") ?? "").split(",").filter(Boolean);
      fieldNames = (ctx.query("fields") ?? "").split(",").filter(Boolean);
    }
    if (ids.length === 0 || fieldNames.length === 0)
      throw new ApiError(400, "MISSING_ARGUMENT", "both ids and fields are required");
    if (ids.length > MAX_RETRIEVE_IDS)
      throw new ApiError(400, "EXCEEDED_ID_LIMIT", `cannot retrieve more than ${MAX_RETRIEVE_IDS} records`);
    const fields = fieldNames.map((n) => {
      const f = view.field(def, n);
      if (!f) throw new ApiError(400, "INVALID_FIELD", `No such column '${n}' on entity '${def.name}'.`);
      return f;
    });
    const version = apiVersion(ctx.params.version);
    const table = ctx.org.store.tableOrThrow(def.name);
    return json(
      ids.map((raw) => {
        const id = normalizeId(raw);
        const r = id ? table.get(id) : undefined;
        return r && !r.IsDeleted ? wireRecord(version, def, r, fields) : null;
      }),
    );
  };
  router.add("GET", "/services/data/:version/composite/sobjects/:object", rest, retrieve);
  router.add("POST", "/services/data/:version/composite/sobjects/:object", rest, retrieve);
}
