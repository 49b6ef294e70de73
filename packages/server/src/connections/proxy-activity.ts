import { apiErrorFrom } from "@forcelink/salesforce";
import type { ActivityEntry } from "../platform/platform.ts";
import type { ConnectionRow } from "./connection-store.ts";

/*
 * The activity rows of proxied calls that failed. Only the method, the path and the error's code are
 * kept: never the query string, Salesforce's message (it often echoes the SOQL, which may carry the
 * customer's data), nor any header or body sent.
 */

/** Salesforce answered a proxied call with an error: its status and code. */
export function salesforceRefusal(
  row: Pick<ConnectionRow, "id" | "projectId">,
  method: string | undefined,
  path: string,
  status: number,
  body: Buffer | null,
): ActivityEntry {
  const error = body ? apiErrorFrom(status, body.toString("utf8")) : null;
  const code = error?.code ?? null;
  return {
    projectId: row.projectId,
    connectionId: row.id,
    kind: "proxy_error",
    level: status >= 500 ? "error" : "warn",
    message: `${method ?? "GET"} ${path} answered ${status}${code ? ` ${code}` : ""}`,
    details: { method: method ?? "GET", path, status, salesforceCode: code, source: "salesforce" },
  };
}

/** A proxied call that never got Salesforce's answer through: the connection, its token or the network. */
export function proxyFailure(
  row: Pick<ConnectionRow, "id" | "projectId">,
  method: string | undefined,
  path: string,
  answer: unknown,
): ActivityEntry {
  const known = answer as { status?: number; code?: string; message?: string };
  const status = typeof known.status === "number" ? known.status : 500;
  return {
    projectId: row.projectId,
    connectionId: row.id,
    kind: "proxy_error",
    level: status >= 500 ? "error" : "warn",
    message: `${method ?? "GET"} ${path} failed with ${status}${known.code ? ` ${known.code}` : ""}: ${known.message ?? "internal error; see the server log"}`,
    details: { method: method ?? "GET", path, status, code: known.code ?? null, source: "forcelink" },
  };
}
