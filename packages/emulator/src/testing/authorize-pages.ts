import { createHash, randomBytes } from "node:crypto";

/**
 * Drives the emulator's authorize pages the way a browser would, without one: follows their
 * redirects, keeps their cookies, fills and posts their HTML forms. Suites use it to get codes
 * and tokens through the real web-server and user-agent flows.
 */

/** Cookies by origin. The emulator's hosts are ports of one address, so origins keep them apart. */
export class CookieJar {
  private readonly byOrigin = new Map<string, Map<string, string>>();

  header(url: string): string | undefined {
    const cookies = this.byOrigin.get(new URL(url).origin);
    if (!cookies || cookies.size === 0) return undefined;
    return [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  store(url: string, response: Response): void {
    const origin = new URL(url).origin;
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const cookies = this.byOrigin.get(origin) ?? new Map<string, string>();
      cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      this.byOrigin.set(origin, cookies);
    }
  }

  clear(): void {
    this.byOrigin.clear();
  }
}

export interface FormField {
  name: string;
  value: string;
  type: string;
  id?: string;
}

export interface HtmlForm {
  id?: string;
  action: string;
  method: string;
  fields: FormField[];
}

/** A fetched page: either a redirect (location resolved against the page) or HTML. */
export interface Page {
  url: string;
  status: number;
  location?: string;
  html: string;
}

export class AuthorizeFlowError extends Error {
  readonly page: Page;
  constructor(message: string, page: Page) {
    super(message);
    this.page = page;
  }
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

function attributes(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z_:][\w:.-]*)(?:\s*=\s*"([^"]*)")?/g))
    attrs[m[1].toLowerCase()] = decodeEntities(m[2] ?? "");
  return attrs;
}

/** The forms of a page with their inputs; enough HTML parsing for the emulator's own pages. */
export function parseForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attrs = attributes(m[1]);
    const fields: FormField[] = [];
    for (const input of m[2].matchAll(/<input\b([^>]*)>/gi)) {
      const a = attributes(input[1]);
      if (!a.name) continue;
      fields.push({ name: a.name, value: a.value ?? "", type: (a.type ?? "text").toLowerCase(), id: a.id });
    }
    forms.push({ id: attrs.id, action: attrs.action ?? "", method: (attrs.method ?? "get").toUpperCase(), fields });
  }
  return forms;
}

/** The text of the page's #error element (the login page's message, the error page's code). */
export function pageError(html: string): string | undefined {
  const m = /<[a-z]+\b[^>]*\bid="error"[^>]*>([\s\S]*?)<\/[a-z]+>/i.exec(html);
  return m ? decodeEntities(m[1].replace(/<[^>]+>/g, "").trim()) : undefined;
}

export async function openPage(url: string, jar: CookieJar, init: RequestInit = {}): Promise<Page> {
  const cookie = jar.header(url);
  const headers = new Headers(init.headers);
  if (cookie) headers.set("cookie", cookie);
  const response = await fetch(url, { ...init, headers, redirect: "manual" });
  jar.store(url, response);
  const location = response.headers.get("location");
  const html = await response.text();
  return { url, status: response.status, location: location ? new URL(location, url).toString() : undefined, html };
}

/**
 * Posts a form as a browser would: its fields with `values` filled in, and of its submit buttons
 * only the one clicked (`submit`, by name).
 */
export async function submitForm(
  page: Page,
  form: HtmlForm,
  values: Record<string, string>,
  submit: string | undefined,
  jar: CookieJar,
): Promise<Page> {
  const body = new URLSearchParams();
  for (const f of form.fields) {
    if (f.type === "submit" && f.name !== submit) continue;
    body.append(f.name, values[f.name] ?? f.value);
  }
  const url = new URL(form.action || page.url, page.url).toString();
  return openPage(url, jar, {
    method: form.method,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.method === "GET" ? undefined : body.toString(),
  });
}

export interface CompleteAuthorizeOptions {
  /** Click Allow (the default) or Deny on the approval page. */
  approve?: boolean;
  /** Reuse a browser's cookies, e.g. to authorize again while logged in. */
  jar?: CookieJar;
}

