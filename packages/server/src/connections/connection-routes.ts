import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { HttpError, notFound } from "../http/http-error.ts";
import type { Platform } from "../platform/platform.ts";
import { getProviderAppForProject } from "../provider-apps/provider-app-store.ts";
import { connectionView, findConnection, listConnections } from "./connection-store.ts";
import { disconnect, forceFlag } from "./disconnect.ts";
import { connectServerSide } from "./server-side-connect.ts";

const environment = z.enum(["production", "sandbox", "mydomain"]);

const serverSideBody = z.discriminatedUnion("flow", [
  z
    .object({
      flow: z.literal("client_credentials"),
      providerAppId: z.string().min(1),
      endUserId: z.string().min(1).max(200),
      myDomain: z.string().min(1),
    })
    .strict(),
  z
    .object({
      flow: z.literal("jwt_bearer"),
      providerAppId: z.string().min(1),
      endUserId: z.string().min(1).max(200),
      environment: environment.default("production"),
      myDomain: z.string().min(1).optional(),
      username: z.string().min(3).optional(),
    })
    .strict(),
]);

export function registerConnectionRoutes(app: FastifyInstance, platform: Platform): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/connections",
    {
      schema: {
        tags: ["connections"],
        querystring: z.object({
          endUserId: z.string().optional(),
          status: z.enum(["active", "needs_reauth", "error"]).optional(),
          providerAppId: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
    },
    async (req) => ({ data: (await listConnections(platform, req.projectId, req.query)).map(connectionView) }),
  );

  r.get(
    "/connections/:id",
    { schema: { tags: ["connections"], params: z.object({ id: z.string() }) } },
    async (req) => {
      const row = await findConnection(platform, req.projectId, req.params.id);
      if (!row) throw notFound("connection", req.params.id);
      return connectionView(row);
    },
  );

  r.post("/connections", { schema: { tags: ["connections"], body: serverSideBody } }, async (req, reply) => {
    const appRow = await getProviderAppForProject(platform, req.projectId, req.body.providerAppId);
    if (!appRow) throw notFound("provider app", req.body.providerAppId);
    const row = await connectServerSide(platform, req.projectId, appRow, req.body);
    return reply.status(201).send(connectionView(row));
  });

  // Revokes the grant at Salesforce first, so a deleted connection leaves no live grant behind.
  r.delete(
    "/connections/:id",
    {
      schema: {
        tags: ["connections"],
        params: z.object({ id: z.string() }),
        querystring: z.object({ force: forceFlag }),
      },
    },
    async (req, reply) => {
      const row = await findConnection(platform, req.projectId, req.params.id);
      if (!row) throw notFound("connection", req.params.id);
      const outcome = await disconnect(platform, row, { force: req.query.force });
      if (!outcome.deleted)
        throw new HttpError(
          502,
          "salesforce_unreachable",
          `The connection was kept: ${outcome.revoke.reason}, so its grant may still be live.`,
          {
            remedy:
              "Try again once Salesforce answers, or pass ?force=true to delete the connection anyway and revoke the app's access in Salesforce (Setup → Connected Apps OAuth Usage).",
          },
        );
      if (outcome.revoke.revoked || outcome.revoke.alreadyInvalid) return reply.status(204).send();
      return reply.status(200).send({ id: row.id, deleted: true, revoked: false, reason: outcome.revoke.reason });
    },
  );
}
