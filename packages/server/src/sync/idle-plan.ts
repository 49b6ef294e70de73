import type { CompositeSubrequest } from "@forcelink/salesforce";
import { countQuery, planWindow, type SyncWindow, soqlDateTime } from "./sync-plan.ts";

/*
 * What the idle check asks Salesforce, planned without talking to it: for each object, either the
 * replication resources (Get Updated, and Get Deleted when the object syncs deletes) or a COUNT()
 * query, packed into as few `/composite` calls as Salesforce allows. A `/composite` call counts as
 * one API request whatever it holds, but takes at most 25 subrequests of which at most 5 may be
 * queries (a `/composite/batch` would count each subrequest as a request).
 */

export const SUBREQUESTS_PER_CALL = 25;
export const QUERIES_PER_CALL = 5;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Get Updated answers for the last 30 days and Get Deleted for the last 15; a day of margin each. */
const UPDATED_REACH_MS = 29 * DAY_MS;
const DELETED_REACH_MS = 14 * DAY_MS;

/** An object the check may answer for, as its state and last describe left it. */
export interface IdleCandidate {
  name: string;
  deletes: boolean;
  cursorField: string;
  checkpointTs: string;
  /** Describe said `replicateable`: Get Updated and Get Deleted serve it. */
  replicable: boolean;
}

export interface IdleClock {
  /** Salesforce's clock now (ms), a little behind rather than ahead. */
  serverNow: number;
  lagMs: number;
  lookbackMs: number;
}

/** A read-only subrequest of the check's `/composite` call. */
export type Subrequest = CompositeSubrequest & { method: "GET" };

/** How one object is checked, and the window a clean answer closes. */
export interface ObjectProbe {
  name: string;
  checkpointTs: string;
  window: SyncWindow;
  kind: "count" | "replication";
  /** The subrequests that answer for it: one query, or Get Updated (and Get Deleted). */
  subrequests: Subrequest[];
  /** For replication: what the answers must cover (ms): [start, end) at minute precision. */
  start?: number;
  end?: number;
}

