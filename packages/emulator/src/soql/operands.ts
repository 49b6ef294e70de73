import type { LiteralType } from "@jetstreamapp/soql-parser-js";
import { normalizeId } from "../ids.ts";
import type { FieldDef } from "../schema/types.ts";
import { dateLiteralRange, dateRangeAsDates } from "./date-literals.ts";
import { parseDateLiteral, parseDateTimeLiteral, unquote } from "./literals.ts";
import { invalidField, invalidFilterOperator, malformedQuery } from "./query-errors.ts";
import type { CompileContext } from "./types.ts";

/** How values of a field compare: text case-insensitively, ids exactly, the rest by value. */
export type ValueKind = "text" | "multi" | "id" | "number" | "boolean" | "date" | "datetime";

export function kindOf(field: FieldDef): ValueKind {
  switch (field.type) {
    case "id":
    case "reference":
      return "id";
    case "int":
    case "double":
    case "currency":
    case "percent":
      return "number";
    case "boolean":
      return "boolean";
    case "date":
      return "date";
    case "datetime":
      return "datetime";
    case "multipicklist":
      return "multi";
    default:
      return "text";
  }
}

/** A literal made comparable with a field's stored values; date literals become ranges. */
export type Operand =
  | { kind: "null" }
  | { kind: "value"; value: string | number | boolean; raw: string }
  | { kind: "range"; start: number | string; end: number | string };

/** What an error about a condition points at. */
export interface ConditionSite {
  label: string;
  at: number;
}

const TYPE_NAMES: Record<ValueKind, string> = {
  text: "string",
  multi: "string",
  id: "id",
  number: "double",
  boolean: "boolean",
  date: "date",
  datetime: "dateTime",
};

function wrongType(ctx: CompileContext, site: ConditionSite, kind: ValueKind, intField: boolean) {
  const type = intField ? "integer" : TYPE_NAMES[kind];
  const quotes =
    kind === "text" || kind === "multi" ? "should be enclosed in quotes" : "should not be enclosed in quotes";
  return invalidField(
    ctx.soql,
    site.at,
    `value of filter criterion for field '${site.label}' must be of type ${type} and ${quotes}`,
  );
}

export function coerceOperand(
  ctx: CompileContext,
  site: ConditionSite,
  kind: ValueKind,
  intField: boolean,
  literalType: LiteralType | undefined,
  raw: string,
  dateN: number | undefined,
): Operand {
  if (literalType === "NULL") return { kind: "null" };
  switch (kind) {
    case "text":
    case "multi": {
      if (literalType !== "STRING") throw wrongType(ctx, site, kind, false);
      const value = unquote(raw);
      return { kind: "value", value: value.toLowerCase(), raw: value };
    }
    case "id": {
      if (literalType !== "STRING") throw wrongType(ctx, site, "text", false);
      const text = unquote(raw);
      if (text === "") return { kind: "null" };
      const id = normalizeId(text);
      if (!id) throw invalidFilterOperator(ctx.soql, site.at, `invalid ID field: ${text}`);
      return { kind: "value", value: id, raw: id };
    }
    case "number": {
      if (literalType !== "INTEGER" && literalType !== "DECIMAL" && !literalType?.endsWith("CURRENCY_PREFIX")) {
        throw wrongType(ctx, site, kind, intField);
      }
      const value = Number(raw.replace(/^[A-Za-z]{3}/, ""));
      return { kind: "value", value, raw };
    }
    case "boolean": {
      if (literalType !== "BOOLEAN") throw wrongType(ctx, site, kind, false);
      return { kind: "value", value: raw.toUpperCase() === "TRUE", raw };
    }
    case "date":
    case "datetime": {
      if (literalType === "DATE_LITERAL" || literalType === "DATE_N_LITERAL") {
        const range = dateLiteralRange(raw, dateN, ctx.now);
        if (!range) throw malformedQuery(ctx.soql, site.at, `unexpected token: '${raw}'`);
        return kind === "datetime" ? { kind: "range", ...range } : { kind: "range", ...dateRangeAsDates(range) };
      }
      if (kind === "datetime" && literalType === "DATETIME") {
        const ms = parseDateTimeLiteral(raw);
        if (ms === undefined) throw malformedQuery(ctx.soql, site.at, `unexpected token: '${raw}'`);
        return { kind: "value", value: ms, raw };
      }
      if (kind === "date" && literalType === "DATE") {
        const date = parseDateLiteral(raw);
        if (date === undefined) throw malformedQuery(ctx.soql, site.at, `unexpected token: '${raw}'`);
        return { kind: "value", value: date, raw };
      }
      throw wrongType(ctx, site, kind, false);
    }
  }
}
