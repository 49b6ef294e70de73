import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";

/** Where the server serves `@forcelink/connect`, the browser helper: a stable path to put in a <script> tag. */
export const CONNECT_HELPER_PATH = "/connect.js";

/**
 * Serves the `@forcelink/connect` package's script as is, read once at start-up. Builders' pages
 * on other origins load it, so it may be fetched and embedded cross-origin; it carries no secret.
 */
export function registerConnectHelperRoute(app: FastifyInstance): void {
  const script = readFileSync(fileURLToPath(import.meta.resolve("@forcelink/connect/forcelink-connect.js")));
  const etag = `"${createHash("sha256").update(script).digest("base64url").slice(0, 27)}"`;
  app.get(CONNECT_HELPER_PATH, { schema: { hide: true } }, async (req, reply) => {
    reply
      .header("content-type", "text/javascript; charset=utf-8")
      .header("cache-control", "public, max-age=300")
      .header("etag", etag)
      .header("access-control-allow-origin", "*")
      .header("cross-origin-resource-policy", "cross-origin")
      .header("x-content-type-options", "nosniff");
    if (req.headers["if-none-match"] === etag) return reply.status(304).send();
    return reply.send(script);
  });
}