const floorMinute = (ms: number) => ms - (((ms % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);

/** Salesforce's date-time as Get Updated takes it (seconds are dropped by Salesforce anyway). */
const replicationDate = (ms: number) => encodeURIComponent(`${new Date(ms).toISOString().slice(0, 19)}+00:00`);

/**
 * The replication window of an object, or null when Salesforce would refuse it or it could miss a
 * change. Get Updated judges by SystemModstamp, so only an object whose cursor is SystemModstamp
 * qualifies. Salesforce drops the seconds of start and end: the window ends on a whole minute
 * (seconds dropped from the end would uncover a change), and asks from the minute before the
 * window's start (so a start Salesforce reads as exclusive still covers it). Its end is exclusive
 * at worst: the checkpoint then sits on the end, and the next run starts at or before it.
 */
function replicationWindow(c: IdleCandidate, clock: IdleClock): { start: number; end: number; from: number } | null {
  if (!c.replicable || c.cursorField !== "SystemModstamp") return null;
  const from = Date.parse(c.checkpointTs) - clock.lookbackMs;
  const end = floorMinute(clock.serverNow - clock.lagMs);
  const start = floorMinute(from - 1_000);
  if (!Number.isFinite(from) || start >= end) return null;
  const reach = c.deletes ? DELETED_REACH_MS : UPDATED_REACH_MS;
  if (start < clock.serverNow - reach) return null;
  return { start, end, from };
}

/** Each object's probe, packed into `/composite` calls (each at most 25 subrequests, 5 queries). */
export function planIdleCheck(candidates: readonly IdleCandidate[], clock: IdleClock, dataPath: string) {
  const probes: ObjectProbe[] = [];
  const replicable: Array<{ c: IdleCandidate; r: NonNullable<ReturnType<typeof replicationWindow>> }> = [];
  for (const c of candidates) {
    const r = replicationWindow(c, clock);
    if (r) replicable.push({ c, r });
    else probes.push(countProbe(c, clock, dataPath));
  }
  // An object that syncs deletes costs two replication subrequests but one query. The fewest calls
  // whose query slots (after the objects only a count can check) and subrequests hold everything;
  // within them, a deleting object is counted only where its saved subrequest is needed.
  const deleting = replicable.filter((x) => x.c.deletes).length;
  const subrequests = probes.length + replicable.length + deleting;
  const countsNeeded = (n: number) => Math.max(0, subrequests - n * SUBREQUESTS_PER_CALL);
  const countSlots = (n: number) => Math.min(deleting, n * QUERIES_PER_CALL - probes.length);
  let calls = Math.max(1, Math.ceil(probes.length / QUERIES_PER_CALL));
  while (countsNeeded(calls) > countSlots(calls)) calls++;
  let querySlots = countsNeeded(calls);
  for (const { c, r } of replicable) {
    if (c.deletes && querySlots > 0) {
      querySlots--;
      probes.push(countProbe(c, clock, dataPath));
    } else probes.push(replicationProbe(c, r, dataPath));
  }
  return { probes, calls: pack(probes) };
}

function countProbe(c: IdleCandidate, clock: IdleClock, dataPath: string): ObjectProbe {
  const window = planWindow({
    cursorField: c.cursorField,
    checkpoint: { ts: c.checkpointTs, id: "" },
    serverNow: clock.serverNow,
    lagMs: clock.lagMs,
    lookbackMs: clock.lookbackMs,
    backfillFrom: null,
  });
  const soql = countQuery(c.name, c.cursorField, window);
  const resource = c.deletes ? "queryAll" : "query";
  return {
    name: c.name,
    checkpointTs: c.checkpointTs,
    window,
    kind: "count",
    subrequests: [{ method: "GET", url: `${dataPath}/${resource}?q=${encodeURIComponent(soql)}`, referenceId: "" }],
  };
}

function replicationProbe(
  c: IdleCandidate,
  r: { start: number; end: number; from: number },
  dataPath: string,
): ObjectProbe {
  const range = `?start=${replicationDate(r.start)}&end=${replicationDate(r.end)}`;
  const base = `${dataPath}/sobjects/${c.name}`;
  const subrequests: Subrequest[] = [{ method: "GET", url: `${base}/updated/${range}`, referenceId: "" }];
  if (c.deletes) subrequests.push({ method: "GET", url: `${base}/deleted/${range}`, referenceId: "" });
  return {
    name: c.name,
    checkpointTs: c.checkpointTs,
    window: { from: soqlDateTime(r.from), to: soqlDateTime(r.end), after: null },
    kind: "replication",
    subrequests,
    start: r.start,
    end: r.end,
  };
}

const isQuery = (p: ObjectProbe) => p.kind === "count";

/** First fit: each call takes probes while its subrequests and queries stay within Salesforce's limits. */
function pack(probes: ObjectProbe[]): ObjectProbe[][] {
  const calls: Array<{ probes: ObjectProbe[]; subrequests: number; queries: number }> = [];
  // Queries, then pairs, then single subrequests: the singles fill what the pairs leave.
  const ordered = [...probes].sort(
    (a, b) => Number(isQuery(b)) - Number(isQuery(a)) || b.subrequests.length - a.subrequests.length,
  );
  for (const p of ordered) {
    const q = isQuery(p) ? 1 : 0;
    let call = calls.find(
      (c) => c.subrequests + p.subrequests.length <= SUBREQUESTS_PER_CALL && c.queries + q <= QUERIES_PER_CALL,
    );
    if (!call) {
      call = { probes: [], subrequests: 0, queries: 0 };
      calls.push(call);
    }
    call.probes.push(p);
    call.subrequests += p.subrequests.length;
    call.queries += q;
  }
  // Reference ids name the probe and its part within the call.
  for (const call of calls)
    call.probes.forEach((p, i) => {
      p.subrequests.forEach((s, j) => {
        s.referenceId = `o${i}_${j}`;
      });
    });
  return calls.map((c) => c.probes);
}
