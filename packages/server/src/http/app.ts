import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import fastifySwagger from "@fastify/swagger";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RouteOptions,
} from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { z } from "zod";
import type { Logger } from "../log/logger.ts";
import { answerClientError } from "./client-error.ts";
import { type CheckExplainer, HttpError, httpErrorFrom } from "./http-error.ts";
import { completeDocument, type DocumentAdditions } from "./openapi-document.ts";
import { carriesBody, JSON_ONLY, mediaTypeOf, parseJsonBody, unsupportedMediaType } from "./request-body.ts";
import { controlCharacterProblem, nulInBody, percentEncodingError, requestTargetProblem } from "./request-input.ts";

declare module "fastify" {
  interface FastifySchema {
    /**
     * A body the route reads itself (a manifest in YAML, say), described for the OpenAPI document
     * only: Fastify does not validate it as it would `body`.
     */
    documentedBody?: { mediaTypes: string[]; schema: Record<string, unknown>; description?: string };
  }
  interface FastifyContextConfig {
    /** The route is a page a customer's browser shows: errors answer as a page too. */
    htmlErrors?: boolean;
    /** The body media types the route takes; JSON when not given. */
    bodyTypes?: readonly string[];
  }
}

export const OPENAPI_PATH = "/v1/openapi.json";

/** A 204's response schema: the document shows no body; the route answers `reply.status(204).send(null)`. */
export const noContent = z.null().describe("No content");
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function errorPage(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Forcelink</title></head><body><main><h1>Sorry</h1><p id="error">${escapeHtml(message)}</p></main></body></html>`;
}

/** Errors the framework meets before a route is known (a path whose escapes do not decode, a path too long). */
function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode ?? 400;
  const answer =
    error.code === "FST_ERR_BAD_URL"
      ? percentEncodingError("path")
      : new HttpError(
          status,
          status === 414 ? "uri_too_long" : "invalid_request",
          `The request could not be read: ${error.message}`,
        );
  // No route is known yet: a browser (a customer on a garbled connect link) gets a page.
  if (/^text\/html/.test(String(request.headers.accept ?? "")))
    void reply.status(answer.status).type("text/html; charset=utf-8").send(errorPage(answer.message));
  else void reply.status(answer.status).send(answer.body());
}

/**
 * The Fastify instance with what every route shares: zod validation, the OpenAPI document, and one
 * error shape. Capabilities add their routes to it; they never see Fastify's error machinery.
 */
function sendHttpError(reply: FastifyReply, error: HttpError) {
  if (error.retryAfterSeconds !== undefined) reply.header("retry-after", String(error.retryAfterSeconds));
  return reply.status(error.status).send(error.body());
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every route registered on the app, kept by createHttpApp's onRoute hook. */
    routeList?: RouteOptions[];
  }
}

/** Every route registered on an app made by createHttpApp, as Fastify was given it (HEAD twins included). */
export function registeredRoutes(app: FastifyInstance): readonly RouteOptions[] {
  return app.routeList ?? [];
}

export async function createHttpApp(
  logger: Logger,
  options: {
    publicUrl: string;
    version: string;
    /** Serves some requests before the framework (the proxy); answers false for the rest. */
    intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
    /** Finds the checklist item behind a Salesforce failure that reaches a route. */
    explain?: CheckExplainer;
    /** What the OpenAPI document describes beyond the routes: the proxy, the webhook events. */
    document?: DocumentAdditions;
  },
): Promise<FastifyInstance> {
  const intercept = options.intercept;
  const app = Fastify({
    ...(intercept
      ? {
          serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
            createServer((req, res) => {
              if (!intercept(req, res)) handler(req, res);
            }),
        }
      : {}),
    loggerInstance: logger,
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Ids and connect tokens are far shorter; longer path segments get a clear 404 from the routes.
    routerOptions: { maxParamLength: 16_384 },
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    trustProxy: false,
  }).withTypeProvider<ZodTypeProvider>();
  const routes: RouteOptions[] = [];
  app.addHook("onRoute", (route) => {
    routes.push(route as RouteOptions);
  });
  app.decorate("routeList", routes);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  addInputRules(app as unknown as FastifyInstance);

  await registerDocument(app as unknown as FastifyInstance, options);
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());

  app.setErrorHandler((error, request, reply) => {
    // Pages a customer's browser shows (connect page, callback) answer errors as a page.
    if (request.routeOptions.config?.htmlErrors) {
      const status = (error as { statusCode?: number }).statusCode ?? httpErrorFrom(error, options.explain).status;
      if (status >= 500) request.log.error({ err: error }, "unexpected error");
      // Our own 4xx messages say what was wrong with the request; anything else stays generic.
      const message =
        status === 413
          ? "What was sent is larger than this page accepts."
          : status >= 500
            ? "Something went wrong on our side; please try again."
            : error instanceof HttpError
              ? error.message
              : "This request could not be handled.";
      return reply.status(status).type("text/html; charset=utf-8").send(errorPage(message));
    }
    if (error instanceof HttpError) return sendHttpError(reply, error);
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((v) => ({
        where: `${error.validationContext ?? "body"}${v.instancePath.replace(/\//g, ".")}`.replace(/\.$/, ""),
        problem: v.message,
      }));
      return reply.status(400).send(
        new HttpError(
          400,
          "invalid_request",
          `The request is not valid: ${issues.map((i) => `${i.where}: ${i.problem}`).join("; ")}`,
          {
            remedy: `See ${OPENAPI_PATH} for the expected shape.`,
            details: issues,
          },
        ).body(),
      );
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      const code = (error as { code?: string }).code;
      const known: Record<string, [string, string]> = {
        FST_ERR_CTP_BODY_TOO_LARGE: ["payload_too_large", "The request body is larger than this endpoint accepts."],
        FST_ERR_CTP_INVALID_MEDIA_TYPE: ["unsupported_media_type", "The body's Content-Type is not accepted here."],
      };
      const [c, message] = known[code ?? ""] ?? ["invalid_request", (error as Error).message];
      return reply.status(status).send(new HttpError(status, c, message).body());
    }
    const mapped = httpErrorFrom(error, options.explain);
    if (mapped.status >= 500) request.log.error({ err: error }, "unexpected error");
    return sendHttpError(reply, mapped);
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(
      new HttpError(404, "route_not_found", `There is no ${request.method} ${request.url.split("?")[0]}.`, {
        remedy: `The API is described at ${OPENAPI_PATH}.`,
      }).body(),
    ),
  );
  // Routes declare zod schemas through withTypeProvider; everyone else sees a plain instance.
  return app as unknown as FastifyInstance;
}

