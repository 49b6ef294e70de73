import { type CompositeAnswer, type SalesforceClient, sendComposite } from "@forcelink/salesforce";
import { eq } from "drizzle-orm";
import type { ManifestObject } from "../integrations/manifest/manifest.ts";
import type { SyncTrigger } from "../jobs/sync-queue.ts";
import type { Platform } from "../platform/platform.ts";
import { syncStates } from "../store/schema.ts";
import { type IdleCandidate, type ObjectProbe, planIdleCheck } from "./idle-plan.ts";
import { type SyncWindow, soqlDateTime } from "./sync-plan.ts";
import type { SyncSettings } from "./sync-settings.ts";
import { checkpointOf, type SyncStateRow } from "./sync-store.ts";

/*
 * The idle check: before an incremental run describes and reads, one `/composite` call (one API
 * request for up to 25 objects, see idle-plan.ts) asks Salesforce what changed since the checkpoint
 * of every object of the installation: Get Updated (and Get Deleted when the object syncs deletes)
 * for objects Salesforce replicates, a COUNT() query (queryAll with deletes) for the others. An
 * object whose window is empty, and whose schema was described less than a day ago, completes
 * without another call: its checkpoint moves to the window's end, as a run that read nothing would
 * move it. The window ends `lagMs` behind Salesforce's clock (its Date header), never past what
 * Salesforce says it covered (latestDateCovered), and on a whole minute for the replication
 * resources. Any answer but a clean one sends the object down the normal path, which describes and
 * classifies the error through the error table.
 */

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

interface InstallationCheck {
  at: number;
  counts: Promise<Map<string, ObjectCount>>;
}

/** What one process remembers: when each state was described (and whether Salesforce replicates it), each installation's last check, Salesforce's clock. */
interface IdleMemory {
  describedAt: Map<string, number>;
  replicable: Map<string, boolean>;
  checks: Map<string, InstallationCheck>;
  clockOffset: Map<string, number>;
}

/** The platform keeps the memory (one per process); its checks are this file's InstallationCheck. */
function memoryOf(platform: Platform): IdleMemory {
  return platform.syncIdleMemory as IdleMemory;
}

/**
 * The run described the object's schema just now; Salesforce's clock said `serverDate` (its Date
 * header, or NaN); `replicable` is describe's `replicateable`.
 */
