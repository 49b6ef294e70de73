/**
 * A console user over plain HTTP, as a browser would be: a session cookie, the CSRF token read
 * from the pages, and form posts from the console's own origin unless told otherwise.
 */
export interface ConsoleUser {
  cookie: string;
  csrf: string;
  get(path: string): Promise<{ status: number; html: string; location: string | null }>;
  post(
    path: string,
    form: Record<string, string>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; html: string; location: string | null }>;
}

export const csrfIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

export async function consoleRequest(
  baseUrl: string,
  path: string,
  init: { method?: string; cookie?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? (init.form ? "POST" : "GET"),
    redirect: "manual",
    headers: {
      ...(init.cookie ? { cookie: init.cookie } : {}),
      ...(init.form ? { "content-type": "application/x-www-form-urlencoded", origin: baseUrl } : {}),
      ...init.headers,
    },
    body: init.form ? new URLSearchParams(init.form).toString() : undefined,
  });
  return {
    status: res.status,
    html: await res.text(),
    location: res.headers.get("location"),
    setCookie: res.headers.get("set-cookie"),
  };
}

/** Signs in with an API key and reads the CSRF token from the overview. */
export async function signIn(baseUrl: string, key: string): Promise<ConsoleUser> {
  const answer = await consoleRequest(baseUrl, "/sign-in", { form: { key } });
  if (answer.status !== 303 || !answer.setCookie) throw new Error(`sign-in failed: ${answer.status} ${answer.html}`);
  const cookie = answer.setCookie.split(";")[0];
  const overview = await consoleRequest(baseUrl, "/", { cookie });
  return {
    cookie,
    csrf: csrfIn(overview.html),
    get: (path) => consoleRequest(baseUrl, path, { cookie }),
    post: (path, form, headers) => consoleRequest(baseUrl, path, { cookie, form, headers }),
  };
}
