import { timingSafeEqual } from "node:crypto";
import type { RequestContext } from "../http/context.ts";
import type { ConnectedApp } from "../org/connected-app.ts";
import type { Org } from "../org/org.ts";
import { tokenErrors } from "./oauth-errors.ts";

export interface ClientCredentials {
  clientId?: string;
  clientSecret?: string;
}

/**
 * Client authentication as form fields (jsforce) or HTTP Basic (simple-salesforce for
 * client_credentials); form fields win when both are sent.
 */
export function clientCredentials(ctx: RequestContext, params: URLSearchParams): ClientCredentials {
  const basic = basicCredentials(ctx.header("authorization"));
  return {
    clientId: params.get("client_id") || basic?.clientId,
    clientSecret: params.get("client_secret") || basic?.clientSecret,
  };
}

export function basicCredentials(header: string | undefined): ClientCredentials | undefined {
  const m = header ? /^Basic\s+(\S+)$/i.exec(header.trim()) : null;
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
}

/** RFC 6749 §2.3.1 form-encodes the id and secret before Basic; most clients send them raw. */
function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

/**
 * Finds the app and checks its secret: a wrong secret always fails, a missing one only when
 * `secretRequired` says the flow needs it.
 */
export function authenticateClient(
  org: Org,
  creds: ClientCredentials,
  secretRequired: (app: ConnectedApp) => boolean,
): ConnectedApp {
  const app = creds.clientId ? org.appByClientId(creds.clientId) : undefined;
  if (!app) throw tokenErrors.unknownClient();
  if (creds.clientSecret === undefined || creds.clientSecret === "") {
    if (secretRequired(app)) throw tokenErrors.badClientCredentials();
    return app;
  }
  if (!secretMatches(app.clientSecret, creds.clientSecret)) throw tokenErrors.badClientCredentials();
  return app;
}

function secretMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
