import type { Manifest, ManifestDestination } from "./manifest-schema.ts";

/**
 * Destination URLs carry credentials: the Postgres password, and sometimes a token in the query
 * (https://example.com/hook?token=...). A redacted manifest is safe to show back through the API
 * and to log; manifestSecrets lists what a caller must seal before storing a manifest.
 */

export const REDACTED = "***";

/** Query parameters whose values are treated as secrets. */
const SECRET_PARAM = /pass|pwd|token|secret|key|auth|signature|sig$|credential/i;

/** A copy of the manifest with every destination URL redacted. */
export function redactManifest(manifest: Manifest): Manifest {
  const destinations: Record<string, ManifestDestination> = {};
  for (const [name, destination] of Object.entries(manifest.destinations))
    destinations[name] =
      "url" in destination ? { ...destination, url: redactUrl(destination.url) } : { ...destination };
  return {
    ...manifest,
    destinations,
    objects: manifest.objects.map((object) => ({
      ...object,
      fields: object.fields === "all" ? "all" : [...object.fields],
      backfill: { ...object.backfill },
      destinations: [...object.destinations],
    })),
    ...(manifest.writes
      ? {
          writes: {
            ...manifest.writes,
            objects: manifest.writes.objects.map((o) => ({
              ...o,
              operations: [...o.operations],
              fields: [...o.fields],
            })),
          },
        }
      : {}),
  };
}

/** The URL with its password and secret-looking query values replaced by ***; a URL that does not parse is hidden whole. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return REDACTED;
  }
  if (url.password) url.password = REDACTED;
  if (url.search) {
    const params = url.search
      .slice(1)
      .split("&")
      .map((param) => {
        const [name, ...value] = param.split("=");
        return value.length > 0 && value.join("=") !== "" && SECRET_PARAM.test(decode(name))
          ? `${name}=${REDACTED}`
          : param;
      });
    url.search = `?${params.join("&")}`;
  }
  return url.href;
}

/**
 * The secret strings a manifest holds: every password (as written and decoded), every secret query
 * value, and each URL that holds any of them, whole. Deduplicated, in manifest order.
 */
export function manifestSecrets(manifest: Manifest): string[] {
  const secrets = new Set<string>();
  for (const destination of Object.values(manifest.destinations)) {
    if (!("url" in destination)) continue;
    const found = urlSecrets(destination.url);
    if (found.length > 0) secrets.add(destination.url);
    for (const secret of found) secrets.add(secret);
  }
  return [...secrets];
}

function urlSecrets(raw: string): string[] {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return [raw];
  }
  const found: string[] = [];
  if (url.username || url.password) found.push(raw);
  if (url.password) found.push(url.password, decode(url.password));
  for (const param of url.search.slice(1).split("&")) {
    const [name, ...value] = param.split("=");
    const text = value.join("=");
    if (value.length > 0 && text !== "" && SECRET_PARAM.test(decode(name))) found.push(text, decode(text));
  }
  return found.filter((secret, index) => secret !== "" && found.indexOf(secret) === index);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}
