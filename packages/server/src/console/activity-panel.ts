import { activityPage } from "../activity/activity-store.ts";
import { esc } from "../connect/html.ts";
import type { ConnectionRow } from "../connections/connection-store.ts";
import type { Platform } from "../platform/platform.ts";
import { statusBadge, table, when } from "./console-html.ts";

/** How many of a connection's latest activity rows its page shows; the API pages the rest. */
const TIMELINE_ROWS = 30;

/** The connection page's activity timeline: its latest operations, newest first. */
export async function activityPanel(platform: Platform, connection: ConnectionRow): Promise<string> {
  const rows = await activityPage(platform, connection.projectId, {
    connectionId: connection.id,
    limit: TIMELINE_ROWS,
  });
  const cells = rows.map((r) => [when(r.at), esc(r.kind.replace(/_/g, " ")), statusBadge(r.level), esc(r.message)]);
  return `<h2>Activity</h2>
    ${table("activity", ["When", "What", "Level", "Message"], cells, "Nothing has happened on this connection yet.")}
    <p class="muted">The latest ${TIMELINE_ROWS} rows; <code>GET /v1/activity?connectionId=${esc(connection.id)}</code> pages the rest.</p>`;
}
