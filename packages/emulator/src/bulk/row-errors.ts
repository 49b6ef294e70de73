import { DmlError } from "../dml/dml-error.ts";

/** The sf__Error cell of failed results: `STATUS_CODE:message:Field1,Field2 --`. */
export function sfError(statusCode: string, message: string, fields: readonly string[]): string {
  return `${statusCode}:${message}:${fields.length > 0 ? `${fields.join(",")} ` : ""}--`;
}

export function rowError(e: unknown): string {
  if (e instanceof DmlError) return sfError(e.statusCode, e.message, e.fields);
  return sfError("UNKNOWN_EXCEPTION", (e as Error)?.message ?? String(e), []);
}

export const missingArgument = (message: string) => new DmlError("MISSING_ARGUMENT", message);
