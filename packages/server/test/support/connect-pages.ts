import { DEMO } from "@forcelink/emulator";
import { type AuthorizeOutcome, type CookieJar, completeAuthorize } from "@forcelink/emulator/testing";
import { expect } from "vitest";
import type { Api } from "./api-client.ts";

/* The connect page and Salesforce's pages, driven over HTTP as a browser would. */

export interface CreatedSession {
  id: string;
  url: string;
  popupUrl: string;
  status: string;
}

export async function createConnectSession(h: { api: Api }, body: Record<string, unknown>): Promise<CreatedSession> {
  const res = await h.api("/v1/connect-sessions", { method: "POST", body });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`connect session not created: ${res.status} ${text}`);
  return JSON.parse(text) as CreatedSession;
}

export interface SessionView {
  id: string;
  status: string;
  environment: string | null;
  myDomain: string | null;
  connectionId: string | null;
  error: { code: string; message: string } | null;
  hint: string | null;
}

export async function sessionStatus(h: { api: Api }, id: string): Promise<SessionView> {
  const res = await h.api(`/v1/connect-sessions/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as SessionView;
}

/** Posts the connect page's form; answers the redirect to Salesforce's authorize page (303) or the page shown instead. */
export async function submitConnectPage(
  pageUrl: string,
  form: Record<string, string>,
): Promise<{ status: number; location: string | null; html: string }> {
  const res = await fetch(pageUrl, { method: "POST", body: new URLSearchParams(form), redirect: "manual" });
  return { status: res.status, location: res.headers.get("location"), html: await res.text() };
}

export async function getPage(url: string): Promise<{ status: number; html: string; headers: Headers }> {
  const res = await fetch(url, { redirect: "manual" });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

export interface ConnectRun {
  session: CreatedSession;
  authorizeUrl: string;
  outcome: AuthorizeOutcome;
  /** Where Salesforce sent the browser: Forcelink's callback (or Salesforce's error page). */
  callbackUrl: string;
  result: { status: number; html: string };
}

export interface ConnectOptions {
  providerAppId: string;
  endUserId?: string;
  form?: Record<string, string>;
  sessionBody?: Record<string, unknown>;
  username?: string;
  password?: string;
  approve?: boolean;
  jar?: CookieJar;
  /** Runs between Salesforce's redirect and the browser loading the callback. */
  beforeCallback?: (callbackUrl: string) => void | Promise<void>;
  popup?: boolean;
}

/** The whole web-server flow: connect session, connect page, Salesforce's pages, the callback. */
export async function connectThroughPages(h: { api: Api }, options: ConnectOptions): Promise<ConnectRun> {
  const session = await createConnectSession(h, {
    providerAppId: options.providerAppId,
    endUserId: options.endUserId ?? "customer-e2e",
    ...options.sessionBody,
  });
  const pageUrl = options.popup ? session.popupUrl : session.url;
  const start = await submitConnectPage(pageUrl, options.form ?? { environment: "production" });
  if (start.status !== 303 || !start.location)
    throw new Error(
      `the connect page did not send the browser to Salesforce: ${start.status} ${start.html.slice(0, 300)}`,
    );
  const outcome = await completeAuthorize(
    start.location,
    options.username ?? DEMO.integration.username,
    options.password ?? DEMO.integration.password,
    { approve: options.approve, jar: options.jar },
  );
  await options.beforeCallback?.(outcome.location);
  const res = await fetch(outcome.location, { redirect: "manual" });
  return {
    session,
    authorizeUrl: start.location,
    outcome,
    callbackUrl: outcome.location,
    result: { status: res.status, html: await res.text() },
  };
}

/** The visible text of an HTML page, tags dropped and entities decoded, whitespace collapsed. */
export function pageText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/gi, " ")
    .replace(/<style[\s\S]*?<\/style>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

/** The `<li>` items of the result page's remedy list (id="remedy"). */
export function remedySteps(html: string): string[] {
  const list = /<ol id="remedy">([\s\S]*?)<\/ol>/.exec(html);
  if (!list) return [];
  return [...list[1].matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => pageText(m[1]));
}

export async function connectionView(
  h: { api: Api },
  id: string,
): Promise<Record<string, unknown> & { status: string }> {
  const res = await h.api(`/v1/connections/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown> & { status: string };
}