/**
 * The OpenAPI document, made from the routes' zod schemas (a body a route reads itself is taken
 * from its `documentedBody`), then completed by completeDocument.
 */
async function registerDocument(
  app: FastifyInstance,
  options: { publicUrl: string; version: string; document?: DocumentAdditions },
): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "Forcelink API", version: options.version, description: "Salesforce integration engine" },
      servers: [{ url: options.publicUrl }],
      components: {
        securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "A project API key (fl_sk_…)" } },
      },
      security: [{ apiKey: [] }],
    },
    transform: (input) => {
      const documented = input.schema?.documentedBody;
      const out = jsonSchemaTransform(input);
      if (!documented || !out.schema) return out;
      const { documentedBody: _described, ...schema } = out.schema as typeof out.schema & { documentedBody?: unknown };
      const { $schema: _dialect, ...body } = documented.schema;
      return {
        ...out,
        schema: { ...schema, body: { ...body, description: documented.description }, consumes: documented.mediaTypes },
      };
    },
    transformObject: (documentObject) =>
      completeDocument(
        ("openapiObject" in documentObject ? documentObject.openapiObject : documentObject) as Parameters<
          typeof completeDocument
        >[0],
        options.document,
      ),
  });
}

/**
 * The input rules every route inherits (the proxy applies the same ones on its own): a query that
 * decodes, a body in a type the route takes, strict JSON, and no control characters in path or
 * query parameters.
 */
function addInputRules(app: FastifyInstance): void {
  app.addHook("onRequest", async (request) => {
    const problem = requestTargetProblem(request.url);
    if (problem) throw problem;
  });
  app.addHook("preParsing", async (request, _reply, payload) => {
    if (request.method === "GET" || request.method === "HEAD" || !carriesBody(request.raw)) return payload;
    const type = mediaTypeOf(request.headers["content-type"]);
    const accepted = request.routeOptions.config?.bodyTypes ?? JSON_ONLY;
    if (!accepted.includes(type)) throw unsupportedMediaType(type, accepted);
    return payload;
  });
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, text, done) => {
    try {
      done(null, parseJsonBody(text as string, request.routeOptions.schema?.body !== undefined));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.addHook("preValidation", async (request) => {
    const problem =
      controlCharacterProblem("path parameter", request.params) ??
      controlCharacterProblem("query parameter", request.query) ??
      // Bodies the JSON reader did not see (forms, YAML) go by the same NUL rule.
      (mediaTypeOf(request.headers["content-type"]) !== "application/json" ? nulInBody(request.body) : null);
    if (problem) throw problem;
  });
}
