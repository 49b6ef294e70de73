import { SYNC_QUEUE } from "../jobs/sync-queue.ts";
import type { Platform } from "../platform/platform.ts";
import { openInstallation } from "./integration-store.ts";

/*
 * When an installed integration's objects run: the manifest's crons, as pg-boss schedules on the
 * sync's queue. Installing, updating and removing an integration keep them in step.
 */

function scheduleKey(installationId: string, object: string, kind: "read" | "formulas" = "read"): string {
  return kind === "read" ? `${installationId}.${object}` : `${installationId}.${object}.formulas`;
}

/** Puts every object of an installation on its manifest's cron (UTC). */
export async function scheduleInstallation(platform: Platform, installationId: string): Promise<void> {
  const opened = await openInstallation(platform, installationId);
  if (!opened) return;
  const row = opened.installation;
  const { manifest } = opened.integration;
  const wanted = new Set<string>();
  for (const o of manifest.objects) {
    const key = scheduleKey(row.id, o.name);
    wanted.add(key);
    await platform.boss.schedule(
      SYNC_QUEUE,
      o.schedule,
      { installationId: row.id, object: o.name, trigger: "schedule" },
      { key, tz: "UTC" },
    );
    if (o.formulaRefresh) {
      const formulasKey = scheduleKey(row.id, o.name, "formulas");
      wanted.add(formulasKey);
      await platform.boss.schedule(
        SYNC_QUEUE,
        o.formulaRefresh,
        { installationId: row.id, object: o.name, trigger: "formulas" },
        { key: formulasKey, tz: "UTC" },
      );
    }
  }
  // Objects dropped from the manifest stop being scheduled.
  for (const s of await platform.boss.getSchedules(SYNC_QUEUE))
    if (s.key?.startsWith(`${row.id}.`) && !wanted.has(s.key)) await platform.boss.unschedule(SYNC_QUEUE, s.key);
}

export async function unscheduleInstallation(platform: Platform, installationId: string): Promise<void> {
  for (const s of await platform.boss.getSchedules(SYNC_QUEUE))
    if (s.key?.startsWith(`${installationId}.`)) await platform.boss.unschedule(SYNC_QUEUE, s.key);
}
