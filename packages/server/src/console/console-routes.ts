import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { esc } from "../connect/html.ts";
import { HttpError, httpErrorFrom } from "../http/http-error.ts";
import type { Platform } from "../platform/platform.ts";
import type { CheckPointer } from "../remedies/problem.ts";
import { CONSOLE_SECURITY_HEADERS, layout } from "./console-html.ts";
import { type ConsoleSession, csrfMatches, SESSION_COOKIE, sessionOf } from "./console-session.ts";

const FORM = "application/x-www-form-urlencoded";
const HTML = "text/html; charset=utf-8";

/** What a page handler is given: the signed-in project, its CSRF token, and the request's input. */
export interface ConsoleContext {
  platform: Platform;
  projectId: string;
  session: ConsoleSession;
  params: Record<string, string>;
  query: Record<string, string>;
  form: Record<string, string>;
  /** Renders a page in the console's frame, `section` being its navigation entry. */
  page(section: string, title: string, body: string): string;
}

/** A page's answer: HTML (200 unless a status is given) or a redirect after a change. */
export type ConsoleAnswer = string | { status: number; html: string } | { redirect: string; cookie?: string };
export type ConsoleHandler = (ctx: ConsoleContext) => Promise<ConsoleAnswer>;

/** What a page module registers its routes on: one file per page, each given this. */
export interface ConsoleRouter {
  get(path: string, handler: ConsoleHandler): void;
  post(path: string, handler: ConsoleHandler): void;
}

export type ConsolePage = (router: ConsoleRouter) => void;

