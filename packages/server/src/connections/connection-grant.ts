import { loginUrlFor, type SalesforceHosts } from "@forcelink/salesforce";
import type { ConnectionRow } from "./connection-store.ts";

/**
 * How a JWT bearer connection gets its next token, fixed when it is made and kept with it: the
 * audience (the login host of the org's environment), the host the assertion is redeemed on (a
 * login host or the org's My Domain) and the subject (the user it acts as). Per connection, never
 * per provider app: two connections of one app may be two users in two orgs. Nothing in it is a
 * secret (the subject is the connection's username), so it is stored as it is.
 */
export interface JwtGrant {
  flow: "jwt_bearer";
  audience: string;
  tokenHost: string;
  subject: string;
}

/**
 * The connection's stored grant. Connections made before grants were stored get the one their
 * columns imply: the subject is their username, and only an explicit sandbox had the sandbox audience.
 */
export function jwtGrantOf(
  conn: Pick<ConnectionRow, "grant" | "environment" | "loginUrl" | "username">,
  hosts: SalesforceHosts,
  fallbackSubject: string | null,
): JwtGrant {
  const stored = conn.grant as JwtGrant | null;
  if (stored?.flow === "jwt_bearer") return stored;
  const audience = loginUrlFor(hosts, conn.environment === "sandbox" ? "sandbox" : "production");
  return {
    flow: "jwt_bearer",
    audience,
    tokenHost: conn.environment === "mydomain" ? conn.loginUrl : audience,
    subject: conn.username ?? fallbackSubject ?? "",
  };
}
