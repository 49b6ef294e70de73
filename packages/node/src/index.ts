/**
 * `@forcelink/node`: the Forcelink API from Node. A client, never a server: it imports nothing of
 * the server, and its types are generated from the server's OpenAPI document (api-types.ts).
 */
export type { paths as ApiPaths, webhooks as ApiWebhooks } from "./api-types.ts";
export { Forcelink, type ProxyInit } from "./client.ts";
export {
  type CheckPointer,
  ForcelinkError,
  ForcelinkTransportError,
  type WebhookFailure,
  WebhookVerificationError,
} from "./errors.ts";
export { type CursorPage, paginate } from "./pages.ts";
export type { StreamedWrite } from "./resources.ts";
export type { Call, ForcelinkOptions } from "./transport.ts";
export type * from "./types.ts";
export {
  DEFAULT_TOLERANCE_SECONDS,
  type HeaderSource,
  SIGNATURE_HEADER,
  type VerifyWebhookOptions,
  verifyWebhook,
} from "./webhook-signature.ts";
