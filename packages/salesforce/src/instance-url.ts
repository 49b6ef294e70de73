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

export function resolveOnInstance(
  instanceUrl: string,
  pathOrUrl: string,
  query?: Record<string, QueryValue>,
): InstanceTarget {
  const instance = new URL(instanceUrl);
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
