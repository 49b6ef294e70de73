import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { noContent } from "../http/app.ts";
import { notFound } from "../http/http-error.ts";
import type { Clock } from "../platform/clock.ts";
import type { Db } from "../store/database.ts";
import { type ApiKeyVerifier, createApiKey, listApiKeys, revokeApiKey } from "./api-keys.ts";

const keyView = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
});

export function registerKeyRoutes(app: FastifyInstance, db: Db, clock: Clock, verifier?: ApiKeyVerifier): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/api-keys",
    {
      schema: {
        tags: ["api keys"],
        summary: "The project's API keys (never the keys themselves)",
        response: { 200: z.object({ data: z.array(keyView) }) },
      },
    },
    async (req) => ({
      data: await listApiKeys(db, req.projectId),
    }),
  );
  r.post(
    "/api-keys",
    {
      schema: {
        tags: ["api keys"],
        summary: "Create an API key (shown once)",
        body: z.object({ name: z.string().min(1).max(100) }).strict(),
        response: { 201: z.object({ id: z.string(), name: z.string(), prefix: z.string(), key: z.string() }) },
      },
    },
    async (req, reply) => {
      const created = await createApiKey(db, req.projectId, req.body.name);
      return reply.status(201).send({ id: created.id, name: created.name, prefix: created.prefix, key: created.key });
    },
  );
  r.delete(
    "/api-keys/:id",
    {
      schema: {
        tags: ["api keys"],
        summary: "Revoke an API key",
        params: z.object({ id: z.string() }),
        response: { 204: noContent },
      },
    },
    async (req, reply) => {
      if (!(await revokeApiKey(db, req.projectId, req.params.id, clock.now())))
        throw notFound("api key", req.params.id);
      // This process stops honouring it at once; others within the verifier's short cache time.
      verifier?.forget();
      return reply.status(204).send(null);
    },
  );
}
