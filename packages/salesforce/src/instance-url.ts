/**
 * The client calls one host: the instance URL its token names. Paths are resolved against it and
 * anything that would land elsewhere (an absolute URL to another host, `//host/…`, `/\host`) is
 * refused, so neither a caller nor a Salesforce answer can send the bearer token off the org.
 */
export class OffInstanceUrlError extends Error {
  override readonly name = "OffInstanceUrlError";
  constructor(target: string) {
    super(`refusing to call ${target}: requests go only to the org's instance URL`);
  }
}

export type QueryValue = string | number | boolean | undefined;

export interface InstanceTarget {
  origin: string;
  /** Path and query string, as sent on the request line. */
  path: string;
}

/**
 * A rooted path (and query) the URL parser would leave exactly as it is: unreserved and sub-delimiter characters,
 * `:`, `@`, `/` and `%` escapes, no `//` or `/\\` at its start, no `'` (escaped in a query), no dot segment (plain
 * or escaped). Such a path cannot leave the origin, so the hot path need not parse it.
 */
const PLAIN_PATH = /^\/(?![/\\])[A-Za-z0-9\-_~!$&()*+,;=:@%/.]*(?:\?[A-Za-z0-9\-._~!$&()*+,;=:@%/?]*)?$/;
const DOT_SEGMENT = /\/(?:\.|%2e)/i;

export function resolveOnInstance(
  instanceUrl: string,
  pathOrUrl: string,
  query?: Record<string, QueryValue>,
): InstanceTarget {
  return resolveOnOrigin(new URL(instanceUrl).origin, pathOrUrl, query);
}

/** resolveOnInstance for an instance already reduced to its origin (`new URL(instanceUrl).origin`). */
export function resolveOnOrigin(origin: string, pathOrUrl: string, query?: Record<string, QueryValue>): InstanceTarget {
  if (query === undefined && PLAIN_PATH.test(pathOrUrl)) {
    const q = pathOrUrl.indexOf("?");
    if (!DOT_SEGMENT.test(q < 0 ? pathOrUrl : pathOrUrl.slice(0, q))) return { origin, path: pathOrUrl };
  }
  const instance = new URL(origin);
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl);
  if (!absolute && !pathOrUrl.startsWith("/"))
    throw new TypeError(`a request path starts with "/": got "${clip(pathOrUrl)}"`);
  let target: URL;
  try {
    target = new URL(pathOrUrl, instance.origin);
  } catch {
    throw new TypeError(`not a request path: "${clip(pathOrUrl)}"`);
  }
  if (target.origin !== instance.origin || target.username || target.password)
    throw new OffInstanceUrlError(target.origin);
  for (const [key, value] of Object.entries(query ?? {}))
    if (value !== undefined) target.searchParams.append(key, String(value));
  return { origin: instance.origin, path: `${target.pathname}${target.search}` };
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