export interface AuthorizeOutcome {
  /** Where the flow left the emulator: the app's callback, or Salesforce's OAuth error page. */
  location: string;
  jar: CookieJar;
  /** Which pages were shown on the way, in order: "login", "consent". */
  pages: Array<"login" | "consent">;
}

function isAuthorizeUrl(target: string, origin: string): boolean {
  const url = new URL(target);
  return url.origin === origin && url.pathname.toLowerCase().startsWith("/services/oauth2/authorize");
}

/**
 * Runs an authorize URL to its end: logs in with the credentials when the login page shows,
 * answers the approval page, and returns the redirect that leaves the authorize pages.
 * Throws AuthorizeFlowError when a page can't be completed (e.g. the login was refused).
 */
export async function completeAuthorize(
  authorizeUrl: string,
  username: string,
  password: string,
  options: CompleteAuthorizeOptions = {},
): Promise<AuthorizeOutcome> {
  const jar = options.jar ?? new CookieJar();
  const origin = new URL(authorizeUrl).origin;
  const pages: AuthorizeOutcome["pages"] = [];
  let page = await openPage(authorizeUrl, jar);
  for (let step = 0; step < 10; step++) {
    if (page.location) {
      if (!isAuthorizeUrl(page.location, origin)) return { location: page.location, jar, pages };
      page = await openPage(page.location, jar);
      continue;
    }
    if (page.status !== 200)
      throw new AuthorizeFlowError(
        `authorize page answered ${page.status}: ${pageError(page.html) ?? page.html.slice(0, 200)}`,
        page,
      );
    const forms = parseForms(page.html);
    const login = forms.find((f) => f.fields.some((x) => x.name === "username"));
    const consent = forms.find((f) => f.fields.some((x) => x.name === "oaapprove"));
    if (login) {
      if (pages.includes("login") && pageError(page.html))
        throw new AuthorizeFlowError(`login refused: ${pageError(page.html)}`, page);
      pages.push("login");
      page = await submitForm(page, login, { username, pw: password }, "Login", jar);
    } else if (consent) {
      pages.push("consent");
      page = await submitForm(page, consent, {}, options.approve === false ? "oadeny" : "oaapprove", jar);
    } else {
      throw new AuthorizeFlowError(`unexpected page: ${pageError(page.html) ?? page.html.slice(0, 200)}`, page);
    }
  }
  throw new AuthorizeFlowError("the authorize pages did not finish in 10 steps", page);
}

export function buildAuthorizeUrl(hostUrl: string, params: Record<string, string | undefined>): string {
  const url = new URL("/services/oauth2/authorize", hostUrl);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

/** A PKCE verifier and its S256 challenge; jsforce-sized (171 characters) by default. */
export function pkcePair(bytes = 128): { verifier: string; challenge: string } {
  const verifier = randomBytes(bytes).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** The parameters a callback URL carries, from its query or (user-agent flow) its fragment. */
export function callbackParams(location: string): URLSearchParams {
  const url = new URL(location);
  return url.hash.length > 1 ? new URLSearchParams(url.hash.slice(1)) : url.searchParams;
}

export interface AuthorizationCode extends AuthorizeOutcome {
  code: string;
  /** The `state` the callback carries back, if the authorize URL had one. */
  state: string | null;
}

/**
 * The browser's half of the web-server flow: logs in and approves on the emulator's real pages
 * and gives the code the callback carries. Throws AuthorizeFlowError when the flow ends without one.
 */
export async function authorizationCode(
  authorizeUrl: string,
  username: string,
  password: string,
  options: CompleteAuthorizeOptions = {},
): Promise<AuthorizationCode> {
  const outcome = await completeAuthorize(authorizeUrl, username, password, options);
  const params = callbackParams(outcome.location);
  const code = params.get("code");
  if (!code) {
    const page = { url: outcome.location, status: 302, location: outcome.location, html: "" };
    throw new AuthorizeFlowError(`the authorize pages ended without a code: ${outcome.location}`, page);
  }
  return { ...outcome, code, state: params.get("state") };
}

/** Loads the callback the flow ended on, as the browser does next: the app's own answer to it. */
export async function followToCallback(
  outcome: AuthorizeOutcome,
): Promise<{ status: number; headers: Headers; html: string }> {
  const response = await fetch(outcome.location, { redirect: "manual" });
  return { status: response.status, headers: response.headers, html: await response.text() };
}
