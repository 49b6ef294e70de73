import type { FieldType as SelectField, Subquery } from "@jetstreamapp/soql-parser-js";
import type { ObjectDef } from "../schema/types.ts";
import { type ResolvedPath, resolvePath } from "./field-paths.ts";
import { invalidField, locate, malformedQuery } from "./query-errors.ts";
import type { CompileContext } from "./types.ts";

export type SelectEntry = { kind: "field"; path: ResolvedPath; key: string } | { kind: "subquery"; subquery: Subquery };

/** Functions that only change how a value is displayed; the emulator shows the value itself. */
const DISPLAY_FUNCTIONS = new Set(["TOLABEL", "FORMAT", "CONVERTCURRENCY"]);

/** FIELDS(STANDARD|CUSTOM|ALL), expanded to the fields this user can see, in describe order. */
function fieldsFunction(ctx: CompileContext, def: ObjectDef, which: string): SelectEntry[] {
  const kind = which.toUpperCase();
  if (kind !== "STANDARD" && kind !== "CUSTOM" && kind !== "ALL") {
    throw malformedQuery(ctx.soql, locate(ctx.soql, which), `unexpected token: '${which}'`);
  }
  return ctx.view
    .fields(def)
    .filter((f) => kind === "ALL" || (kind === "CUSTOM") === f.custom)
    .map((f) => resolvePath(ctx, def, f.name, undefined))
    .map((path) => ({ kind: "field" as const, path, key: path.field.name }));
}

/** Whether the select list uses FIELDS(ALL) or FIELDS(CUSTOM), which need LIMIT ≤ 200. */
export function usesUnboundedFields(fields: SelectField[] | undefined): boolean {
  return (fields ?? []).some(
    (f) =>
      f.type === "FieldFunctionExpression" &&
      f.functionName.toUpperCase() === "FIELDS" &&
      ["ALL", "CUSTOM"].includes(String(f.parameters[0]).toUpperCase()),
  );
}

/**
 * The plain select list of a record query: fields and parent paths in SELECT order, FIELDS()
 * expanded, child subqueries left for the caller. A field selected twice is kept once.
 */
export function selectEntries(
  ctx: CompileContext,
  def: ObjectDef,
  alias: string | undefined,
  fields: SelectField[],
): SelectEntry[] {
  const out: SelectEntry[] = [];
  const seen = new Set<string>();
  const add = (entry: SelectEntry) => {
    if (entry.kind === "field") {
      const id = entry.key.toLowerCase() + (entry.path.hops.length ? `@${entry.path.apiPath.toLowerCase()}` : "");
      if (seen.has(id)) return;
      seen.add(id);
    }
    out.push(entry);
  };
  for (const f of fields) {
    switch (f.type) {
      case "Field": {
        const raw = "objectPrefix" in f && f.objectPrefix ? `${f.objectPrefix}.${f.field}` : f.field;
        const path = resolvePath(ctx, def, raw, alias);
        add({ kind: "field", path, key: path.field.name });
        break;
      }
      case "FieldRelationship": {
        const raw = f.rawValue ?? [...f.relationships, f.field].join(".");
        const path = resolvePath(ctx, def, raw, alias);
        add({ kind: "field", path, key: path.field.name });
        break;
      }
      case "FieldSubquery":
        out.push({ kind: "subquery", subquery: f.subquery });
        break;
      case "FieldFunctionExpression": {
        const name = f.functionName.toUpperCase();
        if (name === "FIELDS") {
          for (const e of fieldsFunction(ctx, def, String(f.parameters[0]))) add(e);
          break;
        }
        const param = f.parameters[0];
        if (DISPLAY_FUNCTIONS.has(name) && typeof param === "string") {
          const path = resolvePath(ctx, def, param, alias);
          add({ kind: "field", path, key: f.alias ?? path.field.name });
          break;
        }
        throw invalidField(
          ctx.soql,
          locate(ctx.soql, f.functionName),
          `Invalid function in this context: ${f.rawValue ?? f.functionName}`,
        );
      }
      default:
        throw malformedQuery(ctx.soql, locate(ctx.soql, "TYPEOF"), "unexpected token: 'TYPEOF'");
    }
  }
  return out;
}
