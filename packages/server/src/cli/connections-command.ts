import { and, desc, eq, type SQL } from "drizzle-orm";
import { parseConfig } from "../config/config.ts";
import { createLogger } from "../log/logger.ts";
import { openPlatform } from "../platform/open-platform.ts";
import { connections } from "../store/schema.ts";
import type { CommandInput } from "./command-line.ts";
import { printConnections } from "./command-output.ts";
import { reachableServer } from "./local-server.ts";

/** `forcelink connections list`: a table of connections (through a running server's API when there is one). */
export async function connectionsListCommand(input: CommandInput): Promise<number> {
  const values = {
    project: input.string("project"),
    "end-user": input.string("end-user"),
    status: input.string("status"),
  };
  const server = reachableServer();
  if (server) return (await import("./through-api.ts")).connectionsListThroughApi(server, input);
  const platform = await openPlatform(parseConfig(), createLogger("silent"), { jobs: false });
  try {
    const where: SQL[] = [];
    if (values.project) where.push(eq(connections.projectId, values.project));
    if (values["end-user"]) where.push(eq(connections.endUserId, values["end-user"]));
    if (values.status) where.push(eq(connections.status, values.status));
    const rows = await platform.db
      .select({
        id: connections.id,
        projectId: connections.projectId,
        endUserId: connections.endUserId,
        status: connections.status,
        environment: connections.environment,
        orgId: connections.orgId,
        username: connections.username,
        lastRefreshAt: connections.lastRefreshAt,
        statusReason: connections.statusReason,
      })
      .from(connections)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(connections.createdAt));
    printConnections(
      rows.map((r) => ({ ...r, lastRefreshAt: r.lastRefreshAt?.toISOString() ?? null })),
      input.flag("json"),
    );
    return 0;
  } finally {
    await platform.close();
  }
}
