import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { setImmediate as yieldToRequests } from "node:timers/promises";
import type { BulkJob } from "../bulk/job-types.ts";
import { counterAfter } from "../ids.ts";
import type { Org } from "../org/org.ts";
import type { ObjectTable, StoredRecord } from "../store/record-store.ts";
import { frame, readFrames } from "./frames.ts";
import { bulkJobs, loadJob, type OrgMeta, saveJob } from "./org-state.ts";
import { type BuilderCache, eachRecord, type RowGroup, toRowGroups } from "./row-shapes.ts";

/**
 * The files of a saved org, in its data directory:
 * - `meta.json` (and `meta.prev.json`, the one before): the org's state other than records and jobs;
 * - `snapshot.bin` (and `snapshot.prev.bin`): every record and Bulk job at one moment, in frames,
 *   the first naming the snapshot's generation and the last marking it complete;
 * - `journal-<generation>.bin`: what changed since the snapshot of that generation was cut, one
 *   frame per flush: full records (null when deleted) and jobs.
 * Loading takes the newest snapshot that reads whole, then replays every journal of its
 * generation or later, up to the first torn frame.
 */
export const FILES = {
  meta: "meta.json",
  metaPrev: "meta.prev.json",
  metaTmp: "meta.json.tmp",
  snapshot: "snapshot.bin",
  snapshotPrev: "snapshot.prev.bin",
  snapshotTmp: "snapshot.bin.tmp",
  lock: "emulator.lock",
};
const JOURNAL = /^journal-(\d+)\.bin$/;
export const journalName = (generation: number) => `journal-${generation}.bin`;

/** Rows per frame: big enough to parse fast, small enough that writing one does not stall requests. */
const ROWS_PER_FRAME = 5000;

/** One flush's changes to one object: records as they are now (as snapshot rows are written), and deletions. */
export interface JournalTable {
  table: string;
  groups: RowGroup[];
  deleted: string[];
}
export interface JournalFrame {
  tables?: JournalTable[];
  jobs?: Array<[id: string, job: unknown]>;
}

/** A flush's changed records of one object, as a journal entry. */
export function journalTable(table: ObjectTable, ids: string[]): JournalTable {
  const records: StoredRecord[] = [];
  const deleted: string[] = [];
  for (const id of ids) {
    const record = table.get(id);
    if (record) records.push(record);
    else deleted.push(id);
  }
  return { table: table.def.name, groups: toRowGroups(records), deleted };
}

interface SnapshotHeader {
  /** 2: records in column groups; 1: one array per record (still read). */
  snapshot: 1 | 2;
  generation: number;
  organizationId: string;
}

export function journals(dir: string): Array<{ generation: number; path: string }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => ({ name, m: JOURNAL.exec(name) }))
    .filter((x) => x.m)
    .map((x) => ({ generation: Number(x.m![1]), path: join(dir, x.name) }))
    .sort((a, b) => a.generation - b.generation);
}

/** Writes a file whole or not at all: a temporary file, fsync, then rename over the old one (kept as `prev`). */
export function writeAtomically(dir: string, name: string, prev: string, tmp: string, text: string): void {
  const tmpPath = join(dir, tmp);
  const fd = openSync(tmpPath, "w", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (existsSync(join(dir, name))) renameSync(join(dir, name), join(dir, prev));
  renameSync(tmpPath, join(dir, name));
  syncDir(dir);
}

export function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  }
}

/** The saved meta, or the one before it when the newest does not read. */
export function readMeta(dir: string, warn: (line: string) => void): OrgMeta | undefined {
  for (const name of [FILES.meta, FILES.metaPrev]) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    try {
      const meta = JSON.parse(readFileSync(path, "utf8")) as OrgMeta;
      if (meta.format === 1) return meta;
      warn(`${path} has an unknown format; trying the previous one`);
    } catch (e) {
      warn(`${path} does not read (${(e as Error).message}); trying the previous one`);
    }
  }
  return undefined;
}

/**
 * Writes every record and job into `snapshot.bin.tmp`, then moves it in place of `snapshot.bin`
 * (which becomes `snapshot.prev.bin`). Yields between frames so requests go on being answered;
 * a record changed meanwhile is also in the new journal, which replays over the snapshot.
 * `stopped()` aborts it (the temporary file is removed). Returns the snapshot's size, or null.
 */
