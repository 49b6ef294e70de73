import { errorResponse } from "../http/openapi-document.ts";
import { PROXY_API_PATHS } from "./proxy-handler.ts";

/**
 * The proxy's entry in the OpenAPI document. It is served below the framework (proxy-handler.ts),
 * so no Fastify route describes it: this does, and the document test checks it is there.
 */
export const PROXY_DOCUMENT_PATH = "/v1/connections/{id}/proxy/{path}";

export function proxyPathDocument(): Record<string, Record<string, unknown>> {
  const operation = (method: string) => ({
    tags: ["connections"],
    operationId: `proxy${method[0].toUpperCase()}${method.slice(1)}`,
    summary: `${method.toUpperCase()} a Salesforce API path of the connection's org, with its token`,
    description: [
      "The call goes to the connection's own instance with its access token (refreshed and retried once",
      "on INVALID_SESSION_ID); the body streams both ways and Salesforce's answer (status, headers, body)",
      `is passed through. Paths served: ${PROXY_API_PATHS.join(", ")} and below. A refusal that a`,
      "checklist item explains carries Forcelink-Check and Forcelink-Remedy headers.",
    ].join(" "),
    parameters: [
      { name: "id", in: "path", required: true, schema: { type: "string" }, description: "The connection's id" },
      {
        name: "path",
        in: "path",
        required: true,
        schema: { type: "string" },
        description: "The Salesforce path with its query, e.g. services/data/v67.0/query?q=SELECT+Id+FROM+Account",
      },
    ],
    ...(method === "get" || method === "delete"
      ? {}
      : { requestBody: { required: false, content: { "*/*": { schema: {} } } } }),
    responses: {
      "2XX": {
        description: "Salesforce's answer, passed through",
        content: { "*/*": { schema: {} } },
      },
      "409": errorResponse("connection_needs_reauth: the customer must connect again (with check and remedy)"),
    },
  });
  return {
    [PROXY_DOCUMENT_PATH]: {
      get: operation("get"),
      post: operation("post"),
      put: operation("put"),
      patch: operation("patch"),
      delete: operation("delete"),
    },
  };
}
