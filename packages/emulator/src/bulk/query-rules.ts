import type { Org } from "../org/org.ts";
import type { FieldDef, ObjectDef } from "../schema/types.ts";

/** What Bulk 2.0 needs to know about a compiled query to decide whether it can serve it. */
export interface BulkQueryShape {
  def: ObjectDef;
  columns: string[];
  isCount: boolean;
  aggregate: boolean;
  hasSubquery: boolean;
  hasOffset: boolean;
}

export type BulkQueryVerdict = { ok: true } | { ok: false; errorCode: string; message: string };

/** The field a column path such as `Account.Owner.Name` ends on, following lookups. */
export function columnField(org: Org, def: ObjectDef, path: string): FieldDef | undefined {
  const parts = path.split(".");
  let current: ObjectDef | undefined = def;
  for (const hop of parts.slice(0, -1)) {
    const lookup: FieldDef | undefined = current?.fields.find(
      (f) => f.relationshipName?.toLowerCase() === hop.toLowerCase(),
    );
    current = lookup ? org.objectDef(lookup.referenceTo[0] ?? "", current?.tooling ? "tooling" : "data") : undefined;
  }
  return current?.fieldMap.get(parts[parts.length - 1].toLowerCase());
}

/**
 * The query shapes Bulk 2.0 refuses when the job is created, with the codes and texts real orgs
 * answer: no aggregates, GROUP BY, OFFSET or parent-to-child subqueries, no compound
 * address or location fields, and only objects the Bulk API supports.
 */
export function bulkQueryVerdict(
  shape: BulkQueryShape,
  fieldOf: (path: string) => FieldDef | undefined,
): BulkQueryVerdict {
  const refuse = (errorCode: string, message: string): BulkQueryVerdict => ({ ok: false, errorCode, message });
  if (!shape.def.bulkQueryable)
    return refuse("INVALIDENTITY", `Entity '${shape.def.name}' is not supported by the Bulk API.`);
  if (shape.hasSubquery)
    return refuse("API_ERROR", "Aggregate Relationships not supported in Bulk V2 Query with CSV content type");
  if (shape.isCount || shape.aggregate)
    return refuse("API_ERROR", "Aggregate Relationships not supported in Bulk Query");
  if (shape.hasOffset) return refuse("API_ERROR", "OFFSET clause is not supported in Bulk Query");
  for (const column of shape.columns) {
    const f = fieldOf(column);
    if (f && (f.type === "address" || f.type === "location")) {
      return refuse("API_ERROR", "Selecting compound data not supported in Bulk Query");
    }
  }
  return { ok: true };
}

export const TYPEOF_UNSUPPORTED = "TYPEOF is not supported in Bulk Query";