declare module "fastify" {
  interface FastifyRequest {
    consoleSession?: ConsoleSession | null;
  }
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** The cookie that holds the session: never readable by a script, never sent cross-site. */
export function sessionCookie(platform: Platform, token: string, maxAgeSeconds: number): string {
  const secure = platform.config.publicUrl.startsWith("https:") ? "; Secure" : "";
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`;
}

/**
 * A form post from another site is refused before anything else looks at it: browsers say where a
 * request comes from (Sec-Fetch-Site, Origin), and the console accepts only its own pages.
 */
export function crossSiteProblem(request: FastifyRequest, publicUrl: string): HttpError | null {
  const site = request.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin")
    return forbidden(`This form was sent from another site (Sec-Fetch-Site: ${site}).`);
  const origin = request.headers.origin;
  if (origin === undefined) return null;
  const scheme = publicUrl.startsWith("https:") ? "https" : "http";
  const own = [new URL(publicUrl).origin, `${scheme}://${request.headers.host ?? ""}`];
  return own.includes(origin) ? null : forbidden("This form was sent from another site.");
}

function forbidden(message: string): HttpError {
  return new HttpError(403, "cross_site_request", message, {
    remedy: "Use the console's own pages to make changes; open it again from its address.",
  });
}

function send(reply: FastifyReply, answer: ConsoleAnswer) {
  if (typeof answer === "string") return reply.status(200).type(HTML).send(answer);
  if ("redirect" in answer) {
    if (answer.cookie) reply.header("set-cookie", answer.cookie);
    return reply.status(303).header("location", answer.redirect).send();
  }
  return reply.status(answer.status).type(HTML).send(answer.html);
}

/** The checklist check behind an error, with its remedy step by step, for the customer's admin. */
function checkSteps(check: CheckPointer): string {
  const steps = check.remedy.map((step) => `<li>${esc(step)}</li>`).join("");
  return `<p id="check"><strong>${esc(check.title)}</strong>${check.reason ? ` ${esc(check.reason)}` : ""}</p><ol class="remedy">${steps}</ol>`;
}

/** Any error as a console page: our 4xx say what was wrong and how to fix it; anything else stays generic. */
function errorAnswer(request: FastifyRequest, error: unknown): { status: number; html: string } {
  const mapped =
    error instanceof HttpError
      ? error
      : (error as { statusCode?: number }).statusCode === 413
        ? new HttpError(413, "payload_too_large", "What was sent is larger than the console accepts.")
        : httpErrorFrom(error);
  if (mapped.status >= 500) request.log.error({ err: error }, "unexpected error in the console");
  const message = mapped.status >= 500 ? "Something went wrong on our side; please try again." : mapped.message;
  const session = request.consoleSession;
  const html = layout(
    "Problem",
    `<h1>${mapped.status === 404 ? "Not found" : "That did not work"}</h1><div class="error" id="error" data-status="${mapped.status}"><strong>${esc(message)}</strong>${
      mapped.remedy && mapped.status < 500 ? `<p id="remedy">${esc(mapped.remedy)}</p>` : ""
    }${mapped.check && mapped.status < 500 ? checkSteps(mapped.check) : ""}</div><p><a href="${session ? "/" : "/sign-in"}">Back to the console</a></p>`,
    session ? { section: "", csrf: session.csrf } : null,
  );
  return { status: mapped.status, html };
}

const signedOut = () =>
  new HttpError(
    401,
    "signed_out",
    "You are not signed in, or your session ended (it expired or its key was revoked).",
    {
      remedy: "Sign in again with a project API key at /sign-in.",
    },
  );

/**
 * The console in a scope of its own: form bodies, the session cookie, CSRF checks on every post,
 * errors as pages, and the pages each module adds. Everything but the sign-in page needs a session.
 */
export function registerConsoleScope(
  scope: FastifyInstance,
  platform: Platform,
  pages: { open: ConsolePage[]; signedIn: ConsolePage[] },
): void {
  scope.addContentTypeParser(FORM, { parseAs: "string", bodyLimit: 600 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  scope.addHook("onSend", async (_req, reply, payload) => {
    reply.headers(CONSOLE_SECURITY_HEADERS);
    return payload;
  });
  scope.setErrorHandler((error, request, reply) => send(reply, errorAnswer(request, error)));
  scope.addHook("onRequest", async (request) => {
    request.consoleSession = await sessionOf(platform, readCookie(request.headers.cookie, SESSION_COOKIE));
    if (request.method === "POST") {
      const problem = crossSiteProblem(request, platform.config.publicUrl);
      if (problem) throw problem;
    }
  });
  const router = (signedIn: boolean): ConsoleRouter => {
    const add = (method: "GET" | "POST") => (path: string, handler: ConsoleHandler) => {
      scope.route({
        method,
        url: path,
        config: { bodyTypes: [FORM] },
        schema: { hide: true },
        handler: async (request, reply) => {
          const session = request.consoleSession ?? null;
          if (signedIn && !session) {
            if (method === "GET") return reply.status(303).header("location", "/sign-in").send();
            throw signedOut();
          }
          const form = (request.body ?? {}) as Record<string, string>;
          if (signedIn && method === "POST" && !csrfMatches(session!, form.csrf))
            throw new HttpError(403, "csrf_token_invalid", "This form's security token is missing or out of date.", {
              remedy: "Reload the page and send the form again.",
            });
          const ctx: ConsoleContext = {
            platform,
            projectId: session?.projectId ?? "",
            session: session!,
            params: request.params as Record<string, string>,
            query: request.query as Record<string, string>,
            form,
            page: (section, title, body) =>
              layout(title, body, { section, csrf: session?.csrf, done: (request.query as { done?: string }).done }),
          };
          return send(reply, await handler(ctx));
        },
      });
    };
    return { get: add("GET"), post: add("POST") };
  };
  for (const page of pages.open) page(router(false));
  for (const page of pages.signedIn) page(router(true));
}

/** A form field, trimmed, or a 400 that names it. */
export function field(form: Record<string, string>, name: string, label: string, max = 500): string {
  const value = (form[name] ?? "").trim();
  if (!value) throw new HttpError(400, "invalid_form", `${label} is required.`, { remedy: `Fill in ${label}.` });
  if (value.length > max)
    throw new HttpError(400, "invalid_form", `${label} is longer than ${max} characters.`, {
      remedy: `Shorten ${label}.`,
    });
  return value;
}

export function notFoundPage(what: string, id: string): HttpError {
  return new HttpError(404, "not_found", `There is no ${what} '${id.slice(0, 120)}' in this project.`, {
    remedy: `Pick one from the list of ${what}s.`,
  });
}
