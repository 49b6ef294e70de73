import { esc } from "../connect/html.ts";
import type { ConnectionRow } from "../connections/connection-store.ts";
import type { Platform } from "../platform/platform.ts";
import { subscriptionView } from "../subscriptions/subscription-routes.ts";
import { subscriptionsOf } from "../subscriptions/subscription-store.ts";
import { postButton, statusBadge, table, when } from "./console-html.ts";

/** How long ago, in words a person reads at a glance. */
function lag(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

/** The connection page's Change Data Capture subscriptions: state, lag, events, recoveries. */
export async function subscriptionsPanel(platform: Platform, connection: ConnectionRow, csrf: string): Promise<string> {
  const rows = await subscriptionsOf(platform, connection.id);
  if (rows.length === 0) return "";
  const now = platform.clock.nowMs();
  const cells = rows.map((row) => {
    const s = subscriptionView(row, now);
    const why = s.check
      ? `${esc(s.check.title)}<ol class="remedy">${s.check.remedy.map((step) => `<li>${esc(step)}</li>`).join("")}</ol>`
      : esc(s.stateReason ?? "");
    // Paused: the checks run again on the button, and it resumes once they pass.
    const resume =
      s.state === "paused"
        ? postButton(`/connections/${connection.id}/subscriptions/${s.id}/resume`, "Check and resume", csrf, {
            id: `resume-${s.object}`,
            kind: "secondary",
          })
        : "";
    const recent = s.recoveries[0];
    return [
      esc(s.object),
      statusBadge(s.state),
      why + resume,
      esc(String(s.eventsDelivered)),
      esc(lag(s.lagMs)),
      when(s.lastKeepaliveAt),
      recent ? esc(`${recent.reason} (${recent.records} records) `) + when(recent.at) : "—",
    ];
  });
  return `<h2>Subscriptions</h2>
    ${table("subscriptions", ["Object", "State", "Why", "Events", "Lag", "Last keepalive", "Last recovery"], cells, "")}`;
}
