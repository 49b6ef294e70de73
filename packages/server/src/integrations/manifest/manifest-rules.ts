import { problem } from "./manifest-messages.ts";

/** Limits, defaults and value rules of the integration manifest, shared by its two schemas. */

export const MAX_MANIFEST_BYTES = 256 * 1024;
export const MAX_OBJECTS = 200;
export const MAX_FIELDS = 1000;
export const MAX_BACKFILL_DAYS = 36_500;
export const MAX_BATCH_SIZE = 10_000;
export const MAX_DESCRIPTION_LENGTH = 2000;
export const MAX_URL_LENGTH = 2048;

export const DEFAULT_SCHEDULE = "0 * * * *";
export const DEFAULT_BATCH_SIZE = 1000;
export const DEFAULT_PG_SCHEMA = "public";

export const DESTINATION_TYPES = ["postgres", "webhook", "records"] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];

/** What a declared write may do to an object's records, in the order a manifest lists them back. */
export const WRITE_OPERATIONS = ["insert", "update", "upsert", "delete"] as const;
export type WriteOperationName = (typeof WRITE_OPERATIONS)[number];
/** The operations that set field values (a delete sets none). */
export const FIELD_WRITING_OPERATIONS: readonly WriteOperationName[] = ["insert", "update", "upsert"];

export const MANIFEST_NAME = /^[a-z0-9-]{1,63}$/;
export const DESTINATION_NAME = /^[a-z][a-z0-9_-]{0,62}$/;
/** Salesforce API names of objects and fields: Account, Invoice__c, ns__Thing__c. */
export const API_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;
/** Lowercase only, so the name means the same quoted or not; pg_ names are reserved by Postgres. */
export const PG_SCHEMA_NAME = /^(?!pg_)[a-z_][a-z0-9_]{0,62}$/;
export const TABLE_PREFIX = /^(?:[a-z_][a-z0-9_]{0,29})?$/;

export const EXPECTED = {
  manifestName: "1 to 63 lowercase letters, digits and dashes, like crm-sync",
  destinationName: "a destination name of lowercase letters, digits, _ and -, starting with a letter, like warehouse",
  apiName: "a Salesforce API name: letters, digits and underscores, starting with a letter (Account, Invoice__c)",
  pgSchema:
    "a lowercase SQL identifier (letters, digits, underscores; at most 63; not starting with pg_), like salesforce",
  tablePrefix: "up to 30 lowercase letters, digits and underscores, not starting with a digit, like sf_",
  postgresUrl: "a postgres:// or postgresql:// URL like postgres://user:password@host:5432/database",
  httpUrl: "an http:// or https:// URL like https://example.com/hooks/salesforce",
  writeOperation: `one of ${WRITE_OPERATIONS.join(", ")}`,
  objects: `a list of 1 to ${MAX_OBJECTS} Salesforce objects, like [{name: Account, destinations: [warehouse]}] (an integration that only writes leaves objects out)`,
  destinations: "a mapping of destination names to destinations, like warehouse: {type: records}",
  writeFields: "a list of the field API names the writes set, like [LastName, Email]",
} as const;

/**
 * Why a string is not a usable Postgres connection URL, or undefined when it is one. The URL itself
 * is never quoted back: messages reach logs, and it may hold a password.
 */
export function postgresUrlProblem(raw: string): string | undefined {
  const url = parseUrl(raw);
  if (!url) return problem("the value is not a URL", EXPECTED.postgresUrl);
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:")
    return problem(`the URL uses ${url.protocol.slice(0, -1)}://`, EXPECTED.postgresUrl);
  if (!url.hostname && !url.searchParams.has("host")) return problem("the URL has no host", EXPECTED.postgresUrl);
  if (raw.length > MAX_URL_LENGTH)
    return problem(`the URL is ${raw.length} characters long`, `at most ${MAX_URL_LENGTH}`);
  return undefined;
}

/** Why a string is not a usable webhook URL, or undefined when it is one. */
export function httpUrlProblem(raw: string): string | undefined {
  const url = parseUrl(raw);
  if (!url) return problem("the value is not a URL", EXPECTED.httpUrl);
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return problem(`the URL uses ${url.protocol.slice(0, -1)}://`, EXPECTED.httpUrl);
  if (raw.length > MAX_URL_LENGTH)
    return problem(`the URL is ${raw.length} characters long`, `at most ${MAX_URL_LENGTH}`);
  return undefined;
}

function parseUrl(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}