export function markDescribed(
  platform: Platform,
  stateId: string,
  connectionId: string,
  serverDate: number,
  replicable = false,
): void {
  const memory = memoryOf(platform);
  const now = platform.clock.nowMs();
  memory.describedAt.set(stateId, now);
  memory.replicable.set(stateId, replicable);
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

/** Whether this process described the state's object less than a day ago. */
function describedRecently(platform: Platform, stateId: string): boolean {
  const described = memoryOf(platform).describedAt.get(stateId);
  return described !== undefined && platform.clock.nowMs() - described < DESCRIBE_EVERY_MS;
}

/** Whether the idle check may answer for this object, before anything is asked. */
function mayBeIdle(platform: Platform, input: IdleInput): boolean {
  const { state } = input;
  if (!input.settings.idleCheck || input.options.trigger === "formulas") return false;
  if (state.status !== "idle" || !state.backfillDone || !state.cursorField || !state.cursorTs || !state.fields)
    return false;
  return describedRecently(platform, state.id);
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
  // A check serves this run if it is recent and was planned from this object's checkpoint (a run
  // of the object that finished since moved it: the check says nothing of the new window).
  const reusable = check && now - check.at <= CHECK_REUSE_MS ? await check.counts.catch(() => null) : null;
  if (!check || reusable?.get(input.spec.name)?.checkpointTs !== input.state.cursorTs) {
    check = { at: now, counts: countChanges(platform, client, input) };
    memory.checks.set(input.state.installationId, check);
  }
  const counts = await check.counts.catch(() => null);
  const found = counts?.get(input.spec.name);
  if (found?.count !== 0 || found.checkpointTs !== input.state.cursorTs || !found.window.to) return null;
  // Never move a checkpoint backwards.
  return Date.parse(found.window.to) >= Date.parse(input.state.cursorTs) ? found.window : null;
}

/**
 * One `/composite` call per 25 objects (fewer when many need COUNT() queries): what changed in each
 * window since its checkpoint. Objects this process has not described within the day are left out
 * (their runs describe first anyway).
 */
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
  const candidates: IdleCandidate[] = [];
  for (const o of input.objects) {
    const s = byName.get(o.name.toLowerCase());
    const checkpoint = s && checkpointOf(s);
    if (!s?.cursorField || !checkpoint || !s.backfillDone || !describedRecently(platform, s.id)) continue;
    candidates.push({
      name: o.name,
      deletes: o.deletes,
      cursorField: s.cursorField,
      checkpointTs: checkpoint.ts,
      replicable: memory.replicable.get(s.id) === true,
    });
  }
  const sentAt = platform.clock.nowMs();
  // A second of margin: the offset is learned from Date headers, which Salesforce floors to the second.
  const serverNow = sentAt + (memory.clockOffset.get(input.conn.id) ?? 0) - 1_000;
  const { lagMs, lookbackMs } = input.settings;
  const { calls } = planIdleCheck(candidates, { serverNow, lagMs, lookbackMs }, client.dataPath);
  const out = new Map<string, ObjectCount>();
  for (const probes of calls) {
    const { answers, headers } = await sendComposite(
      client,
      probes.flatMap((p) => p.subrequests),
      { idempotent: true },
    );
    const serverDate = Date.parse(String(headers.date ?? ""));
    if (!Number.isFinite(serverDate)) continue;
    const offset = serverDate - platform.clock.nowMs();
    memory.clockOffset.set(input.conn.id, offset);
    // The windows must end at least `lagMs` behind Salesforce's clock when it answered (no earlier than our send).
    const latestSafeEnd = sentAt + offset - lagMs;
    for (const p of probes) {
      const found = readProbe(p, answers);
      if (!found?.to || Date.parse(found.to) > latestSafeEnd) continue;
      out.set(p.name, { checkpointTs: p.checkpointTs, window: { ...p.window, to: found.to }, count: found.count });
    }
  }
  return out;
}

/** What Salesforce answered for one object: how many rows changed, and up to where that holds; null when it did not tell. */
function readProbe(p: ObjectProbe, answers: Map<string, CompositeAnswer>): { count: number; to: string | null } | null {
  const bodies: unknown[] = [];
  for (const s of p.subrequests) {
    const a = answers.get(s.referenceId);
    if (a?.httpStatusCode !== 200 || typeof a.body !== "object" || a.body === null) return null;
    bodies.push(a.body);
  }
  if (p.kind === "count") {
    const total = (bodies[0] as { totalSize?: unknown }).totalSize;
    return typeof total === "number" ? { count: total, to: p.window.to } : null;
  }
  // Get Updated, then Get Deleted: the ids each found, and the latest date each covered.
  let count = 0;
  let covered = p.end ?? Number.NaN;
  for (const [i, body] of bodies.entries()) {
    const b = body as {
      ids?: unknown;
      deletedRecords?: unknown;
      latestDateCovered?: unknown;
      earliestDateAvailable?: unknown;
    };
    const found = i === 0 ? b.ids : b.deletedRecords;
    if (!Array.isArray(found)) return null;
    count += found.length;
    const latest = salesforceDate(b.latestDateCovered);
    if (!Number.isFinite(latest)) return null;
    covered = Math.min(covered, latest);
    // Deletions purged from the recycle bin since the checkpoint are gone: the window cannot be vouched for.
    if (i === 1 && !(salesforceDate(b.earliestDateAvailable) <= Date.parse(p.checkpointTs))) return null;
  }
  return Number.isFinite(covered) ? { count, to: soqlDateTime(covered) } : null;
}

/** Salesforce writes `2024-05-01T10:00:00.000+0000`; JavaScript wants the offset's colon. */
function salesforceDate(value: unknown): number {
  return typeof value === "string" ? Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2")) : Number.NaN;
}
