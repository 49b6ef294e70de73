import type { SalesforceClient } from "@forcelink/salesforce";
import { eq } from "drizzle-orm";
import type { ManifestObject } from "../integrations/manifest/manifest.ts";
import type { SyncTrigger } from "../jobs/sync-queue.ts";
import type { Platform } from "../platform/platform.ts";
import { syncStates } from "../store/schema.ts";
import { countQuery, planWindow, type SyncWindow } from "./sync-plan.ts";
import type { SyncSettings } from "./sync-settings.ts";
import { checkpointOf, type SyncStateRow } from "./sync-store.ts";

/*
 * The idle check: before an incremental run describes and reads, `/composite` calls of COUNT()
 * queries (5 a call, each call one API request) ask Salesforce how many rows changed since the
 * checkpoint of every object of the installation. An object whose window is empty, and whose
 * schema was described less than a day ago, completes without another call: its checkpoint moves
 * to the window's end, as a run that read nothing would move it. Deleted rows count too (queryAll
 * when the object syncs deletes). Any answer but a clean count sends the object down the normal
 * path, which describes and classifies the error through the error table.
 */

/**
 * Query subrequests Salesforce allows in one `/composite` call, which counts as one API request
 * (a `/composite/batch` would count each of its subrequests).
 */
export const QUERIES_PER_CALL = 5;
/** The schema is described again at least this often, or when the normal path runs. */
export const DESCRIBE_EVERY_MS = 86_400_000;
/** A check serves the other objects of its installation for this long (their jobs fire together). */
const CHECK_REUSE_MS = 60_000;

interface ObjectCount {
  /** The checkpoint the window was planned from: the count says nothing once it has moved. */
  checkpointTs: string;
  window: SyncWindow;
  count: number;
}

interface CompositeAnswer {
  referenceId: string;
  httpStatusCode: number;
  body?: { totalSize?: number };
}

interface InstallationCheck {
  at: number;
  counts: Promise<Map<string, ObjectCount>>;
}

/** What one process remembers: when each state was described, each installation's last check, Salesforce's clock. */
interface IdleMemory {
  describedAt: Map<string, number>;
  checks: Map<string, InstallationCheck>;
  clockOffset: Map<string, number>;
}

/** The platform keeps the memory (one per process); its checks are this file's InstallationCheck. */
function memoryOf(platform: Platform): IdleMemory {
  return platform.syncIdleMemory as IdleMemory;
}

/** The run described the object's schema just now; Salesforce's clock said `serverDate` (its Date header, or NaN). */
export function markDescribed(platform: Platform, stateId: string, connectionId: string, serverDate: number): void {
  const memory = memoryOf(platform);
  const now = platform.clock.nowMs();
  memory.describedAt.set(stateId, now);
  if (Number.isFinite(serverDate)) memory.clockOffset.set(connectionId, serverDate - now);
}

/** What the check needs of a run (its context). */
export interface IdleInput {
  conn: { id: string };
  objects: readonly ManifestObject[];
  spec: ManifestObject;
  /** The object's state as it was before this run started. */
  state: SyncStateRow;
  options: { trigger: SyncTrigger };
  settings: SyncSettings;
}

/** Whether the idle check may answer for this object, before anything is asked. */
function mayBeIdle(platform: Platform, input: IdleInput): boolean {
  const { state } = input;
  if (!input.settings.idleCheck || input.options.trigger === "formulas") return false;
  if (state.status !== "idle" || !state.backfillDone || !state.cursorField || !state.cursorTs || !state.fields)
    return false;
  const described = memoryOf(platform).describedAt.get(state.id);
  return described !== undefined && platform.clock.nowMs() - described < DESCRIBE_EVERY_MS;
}

/**
 * The window this run may close without reading, or null when the run must go the normal way:
 * rows changed, the schema is due for a describe, or the check could not tell.
 */
