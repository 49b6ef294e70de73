import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { noContent } from "../http/app.ts";
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

const checkPointer = z.object({
  id: z.string(),
  title: z.string(),
  remedy: z.array(z.string()),
  checklist: z.boolean(),
  reason: z.string().optional(),
});
/** What the API shows of a connection: never a token. */
export const connectionSchema = z.object({
  id: z.string(),
  providerAppId: z.string(),
  endUserId: z.string(),
  environment: z.string(),
  authFlow: z.string().describe("web_server, client_credentials or jwt_bearer"),
  status: z.string().describe("active, needs_reauth or error"),
  statusReason: z.string().nullable(),
  reauth: z
    .object({
      error: z.string(),
      description: z.string(),
      reason: z.string().optional(),
      checklistItem: z.string().optional(),
      remedy: z.string().optional(),
      at: z.number().describe("When it was refused, epoch ms"),
      check: checkPointer.nullable(),
    })
    .nullable()
    .describe("Why the customer must connect again, with the check that explains it"),
  orgId: z.string().nullable(),
  userId: z.string().nullable(),
  username: z.string().nullable(),
  instanceUrl: z.string().nullable(),
  scopes: z.array(z.string()),
  hasRefreshToken: z.boolean(),
  lastRefreshAt: z.string().nullable(),
  apiUsage: z
    .object({ used: z.number(), max: z.number() })
    .nullable()
    .describe("The org's daily API requests, as last reported by Salesforce"),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const idParams = z.object({ id: z.string() });

export function registerConnectionRoutes(app: FastifyInstance, platform: Platform): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/connections",
    {
      schema: {
        tags: ["connections"],
        summary: "The project's connections, newest first",
        querystring: z.object({
          endUserId: z.string().optional(),
          status: z.enum(["active", "needs_reauth", "error"]).optional(),
          providerAppId: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ data: z.array(connectionSchema) }) },
      },
    },
    async (req) => ({ data: (await listConnections(platform, req.projectId, req.query)).map(connectionView) }),
  );

  r.get(
    "/connections/:id",
    {
      schema: { tags: ["connections"], summary: "A connection", params: idParams, response: { 200: connectionSchema } },
    },
    async (req) => {
      const row = await findConnection(platform, req.projectId, req.params.id);
      if (!row) throw notFound("connection", req.params.id);
      return connectionView(row);
    },
  );

  r.post(
    "/connections",
    {
      schema: {
        tags: ["connections"],
        summary: "Connect an org server-side (client credentials or JWT bearer)",
        body: serverSideBody,
        response: { 201: connectionSchema },
      },
    },
    async (req, reply) => {
      const appRow = await getProviderAppForProject(platform, req.projectId, req.body.providerAppId);
      if (!appRow) throw notFound("provider app", req.body.providerAppId);
      const row = await connectServerSide(platform, req.projectId, appRow, req.body);
      return reply.status(201).send(connectionView(row));
    },
  );

  // Revokes the grant at Salesforce first, so a deleted connection leaves no live grant behind.
  r.delete(
    "/connections/:id",
    {
      schema: {
        tags: ["connections"],
        summary: "Revoke the grant at Salesforce and delete the connection",
        params: idParams,
        querystring: z.object({ force: forceFlag }),
        response: {
          200: z
            .object({ id: z.string(), deleted: z.literal(true), revoked: z.literal(false), reason: z.string() })
            .describe("Deleted with ?force=true although Salesforce did not confirm the revocation"),
          204: noContent.describe("Deleted, and the grant revoked at Salesforce"),
        },
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
      if (outcome.revoke.revoked || outcome.revoke.alreadyInvalid) return reply.status(204).send(null);
      return reply.status(200).send({ id: row.id, deleted: true, revoked: false, reason: outcome.revoke.reason });
    },
  );
}
