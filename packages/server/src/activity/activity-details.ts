import { secretLikePaths } from "../webhooks/emit.ts";

/** What a recorded detail becomes when it looks like a secret: the row keeps its shape, never the value. */
export const WITHHELD = "[withheld]";
const MAX_STRING = 2_000;

/**
 * The details as stored: JSON values only, long strings cut, and anything whose key or value
 * looks like a secret (the same rules webhook bodies follow) replaced by WITHHELD. Callers pass
 * no secrets; this is the second line, so a mistake shows as WITHHELD instead of a leaked token.
 */
export function safeDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!details) return {};
  const json = JSON.parse(JSON.stringify(details, (_k, v) => (typeof v === "bigint" ? String(v) : v))) as Record<
    string,
    unknown
  >;
  return scrub(json, "data") as Record<string, unknown>;
}

function scrub(value: unknown, path: string): unknown {
  if (secretLikePaths(value, path).length === 0) return shorten(value);
  if (typeof value === "string" || value === null || typeof value !== "object") return WITHHELD;
  if (Array.isArray(value)) return value.map((v, i) => scrub(v, `${path}[${i}]`));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const here = `${path}.${key}`;
    // A key named like a secret withholds its whole value; otherwise look inside.
    out[key] = secretLikePaths({ [key]: null }, path).length > 0 ? WITHHELD : scrub(v, here);
  }
  return out;
}

function shorten(value: unknown): unknown {
  if (typeof value === "string") return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (Array.isArray(value)) return value.map(shorten);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shorten(v)]));
  return value;
}

/** A message with anything shaped like a secret (a session id, a key, a bearer header) withheld. */
export function safeMessage(message: string): string {
  const words = message.split(/(\s+)/);
  const cleaned = words.map((w) =>
    secretLikePaths(w.replace(/^[("'[]+|[)"'\],.;:]+$/g, "")).length > 0 ? WITHHELD : w,
  );
  const text = cleaned.join("");
  return text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}…` : text;
}
