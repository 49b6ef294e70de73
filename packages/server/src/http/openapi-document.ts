import { z } from "zod";

/**
 * What the OpenAPI document adds to what the routes declare: the one error shape as a component
 * answering every operation's failures, and what no Fastify route describes (the proxy, served
 * below the framework; the webhook events, which Forcelink sends rather than answers).
 */

/** `{"error": {code, message, remedy?, check?, details?}}`, the one error shape of every route. */
export const errorBody = z
  .object({
    error: z.object({
      code: z.string().describe("Stable, machine-readable: not_found, invalid_request, connection_needs_reauth…"),
      message: z.string().describe("What went wrong, in words"),
      remedy: z.string().optional().describe("What to do about it"),
      check: z
        .object({
          id: z.string().describe("The checklist item that explains the failure"),
          title: z.string(),
          remedy: z.array(z.string()).describe("Steps for the customer's admin"),
          checklist: z.boolean().describe("Whether the pre-install checklist verifies it (run it to confirm a fix)"),
          reason: z.string().optional(),
        })
        .optional(),
      details: z.unknown().optional().describe("Structured details: the invalid fields, a manifest's problems…"),
    }),
  })
  .describe("The one error shape of every Forcelink API error");

export const ERROR_REF = "#/components/schemas/Error";

/** Additions the composition root hands in: paths served outside the framework, and webhooks. */
export interface DocumentAdditions {
  paths?: Record<string, Record<string, unknown>>;
  /** Each event type Forcelink POSTs to the builder's endpoints, with its body. */
  webhooks?: Record<string, { description: string; payload: z.ZodType }>;
  /** Headers every webhook delivery carries (the signature, the event id…). */
  webhookHeaders?: Record<string, string>;
}

type Operation = { responses?: Record<string, unknown>; security?: unknown };
type OpenApiObject = {
  paths?: Record<string, Record<string, Operation>>;
  components?: Record<string, unknown>;
  [key: string]: unknown;
};

const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

export function errorResponse(description: string) {
  return { description, content: { "application/json": { schema: { $ref: ERROR_REF } } } };
}

/** The document as served: every operation answers its failures with the Error component. */
export function completeDocument(document: OpenApiObject, additions: DocumentAdditions = {}): OpenApiObject {
  const paths = { ...document.paths, ...additions.paths } as Record<string, Record<string, Operation>>;
  for (const item of Object.values(paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      operation.responses = {
        ...operation.responses,
        "4XX": errorResponse("The request cannot be served as sent: the error says what and how to fix it"),
        "5XX": errorResponse("Forcelink or Salesforce failed; retryable errors carry Retry-After"),
      };
    }
  }
  const schemas = (document.components?.schemas ?? {}) as Record<string, unknown>;
  return {
    ...document,
    paths,
    ...(additions.webhooks ? { webhooks: webhookItems(additions) } : {}),
    components: {
      ...document.components,
      schemas: { ...schemas, Error: jsonSchemaOf(errorBody) },
    },
  };
}

/** A zod schema as an OpenAPI 3.1 schema object (JSON Schema 2020-12, without its `$schema` line). */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io: "output" });
  return rest;
}

/** OpenAPI 3.1 `webhooks`: one POST per event type, its body the event as delivered. */
function webhookItems(additions: DocumentAdditions): Record<string, unknown> {
  const parameters = Object.entries(additions.webhookHeaders ?? {}).map(([name, description]) => ({
    name,
    in: "header",
    required: true,
    description,
    schema: { type: "string" },
  }));
  const items: Record<string, unknown> = {};
  for (const [type, { description, payload }] of Object.entries(additions.webhooks ?? {}))
    items[type] = {
      post: {
        operationId: `webhook:${type}`,
        summary: type,
        description,
        parameters,
        requestBody: { required: true, content: { "application/json": { schema: jsonSchemaOf(payload) } } },
        responses: {
          "2XX": { description: "Received: any 2xx ends the delivery; anything else is retried with backoff" },
        },
      },
    };
  return items;
}
