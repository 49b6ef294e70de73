import type { IncomingMessage } from "node:http";
import { HttpError } from "./http-error.ts";
import { nulInBody } from "./request-input.ts";

/** What a route takes as a body when it says nothing else. */
export const JSON_ONLY = ["application/json"];

/** The media type of a Content-Type header, lower case and without parameters; "" when absent. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

/** Whether the request carries body bytes (a declared length above zero, or a chunked body). */
export function carriesBody(req: IncomingMessage): boolean {
  if (req.headers["transfer-encoding"] !== undefined) return true;
  const length = req.headers["content-length"];
  return length !== undefined && length !== "0";
}

/** The 415 for a body in a type the route does not take, naming the types it does. */
export function unsupportedMediaType(type: string, accepted: readonly string[]): HttpError {
  const names = accepted.join(", ");
  return new HttpError(
    415,
    "unsupported_media_type",
    `${type ? `A body of type ${type}` : "A body without a Content-Type"} is not accepted here; this endpoint takes ${names}.`,
    { remedy: `Send the body with Content-Type: ${accepted[0]}.`, details: { accepted } },
  );
}

const EMPTY = new HttpError(400, "invalid_request", "The body is empty; send a JSON object.", {
  remedy: "Send the fields as a JSON object, or leave out the Content-Type header when there is nothing to send.",
});

/**
 * A JSON body, read strictly: an empty one is fine only for a route without a body (a DELETE sent
 * with `Content-Type: application/json`), a NUL in a string is refused by name (it cannot be
 * stored), and so is a key that would reach an object's prototype.
 */
export function parseJsonBody(text: string, routeTakesBody: boolean): unknown {
  if (text.trim() === "") {
    if (routeTakesBody) throw EMPTY;
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, "invalid_json", "The body is not valid JSON.", {
      remedy: "Check the quoting, commas and brackets; a JSON validator shows where it breaks.",
    });
  }
  if (text.includes("__proto__") || text.includes("constructor")) {
    const key = prototypeKey(value, "body", 0);
    if (key) {
      throw new HttpError(
        400,
        "forbidden_key",
        `The body has a '${key.name}' key at ${key.path}, which is refused: it could change the prototype of the objects built from the body.`,
        { remedy: `Remove the '${key.name}' key; no field of this API has that name.` },
      );
    }
  }
  const nul = nulInBody(value);
  if (nul) throw nul;
  return value;
}

function prototypeKey(value: unknown, path: string, depth: number): { name: string; path: string } | null {
  if (!value || typeof value !== "object" || depth > 64) return null;
  const entries = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v] as const) : Object.entries(value);
  for (const [key, child] of entries) {
    if (!Array.isArray(value)) {
      if (key === "__proto__") return { name: key, path };
      if (key === "constructor" && child && typeof child === "object" && Object.hasOwn(child, "prototype"))
        return { name: "constructor.prototype", path };
    }
    const found = prototypeKey(child, Array.isArray(value) ? `${path}${key}` : `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}
