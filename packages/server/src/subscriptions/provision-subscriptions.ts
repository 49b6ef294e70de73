import { ChannelSelectionFailed, releaseChannelMembers, selectChannelMembers } from "@forcelink/salesforce";
import { runConnectionChecklist } from "../checklist/connection-checklist.ts";
import type { ConnectionRow } from "../connections/connection-store.ts";
import type { InstallationRow, OpenedIntegration } from "../integrations/integration-store.ts";
import type { Platform } from "../platform/platform.ts";
import { type PauseCheck, pauseSubscription } from "./subscription-reports.ts";
import {
  createdMembers,
  ensureSubscription,
  forgetMember,
  recordCreatedMember,
  type SubscriptionRow,
} from "./subscription-store.ts";

/** The checks a subscription needs to pass, in the order they are reported. */
const SUBSCRIPTION_CHECKS = ["subscription-permissions", "cdc-allocation"] as const;

/** `Account` → AccountChangeEvent, `Foo__c` → Foo__ChangeEvent: the entity a channel member selects. */
export function changeEventEntity(object: string): string {
  return object.endsWith("__c") ? `${object.slice(0, -1)}ChangeEvent` : `${object}ChangeEvent`;
}

/**
 * Sets up the subscriptions of an installation's `subscribe: true` objects: the checklist runs
 * first (with the installation's needs), and when `subscription-permissions` or `cdc-allocation`
 * fails the subscriptions are paused with that check; otherwise the objects are selected for
 * Change Data Capture, each member Forcelink created recorded as it is made (adopted ones are
 * not: uninstalling never deletes what it did not create). Answers the subscriptions.
 */
export async function provisionSubscriptions(
  platform: Platform,
  target: { installation: InstallationRow; integration: OpenedIntegration; conn: ConnectionRow },
): Promise<SubscriptionRow[]> {
  const { installation, integration, conn } = target;
  const objects = integration.manifest.objects.filter((o) => o.subscribe);
  if (objects.length === 0) return [];
  const rows = [];
  for (const o of objects)
    rows.push(
      await ensureSubscription(platform, {
        projectId: conn.projectId,
        installationId: installation.id,
        connectionId: conn.id,
        object: o.name,
      }),
    );
  const run = await runConnectionChecklist(platform, conn);
  const failing = SUBSCRIPTION_CHECKS.map((id) => run.checks.find((c) => c.id === id)).find(
    (c) => c?.verdict === "fail",
  );
  if (failing) {
    const check: PauseCheck = {
      id: failing.id,
      title: failing.title,
      remedy: failing.remedy ?? [],
      checklist: true,
      ...(failing.reason ? { reason: failing.reason } : {}),
    };
    const message = `${failing.title}: ${failing.reason ?? "the check failed"}`;
    for (const row of rows) await pauseSubscription(platform, row, conn, { reason: failing.id, message, check });
    return rows;
  }
  const client = await platform.tokens.clientFor(conn);
  try {
    await selectChannelMembers(
      client,
      objects.map((o) => changeEventEntity(o.name)),
      {
        onStep: async (step) => {
          if (step.outcome === "created")
            await recordCreatedMember(platform, {
              installationId: installation.id,
              connectionId: conn.id,
              selectedEntity: step.selectedEntity,
              memberId: step.memberId,
            });
        },
      },
    );
  } catch (error) {
    if (!(error instanceof ChannelSelectionFailed)) throw error;
    for (const m of await createdMembers(platform, installation.id))
      if (error.rolledBack.some((s) => s.memberId === m.memberId)) await forgetMember(platform, m.id);
    for (const row of rows)
      await pauseSubscription(platform, row, conn, { reason: "selection_failed", message: error.message });
  }
  return rows;
}

/** Deletes the channel members Forcelink created for the installation (never adopted ones). */
export async function releaseSubscriptions(platform: Platform, conn: ConnectionRow, installationId: string) {
  const members = await createdMembers(platform, installationId);
  if (members.length === 0) return;
  const client = await platform.tokens.clientFor(conn);
  await releaseChannelMembers(
    client,
    members.map((m) => ({ selectedEntity: m.selectedEntity, memberId: m.memberId, outcome: "created" as const })),
  );
  for (const m of members) await forgetMember(platform, m.id);
}