export async function writeSnapshot(
  org: Org,
  dir: string,
  generation: number,
  stopped: () => boolean,
): Promise<number | null> {
  const tmpPath = join(dir, FILES.snapshotTmp);
  const fd = openSync(tmpPath, "w", 0o600);
  let bytes = 0;
  const write = (value: unknown) => {
    bytes += writeSync(fd, frame(value));
  };
  try {
    const header: SnapshotHeader = { snapshot: 2, generation, organizationId: org.organizationId };
    write(header);
    let rows = 0;
    for (const table of org.store.allTables()) {
      let chunk: StoredRecord[] = [];
      for (const record of table.all()) {
        chunk.push(record);
        if (chunk.length < ROWS_PER_FRAME) continue;
        write({ table: table.def.name, groups: toRowGroups(chunk) });
        rows += chunk.length;
        chunk = [];
        await yieldToRequests();
        if (stopped()) return null;
      }
      if (chunk.length > 0) write({ table: table.def.name, groups: toRowGroups(chunk) });
      rows += chunk.length;
    }
    const registry = bulkJobs(org);
    for (const job of [...registry.list("ingest"), ...registry.list("query")]) write({ job: saveJob(job) });
    write({ end: true, rows });
    fsyncSync(fd);
  } finally {
    closeSync(fd);
    if (stopped()) rmSync(tmpPath, { force: true });
  }
  if (existsSync(join(dir, FILES.snapshot))) renameSync(join(dir, FILES.snapshot), join(dir, FILES.snapshotPrev));
  renameSync(tmpPath, join(dir, FILES.snapshot));
  syncDir(dir);
  return bytes;
}

export interface LoadedSnapshot {
  generation: number;
  path: string;
  bytes: number;
  rows: number;
}

/**
 * Loads a snapshot into an org whose schema is in place and whose tables are empty. Throws when
 * the file is torn, corrupt or incomplete (the caller then starts over from the previous one).
 */
export function loadSnapshot(org: Org, path: string): LoadedSnapshot {
  let header: SnapshotHeader | undefined;
  let complete = false;
  let rows = 0;
  const registry = bulkJobs(org);
  const builders: BuilderCache = new Map();
  const scan = readFrames(path, (value) => {
    const f = value as Partial<SnapshotHeader> & {
      table?: string;
      groups?: RowGroup[];
      job?: Parameters<typeof loadJob>[1];
      end?: boolean;
    };
    if (!header) {
      if (f.snapshot !== 1 && f.snapshot !== 2) throw new Error(`${path} is not a snapshot of this format`);
      header = f as SnapshotHeader;
      return;
    }
    if (f.end) complete = true;
    else if (f.table && f.groups) {
      const table = org.store.table(f.table);
      if (!table) throw new Error(`${path} holds records of ${f.table}, an object the saved schema does not define`);
      for (const group of f.groups) rows += putRows(org, table, group, builders);
      table.version++;
    } else if (f.job) {
      registry.add(loadJob(org, f.job));
      org.ids.observe(f.job.id);
    }
  });
  if (scan.problem) throw new Error(`${path} is damaged: ${scan.problem}`);
  if (!header || !complete) throw new Error(`${path} is incomplete (its write was cut short)`);
  if (header.organizationId !== org.organizationId)
    throw new Error(`${path} holds org ${header.organizationId}, not ${org.organizationId}`);
  return { generation: header.generation, path, bytes: statSync(path).size, rows };
}

/** Puts a group's records in their table (over any record with the same Id); returns how many. */
function putRows(org: Org, table: ObjectTable, group: RowGroup, builders: BuilderCache): number {
  let latest = "";
  const count = eachRecord(group, builders, (record) => {
    table.rows.set(record.Id, record);
    if (latest === "" || counterAfter(record.Id, latest)) latest = record.Id;
  });
  // Ids minted from now on sort after every loaded one.
  if (latest) org.ids.observe(latest);
  return count;
}

/** Replays one journal over the org. Returns how many bytes of it are intact, and what stopped the replay. */
export function replayJournal(
  org: Org,
  path: string,
  warn: (line: string) => void,
): { goodBytes: number; problem: string | null; entries: number } {
  const registry = bulkJobs(org);
  const builders: BuilderCache = new Map();
  const unknown = new Set<string>();
  let entries = 0;
  const scan = readFrames(path, (value) => {
    const f = value as JournalFrame;
    for (const change of f.tables ?? []) {
      const table = org.store.table(change.table);
      if (!table) {
        unknown.add(change.table);
        continue;
      }
      for (const group of change.groups) entries += putRows(org, table, group, builders);
      for (const id of change.deleted) table.rows.delete(id);
      entries += change.deleted.length;
      table.version++;
    }
    for (const [id, job] of f.jobs ?? []) {
      if (job) registry.add(loadJob(org, job as Parameters<typeof loadJob>[1]));
      else registry.remove(id);
      org.ids.observe(id);
      entries++;
    }
  });
  if (unknown.size > 0) warn(`${path}: skipped records of objects the saved schema lacks: ${[...unknown].join(", ")}`);
  return { ...scan, entries };
}

export function jobEntries(changed: BulkJob[], removed: string[]): Array<[string, unknown]> {
  return [
    ...changed.map((j): [string, unknown] => [j.id, saveJob(j)]),
    ...removed.map((id): [string, unknown] => [id, null]),
  ];
}

export { ROWS_PER_FRAME };
