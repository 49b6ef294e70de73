import { ApiError } from "../http/errors.ts";

const CUSTOM_FIELD_HINT =
  "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";
const CUSTOM_OBJECT_HINT =
  "If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.";
const CUSTOM_RELATIONSHIP_HINT =
  "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.";

/**
 * Salesforce prefixes query errors with the offending line, a caret under the column and the
 * row/column numbers; clients show the message verbatim, so the shape matters.
 */
export function withCaret(soql: string, index: number, text: string): string {
  if (index < 0) return text;
  const before = soql.slice(0, index);
  const row = before.split("\n").length;
  const lineStart = before.lastIndexOf("\n") + 1;
  const lineEnd = soql.indexOf("\n", index);
  const line = soql.slice(lineStart, lineEnd < 0 ? soql.length : lineEnd);
  const column = index - lineStart + 1;
  return `\n${line}\n${" ".repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${text}`;
}

/** Where a token appears in the query text (case-insensitive, whole word), searching from `from`. */
export function locate(soql: string, token: string, from = 0): number {
  if (!token) return -1;
  const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const re = new RegExp(`(?<![A-Za-z0-9_.])${escaped}(?![A-Za-z0-9_])`, "ig");
  re.lastIndex = Math.max(0, from);
  const m = re.exec(soql);
  if (m) return m.index;
  return from > 0 ? locate(soql, token, 0) : -1;
}

export function clauseStart(soql: string, clause: "WHERE" | "ORDER BY" | "GROUP BY" | "FROM" | "HAVING"): number {
  const m = new RegExp(`\\b${clause.replace(" ", "\\s+")}\\b`, "i").exec(soql);
  return m ? m.index : 0;
}

export function malformedQuery(soql: string, index: number, text: string): ApiError {
  return new ApiError(400, "MALFORMED_QUERY", withCaret(soql, index, text));
}

export function noSuchColumn(soql: string, index: number, column: string, objectName: string): ApiError {
  return new ApiError(
    400,
    "INVALID_FIELD",
    withCaret(soql, index, `No such column '${column}' on entity '${objectName}'. ${CUSTOM_FIELD_HINT}`),
  );
}

export function unknownRelationship(soql: string, index: number, relationship: string): ApiError {
  return new ApiError(
    400,
    "INVALID_FIELD",
    withCaret(
      soql,
      index,
      `Didn't understand relationship '${relationship}' in field path. ${CUSTOM_RELATIONSHIP_HINT}`,
    ),
  );
}

export function unknownChildRelationship(soql: string, index: number, relationship: string): ApiError {
  return new ApiError(
    400,
    "INVALID_TYPE",
    withCaret(
      soql,
      index,
      `Didn't understand relationship '${relationship}' in FROM part of query call. ${CUSTOM_RELATIONSHIP_HINT}`,
    ),
  );
}

export function invalidField(soql: string, index: number, text: string): ApiError {
  return new ApiError(400, "INVALID_FIELD", withCaret(soql, index, text));
}

export function invalidType(soql: string, index: number, objectName: string): ApiError {
  return new ApiError(
    400,
    "INVALID_TYPE",
    withCaret(soql, index, `sObject type '${objectName}' is not supported. ${CUSTOM_OBJECT_HINT}`),
  );
}

export function invalidFilterOperator(soql: string, index: number, text: string): ApiError {
  return new ApiError(400, "INVALID_QUERY_FILTER_OPERATOR", withCaret(soql, index, text));
}

export const queryTimeout = () => new ApiError(400, "QUERY_TIMEOUT", "Your query request was running for too long.");

export const offsetOutOfRange = () =>
  new ApiError(400, "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000");
