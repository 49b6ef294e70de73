import { ApiError } from "../http/errors.ts";
import { json } from "../http/reply.ts";
import type { Router } from "../http/router.ts";
import { SchemaView } from "../org/visibility.ts";
import type { StoredRecord } from "../store/record-store.ts";
import { apiVersion } from "./discovery-routes.ts";

const rest = { kind: "rest", auth: "api" } as const;
const MAX_RECENT = 200;

/**
 * `GET /recent`: the user's recent records, newest first, with their type and name. Salesforce
 * lists what the user viewed or referenced; the emulator keeps no views, so it lists the records
 * the user created or changed last.
 */
export function registerRecentRoutes(router: Router): void {
  router.add("GET", "/services/data/:version/recent", rest, (ctx) => {
    const raw = ctx.query("limit");
    const limit = raw === undefined ? MAX_RECENT : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RECENT)
      throw new ApiError(400, "INVALID_QUERY_PARAMETER_VALUE", `limit must be a whole number from 1 to ${MAX_RECENT}.`);
    const view = new SchemaView(ctx.org, ctx.userId);
    const version = apiVersion(ctx.params.version);
    const found: Array<{ type: string; nameField: string | undefined; record: StoredRecord }> = [];
    for (const def of view.objects()) {
      if (!def.searchable || !def.fieldMap.has("lastmodifiedbyid")) continue;
      const nameField = view.fields(def).find((f) => f.nameField)?.name;
      for (const r of ctx.org.store.tableOrThrow(def.name).live())
        if (r.LastModifiedById === ctx.userId) found.push({ type: def.name, nameField, record: r });
    }
    // Times have second precision: within a second, the later-minted id first.
    found.sort(
      (a, b) =>
        (b.record.LastModifiedDate as number) - (a.record.LastModifiedDate as number) ||
        (b.record.Id > a.record.Id ? 1 : b.record.Id < a.record.Id ? -1 : 0),
    );
    return json(
      found.slice(0, limit).map(({ type, nameField, record }) => ({
        attributes: { type, url: `/services/data/v${version}/sobjects/${type}/${record.Id}` },
        Id: record.Id,
        ...(nameField ? { [nameField]: record[nameField] ?? null } : {}),
      })),
    );
  });
}