export async function idleWindow(
  platform: Platform,
  client: SalesforceClient,
  input: IdleInput,
): Promise<SyncWindow | null> {
  if (!mayBeIdle(platform, input)) return null;
  const memory = memoryOf(platform);
  const now = platform.clock.nowMs();
  let check = memory.checks.get(input.state.installationId);
  if (!check || now - check.at > CHECK_REUSE_MS || !(await check.counts.catch(() => null))?.has(input.spec.name)) {
    check = { at: now, counts: countChanges(platform, client, input) };
    memory.checks.set(input.state.installationId, check);
  }
  const counts = await check.counts.catch(() => null);
  const found = counts?.get(input.spec.name);
  if (found?.count !== 0 || found.checkpointTs !== input.state.cursorTs || !found.window.to) return null;
  // Never move a checkpoint backwards.
  return Date.parse(found.window.to) >= Date.parse(input.state.cursorTs) ? found.window : null;
}

/** One `/composite` call per 5 objects: the COUNT() of each window since its checkpoint. */
async function countChanges(
  platform: Platform,
  client: SalesforceClient,
  input: IdleInput,
): Promise<Map<string, ObjectCount>> {
  const states = await platform.db
    .select()
    .from(syncStates)
    .where(eq(syncStates.installationId, input.state.installationId));
  const byName = new Map(states.map((s) => [s.object.toLowerCase(), s]));
  const memory = memoryOf(platform);
  const sentAt = platform.clock.nowMs();
  // A second of margin: the offset is learned from Date headers, which Salesforce floors to the second.
  const serverNow = sentAt + (memory.clockOffset.get(input.conn.id) ?? 0) - 1_000;
  const planned: Array<{ name: string; checkpointTs: string; window: SyncWindow; soql: string; all: boolean }> = [];
  for (const o of input.objects) {
    const s = byName.get(o.name.toLowerCase());
    const checkpoint = s && checkpointOf(s);
    if (!s?.cursorField || !checkpoint || !s.backfillDone) continue;
    const { lagMs, lookbackMs } = input.settings;
    const window = planWindow({
      cursorField: s.cursorField,
      checkpoint,
      serverNow,
      lagMs,
      lookbackMs,
      backfillFrom: null,
    });
    const soql = countQuery(o.name, s.cursorField, window);
    planned.push({ name: o.name, checkpointTs: checkpoint.ts, window, soql, all: o.deletes });
  }
  const out = new Map<string, ObjectCount>();
  for (let start = 0; start < planned.length; start += QUERIES_PER_CALL) {
    const chunk = planned.slice(start, start + QUERIES_PER_CALL);
    const compositeRequest = chunk.map((p, i) => ({
      method: "GET",
      url: `${client.dataPath}/${p.all ? "queryAll" : "query"}?q=${encodeURIComponent(p.soql)}`,
      referenceId: `count${i}`,
    }));
    const res = await client.request<{ compositeResponse?: CompositeAnswer[] }>({
      method: "POST",
      path: `${client.dataPath}/composite`,
      json: { allOrNone: false, compositeRequest },
      idempotent: true,
    });
    const serverDate = Date.parse(String(res.headers.date ?? ""));
    if (!Number.isFinite(serverDate)) continue;
    const offset = serverDate - platform.clock.nowMs();
    memory.clockOffset.set(input.conn.id, offset);
    // The windows must end at least `lagMs` behind Salesforce's clock when it counted (no earlier than our send).
    const latestSafeEnd = sentAt + offset - input.settings.lagMs;
    const answers = new Map((res.body.compositeResponse ?? []).map((a) => [a.referenceId, a]));
    chunk.forEach((p, i) => {
      const a = answers.get(`count${i}`);
      if (a?.httpStatusCode !== 200 || typeof a.body?.totalSize !== "number") return;
      if (p.window.to && Date.parse(p.window.to) > latestSafeEnd) return;
      out.set(p.name, { checkpointTs: p.checkpointTs, window: p.window, count: a.body.totalSize });
    });
  }
  return out;
}
