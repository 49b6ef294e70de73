import { normalizeId } from "../ids.ts";
import type { FieldDef } from "../schema/types.ts";
import { DmlError } from "./dml-error.ts";

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Turns a value from a JSON body (or a Bulk CSV cell, where everything is text) into the stored
 * form, or explains in Salesforce's words why it cannot be stored.
 */
export function coerceValue(field: FieldDef, value: unknown, source: "json" | "csv"): unknown {
  if (value === null || value === undefined) return null;
  // Salesforce stores an empty text value as null (so "" does not satisfy a required field).
  if (value === "") return null;
  const badType = () =>
    new DmlError(
      source === "json" ? "JSON_PARSER_ERROR" : "INVALID_TYPE_ON_FIELD_IN_RECORD",
      `${field.label}: value not of required type: ${String(value)}`,
      [field.name],
    );
  switch (field.type) {
    case "boolean":
      if (typeof value === "boolean") return value;
      if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
      throw badType();
    case "int":
    case "double":
    case "currency":
    case "percent": {
      const n =
        typeof value === "number"
          ? value
          : typeof value === "string" && value.trim() !== ""
            ? Number(value)
            : Number.NaN;
      if (!Number.isFinite(n)) throw badType();
      if (field.type === "int" && !Number.isInteger(n)) throw badType();
      return n;
    }
    case "date":
      if (typeof value === "string" && DATE.test(value.slice(0, 10)) && !Number.isNaN(Date.parse(value.slice(0, 10)))) {
        return value.slice(0, 10);
      }
      throw badType();
    case "datetime": {
      if (typeof value !== "string" || !DATETIME.test(value)) throw badType();
      const normalized = value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
      const ms = Date.parse(normalized);
      if (Number.isNaN(ms)) throw badType();
      return ms - (ms % 1000);
    }
    case "reference":
    case "id": {
      const id = typeof value === "string" ? normalizeId(value) : undefined;
      if (!id)
        throw new DmlError("MALFORMED_ID", `${field.label}: id value of incorrect type: ${String(value)}`, [
          field.name,
        ]);
      return id;
    }
    case "picklist": {
      const text = String(value);
      if (field.restrictedPicklist && !field.picklistValues.some((p) => p.value === text)) {
        throw new DmlError(
          "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
          `${field.label}: bad value for restricted picklist field: ${text}`,
          [field.name],
        );
      }
      return checkLength(field, text);
    }
    case "address":
    case "location":
      throw new DmlError(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        `Unable to create/update fields: ${field.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        [field.name],
      );
    default:
      if (typeof value === "object") throw badType();
      return checkLength(field, String(value));
  }
}

function checkLength(field: FieldDef, text: string): string {
  if (field.length > 0 && text.length > field.length) {
    throw new DmlError(
      "STRING_TOO_LONG",
      `${field.label}: data value too large: ${text.slice(0, 40)} (max length=${field.length})`,
      [field.name],
    );
  }
  return text;
}
