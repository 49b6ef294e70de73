import {
  ChannelSelectionFailed,
  type MemberStep,
  releaseChannelMembers,
  selectChannelMembers,
} from "@forcelink/salesforce";
import { type ConnectionChecklistRun, runConnectionChecklist } from "../checklist/connection-checklist.ts";
import type { ConnectionRow } from "../connections/connection-store.ts";
import type { InstallationRow, OpenedIntegration } from "../integrations/integration-store.ts";
import type { Platform } from "../platform/platform.ts";
import { type PauseCheck, pauseSubscription, resumeSubscription } from "./subscription-reports.ts";
import {
  createdMembers,
  deleteSubscription,
  ensureSubscription,
  forgetMember,
  recordCreatedMember,
  type SubscriptionRow,
  subscriptionsOfInstallation,
} from "./subscription-store.ts";

/** The checks a subscription needs to pass, in the order they are reported. */
const SUBSCRIPTION_CHECKS = ["subscription-permissions", "cdc-allocation"] as const;

/** `Account` → AccountChangeEvent, `Foo__c` → Foo__ChangeEvent: the entity a channel member selects. */
export function changeEventEntity(object: string): string {
  return object.endsWith("__c") ? `${object.slice(0, -1)}ChangeEvent` : `${object}ChangeEvent`;
}

/**
 * Sets up the subscriptions of an installation's `subscribe: true` objects (only `objects` when
 * given: those a new manifest added). The checklist runs first, with the installation's needs,
 * unless `run` is a run already made; when `subscription-permissions` or `cdc-allocation` fails,
 * those subscriptions are paused with that check (once: one already paused by it stays as it is).
 * Otherwise the objects are selected for Change Data Capture, each member Forcelink created
 * recorded as it is made (adopted ones are not: uninstalling never deletes what it did not
 * create), and a paused subscription among them resumes. Answers the subscriptions.
 */
export async function provisionSubscriptions(
  platform: Platform,
  target: { installation: InstallationRow; integration: OpenedIntegration; conn: ConnectionRow },
  options: { objects?: readonly string[]; run?: ConnectionChecklistRun } = {},
): Promise<SubscriptionRow[]> {
  const { installation, integration, conn } = target;
  const objects = integration.manifest.objects.filter(
    (o) => o.subscribe && (!options.objects || options.objects.includes(o.name)),
  );
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
  const failing = failingCheck(options.run ?? (await runConnectionChecklist(platform, conn)));
  if (failing) {
    const message = `${failing.title}: ${failing.reason ?? "the check failed"}`;
    for (const row of rows)
      if (!(row.state === "paused" && (row.pausedCheck as PauseCheck | null)?.id === failing.id))
        await pauseSubscription(platform, row, conn, { reason: failing.id, message, check: failing });
    return rows;
  }
  const client = await platform.tokens.clientFor(conn);
  try {
    await selectChannelMembers(
      client,
      objects.map((o) => ({ entity: changeEventEntity(o.name), enrichedFields: o.enrichedFields ?? [] })),
      { onStep: recordCreated(platform, installation, conn) },
    );
  } catch (error) {
    if (!(error instanceof ChannelSelectionFailed)) throw error;
    for (const m of await createdMembers(platform, installation.id))
      if (error.rolledBack.some((s) => s.memberId === m.memberId)) await forgetMember(platform, m.id);
    for (const row of rows)
      await pauseSubscription(platform, row, conn, { reason: "selection_failed", message: error.message });
    return rows;
  }
  for (const row of rows) if (row.state === "paused") await resumeSubscription(platform, row, conn);
  return rows;
}

/** Records each member a selection created, as it is made (adopted ones are not: never deleted by us). */
function recordCreated(platform: Platform, installation: InstallationRow, conn: ConnectionRow) {
  return async (step: MemberStep) => {
    if (step.outcome === "created")
      await recordCreatedMember(platform, {
        installationId: installation.id,
        connectionId: conn.id,
        selectedEntity: step.selectedEntity,
        memberId: step.memberId,
      });
  };
}

/** The first of the subscription's checks that fails in `run`, as a pause shows it; null when none fails. */
export function failingCheck(run: ConnectionChecklistRun): PauseCheck | null {
  const failing = SUBSCRIPTION_CHECKS.map((id) => run.checks.find((c) => c.id === id)).find(
    (c) => c?.verdict === "fail",
  );
  if (!failing) return null;
  return {
    id: failing.id,
    title: failing.title,
    remedy: failing.remedy ?? [],
    checklist: true,
    ...(failing.reason ? { reason: failing.reason } : {}),
  };
}

/**
 * Matches an installation's subscriptions to its manifest after a new one was uploaded: objects
 * newly marked `subscribe: true` are provisioned (the checklist runs only then), and those no
 * longer marked lose their subscription and the channel member Forcelink created for them.
 */
export async function reconcileSubscriptions(
  platform: Platform,
  target: { installation: InstallationRow; integration: OpenedIntegration; conn: ConnectionRow },
): Promise<void> {
  const { installation, integration, conn } = target;
  const wanted = new Set(integration.manifest.objects.filter((o) => o.subscribe).map((o) => o.name));
  const existing = await subscriptionsOfInstallation(platform, installation.id);
  const gone = existing.filter((row) => !wanted.has(row.object));
  const added = [...wanted].filter((name) => !existing.some((row) => row.object === name));
  if (gone.length > 0) {
    const entities = new Set(gone.map((row) => changeEventEntity(row.object)));
    const members = (await createdMembers(platform, installation.id)).filter((m) => entities.has(m.selectedEntity));
    if (members.length > 0) {
      const client = await platform.tokens.clientFor(conn);
      await releaseChannelMembers(
        client,
        members.map((m) => ({ selectedEntity: m.selectedEntity, memberId: m.memberId, outcome: "created" as const })),
      );
      for (const m of members) await forgetMember(platform, m.id);
    }
    for (const row of gone) await deleteSubscription(platform, row.id);
  }
  if (added.length > 0) await provisionSubscriptions(platform, target, { objects: added });
  // Kept objects that ask for enrichment: their members get the enriched fields they lack.
  const enriching = integration.manifest.objects.filter(
    (o) => o.subscribe && o.enrichedFields && existing.some((row) => row.object === o.name),
  );
  if (enriching.length > 0)
    await selectChannelMembers(
      await platform.tokens.clientFor(conn),
      enriching.map((o) => ({ entity: changeEventEntity(o.name), enrichedFields: o.enrichedFields ?? [] })),
      { onStep: recordCreated(platform, installation, conn) },
    );
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
