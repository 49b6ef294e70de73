import { HttpError } from "./http-error.ts";

/**
 * The rules every request's text follows before any route sees it, shared by the framework's
 * routes and the proxy below it: percent-encoding that decodes, and no control characters in what
 * names or filters things (ids, query values). PostgreSQL cannot store a NUL byte at all, and no
 * id, filter or name here has a use for the others.
 */

/** C0 controls and DEL: never part of an id, a filter or a name. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the rule's purpose.
const CONTROL = /[\u0000-\u001f\u007f]/;

function codePoint(value: string): string {
  const c = CONTROL.exec(value)?.[0] ?? "";
  return `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** A 400 for a URL whose `%` escapes do not decode (not two hex digits, or not UTF-8). */
export function percentEncodingError(part: "path" | "query"): HttpError {
  return new HttpError(
    400,
    "invalid_percent_encoding",
    `The ${part} of the URL is not valid percent-encoding: each '%' must start an escape of two hex digits, and the escapes must spell UTF-8.`,
    { remedy: "Encode values with encodeURIComponent (a literal '%' is %25)." },
  );
}

/** Whether a raw path or query string decodes; `+` needs no care since it is not an escape. */
export function decodes(raw: string): boolean {
  try {
    decodeURIComponent(raw);
    return true;
  } catch {
    return false;
  }
}

/** The first problem with a request target's percent-encoding, or null. */
export function requestTargetProblem(url: string): HttpError | null {
  // Only a '%' escape can fail to decode.
  if (!url.includes("%")) return null;
  const q = url.indexOf("?");
  if (!decodes(q < 0 ? url : url.slice(0, q))) return percentEncodingError("path");
  if (q >= 0 && !decodes(url.slice(q + 1))) return percentEncodingError("query");
  return null;
}

export type InputPlace = "path parameter" | "query parameter" | "body field";

/** A 400 that names the parameter carrying a control character. */
export function controlCharacterError(place: InputPlace, name: string, value: string): HttpError {
  return new HttpError(
    400,
    "control_character",
    `The ${place} '${JSON.stringify(name).slice(1, -1)}' contains a control character (${codePoint(value)}).`,
    {
      remedy:
        place === "body field"
          ? "Remove the NUL character (\\u0000) from the value; it cannot be stored."
          : "Remove control characters (tabs, line breaks, NUL) from ids and query values.",
    },
  );
}

/** The first path or query parameter (name or value) with a control character, as a 400; or null. */
export function controlCharacterProblem(
  place: "path parameter" | "query parameter",
  values: unknown,
): HttpError | null {
  if (!values || typeof values !== "object") return null;
  for (const [name, value] of Object.entries(values)) {
    if (CONTROL.test(name)) return controlCharacterError(place, name, name);
    for (const v of Array.isArray(value) ? value : [value])
      if (typeof v === "string" && CONTROL.test(v)) return controlCharacterError(place, name, v);
  }
  return null;
}

/**
 * The first string in a parsed body holding a NUL (which PostgreSQL cannot store), as a 400 naming
 * the field by its path (`body.a.b[2]`); or null. Other control characters are fine in bodies:
 * descriptions and manifests have line breaks and tabs.
 */
export function nulInBody(body: unknown, path = "body", depth = 0): HttpError | null {
  if (typeof body === "string")
    return body.includes("\u0000") ? controlCharacterError("body field", path, "\u0000") : null;
  if (!body || typeof body !== "object" || depth > 64) return null;
  if (Array.isArray(body)) {
    for (let i = 0; i < body.length; i++) {
      const found = nulInBody(body[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, value] of Object.entries(body)) {
    if (key.includes("\u0000")) return controlCharacterError("body field", `${path}.${key}`, key);
    const found = nulInBody(value, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}
