/** Calls the Forcelink API: JSON bodies (a string body is sent as is), other headers as given. */
export type Api = (
  path: string,
  init?: { method?: string; body?: unknown; headers?: Record<string, string> },
) => Promise<Response>;

/** Calls a Forcelink server's API with one key. */
export function apiWith(baseUrl: string, key: string): Api {
  return (path, init = {}) =>
    fetch(`${baseUrl}${path}`, {
      method: init.method ?? "GET",
      headers: {
        authorization: `Bearer ${key}`,
        ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
    });
}

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely and assert on them
type Json = any;

/** The same calls, answered as status and parsed body, for suites that assert on JSON alone. */
export function jsonApiWith(baseUrl: string, key: string) {
  const api = apiWith(baseUrl, key);
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const res = await api(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
}
