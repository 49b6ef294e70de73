import {
  closeSync,
  existsSync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { Org } from "../org/org.ts";
import { frame } from "./frames.ts";
import { bulkJobs, captureMeta, jobFingerprint, restoreMeta, restoreSchema } from "./org-state.ts";
import {
  FILES,
  jobEntries,
  journalName,
  journals,
  journalTable,
  loadSnapshot,
  ROWS_PER_FRAME,
  readMeta,
  replayJournal,
  syncDir,
  writeAtomically,
  writeSnapshot,
} from "./state-files.ts";

/** How often changes are written: a crash loses at most this much. */
export const FLUSH_INTERVAL_MS = 500;
/** The journal is folded into a new snapshot once it outgrows the snapshot (and this). */
const MIN_COMPACTION_BYTES = 1 << 20;

export interface RestoredOrg {
  org: Org;
  /** Records of every object in the loaded org. */
  records: number;
  snapshotGeneration: number;
  /** The journal to append to and how much of it is intact. */
  journal: { generation: number; goodBytes: number };
  snapshotBytes: number;
  /** The newest snapshot did not load and the previous one did: write a new one soon. */
  fellBack: boolean;
}

/** Whether the directory holds a saved org (a meta file and a snapshot). */
export function hasSavedOrg(dir: string): boolean {
  return (
    (existsSync(join(dir, FILES.meta)) || existsSync(join(dir, FILES.metaPrev))) &&
    (existsSync(join(dir, FILES.snapshot)) || existsSync(join(dir, FILES.snapshotPrev)))
  );
}

/** Whether the directory holds some of a saved org's files, but not a whole saved org (its first start was cut short). */
export function hasPartialSavedOrg(dir: string): boolean {
  return (
    !hasSavedOrg(dir) &&
    ([FILES.meta, FILES.metaPrev, FILES.snapshot, FILES.snapshotPrev, FILES.snapshotTmp].some((n) =>
      existsSync(join(dir, n)),
    ) ||
      journals(dir).length > 0)
  );
}

/** Forgets a saved org: `--fresh`. Only the emulator's own files are removed. */
export function discardSavedOrg(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of [FILES.meta, FILES.metaPrev, FILES.metaTmp, FILES.snapshot, FILES.snapshotPrev, FILES.snapshotTmp])
    rmSync(join(dir, name), { force: true });
  for (const j of journals(dir)) rmSync(j.path, { force: true });
}

/**
 * Loads the org saved in `dir`. The newest snapshot that reads whole is used (a damaged one
 * falls back to the previous, with a warning), then the journals are replayed up to a torn tail.
 * Returns undefined when the directory holds no complete saved org.
 */
export function loadSavedOrg(dir: string, warn: (line: string) => void): RestoredOrg | undefined {
  if (!hasSavedOrg(dir)) return undefined;
  const meta = readMeta(dir, warn);
  if (!meta) throw new SavedOrgError(`${dir} holds an org whose meta.json and meta.prev.json both fail to read`);
  const candidates = [FILES.snapshot, FILES.snapshotPrev].map((n) => join(dir, n)).filter((p) => existsSync(p));
  for (const [i, path] of candidates.entries()) {
    const org = new Org();
    unloadable(dir, () => restoreSchema(org, meta));
    for (const table of org.store.allTables()) table.rows.clear();
    let snapshot: ReturnType<typeof loadSnapshot>;
    try {
      snapshot = loadSnapshot(org, path);
    } catch (e) {
      warn(`${(e as Error).message}${i + 1 < candidates.length ? "; loading the previous snapshot" : ""}`);
      continue;
    }
    let journal = { generation: snapshot.generation, goodBytes: 0 };
    for (const j of journals(dir).filter((x) => x.generation >= snapshot.generation)) {
      const replay = replayJournal(org, j.path, warn);
      if (replay.problem) warn(`${j.path}: ${replay.problem}; the changes after it are lost`);
      journal = { generation: j.generation, goodBytes: replay.goodBytes };
    }
    unloadable(dir, () => restoreMeta(org, meta));
    return {
      org,
      records: org.store.allTables().reduce((n, t) => n + t.size, 0),
      snapshotGeneration: snapshot.generation,
      journal,
      snapshotBytes: snapshot.bytes,
      fellBack: i > 0,
    };
  }
  throw new SavedOrgError(`no snapshot in ${dir} loads; start a new org with --fresh`);
}

export class SavedOrgError extends Error {}

/** Runs a step of loading; its failure says that the saved org does not load, and what to do. */
function unloadable(dir: string, step: () => void): void {
  try {
    step();
  } catch (e) {
    throw new SavedOrgError(
      `the org saved in ${dir} does not load (${(e as Error).message}); --fresh starts a new one`,
    );
  }
}

/** Runs `work`; a file system failure becomes a SavedOrgError that names the directory. */
export function asSavedOrgError<T>(dir: string, work: () => T): T {
  try {
    return work();
  } catch (e) {
    throw savedOrgError(dir, e);
  }
}

/** A file system failure (it has a syscall and a code) as a SavedOrgError naming the directory; other errors as they are. */
export function savedOrgError(dir: string, e: unknown): unknown {
  const err = e as NodeJS.ErrnoException;
  return err?.syscall && err.code
    ? new SavedOrgError(`cannot use ${dir} as the emulator's data directory: ${err.message}`)
    : e;
}

/**
 * Keeps an org's state in a directory while it runs: every FLUSH_INTERVAL_MS the records and
 * jobs changed since the last flush are appended to the journal (fsynced) and the meta file is
 * rewritten if it changed; a journal grown past the snapshot is folded into a new snapshot in
 * the background. Only one process may hold a directory (a lock file with its pid).
 */
export class OrgPersistence {
  private readonly org: Org;
  private readonly dir: string;
  private readonly warn: (line: string) => void;
  private journalFd = -1;
  private journalGeneration = 0;
  private journalBytes = 0;
  private snapshotBytes = 0;
  private lastMeta = "";
  private readonly jobPrints = new Map<string, string>();
  private compaction: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private compactAfter = 0;

  private constructor(org: Org, dir: string, warn: (line: string) => void) {
    this.org = org;
    this.dir = dir;
    this.warn = warn;
  }

  /** Starts saving an org built in memory: writes its first snapshot before returning. */
  static async create(org: Org, dir: string, warn: (line: string) => void): Promise<OrgPersistence> {
    const p = new OrgPersistence(org, dir, warn);
    org.store.trackChanges();
    org.store.takeChanges();
    p.rememberJobs();
    p.writeMeta();
    const bytes = await writeSnapshot(org, dir, 1, () => false);
    p.snapshotBytes = bytes ?? 0;
    p.openJournal(1, 0);
    p.start();
    return p;
  }

  /** Goes on saving an org loaded from the directory. */
  static resume(restored: RestoredOrg, dir: string, warn: (line: string) => void): OrgPersistence {
    const p = new OrgPersistence(restored.org, dir, warn);
    restored.org.store.trackChanges();
    p.rememberJobs();
    p.writeMeta();
    p.snapshotBytes = restored.snapshotBytes;
    p.openJournal(restored.journal.generation, restored.journal.goodBytes);
    p.start();
    if (restored.fellBack) p.compact();
    return p;
  }

  /** Takes the directory for this process, or says which process has it. */
  static lock(dir: string): () => void {
    const path = join(dir, FILES.lock);
    // The pid and when the process started: in a container a restarted emulator often gets the
    // same pid as the one that crashed, and its lock must not be mistaken for a live one.
    const me = `${process.pid} ${Math.round(performance.timeOrigin)}`;
    return asSavedOrgError(dir, () => {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          writeFileSync(path, me, { flag: "wx", mode: 0o600 });
          return () => rmSync(path, { force: true });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
          const holder = readFileSync(path, "utf8").trim();
          const pid = Number(holder.split(" ")[0]);
          const live = pid === process.pid ? holder === me : pid > 0 && isAlive(pid);
          if (live)
            throw new SavedOrgError(
              `${dir} is in use by another emulator (process ${pid}); stop it or pick another --data-dir`,
            );
          rmSync(path, { force: true });
        }
      }
      throw new SavedOrgError(`cannot lock ${dir}`);
    });
  }

  private start(): void {
    this.timer = setInterval(() => {
      try {
        this.flush();
      } catch (e) {
        this.warn(`could not write the org's changes to ${this.dir} (${(e as Error).message}); trying again`);
      }
    }, FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  private rememberJobs(): void {
    const registry = bulkJobs(this.org);
    for (const job of [...registry.list("ingest"), ...registry.list("query")])
      this.jobPrints.set(job.id, jobFingerprint(job));
  }

  private writeMeta(): void {
    const text = JSON.stringify(captureMeta(this.org));
    if (text === this.lastMeta) return;
    writeAtomically(this.dir, FILES.meta, FILES.metaPrev, FILES.metaTmp, text);
    this.lastMeta = text;
  }

  private openJournal(generation: number, goodBytes: number): void {
    const fd = openSync(join(this.dir, journalName(generation)), "a+", 0o600);
    // A torn tail left by a crash is cut off, so what is appended now is read after good frames.
    ftruncateSync(fd, goodBytes);
    if (this.journalFd >= 0) closeSync(this.journalFd);
    this.journalFd = fd;
    this.journalGeneration = generation;
    this.journalBytes = goodBytes;
    syncDir(this.dir);
  }

  /** Writes what changed since the last flush. Meta first: a schema ahead of its records loads, the reverse may not. */
  flush(): void {
    if (this.journalFd < 0) return;
    this.writeMeta();
    const frames: Buffer[] = [];
    const changes = this.org.store.takeChanges();
    for (const [table, ids] of changes) {
      const all = [...ids];
      for (let i = 0; i < all.length; i += ROWS_PER_FRAME)
        frames.push(frame({ tables: [journalTable(table, all.slice(i, i + ROWS_PER_FRAME))] }));
    }
    const jobs = this.changedJobs();
    if (jobs.length > 0) frames.push(frame({ jobs }));
    if (frames.length === 0) return;
    const before = this.journalBytes;
    try {
      for (const f of frames) this.journalBytes += writeSync(this.journalFd, f);
      fdatasyncSync(this.journalFd);
    } catch (e) {
      // Nothing half-written may stay before later frames, and nothing taken may be forgotten.
      this.journalBytes = before;
      ftruncateSync(this.journalFd, before);
      this.org.store.putBackChanges(changes);
      for (const [id] of jobs) this.jobPrints.delete(id);
      throw e;
    }
    if (this.journalBytes > Math.max(this.snapshotBytes, MIN_COMPACTION_BYTES) && Date.now() >= this.compactAfter)
      this.compact();
  }

  private changedJobs(): Array<[string, unknown]> {
    const registry = bulkJobs(this.org);
    const live = [...registry.list("ingest"), ...registry.list("query")];
    const changed = live.filter((job) => {
      const print = jobFingerprint(job);
      if (this.jobPrints.get(job.id) === print) return false;
      this.jobPrints.set(job.id, print);
      return true;
    });
    const ids = new Set(live.map((j) => j.id));
    const removed = [...this.jobPrints.keys()].filter((id) => !ids.has(id));
    for (const id of removed) this.jobPrints.delete(id);
    return jobEntries(changed, removed);
  }

  /** Starts a new journal and folds everything into a new snapshot in the background. */
  private compact(): void {
    if (this.compaction || this.stopped) return;
    const generation = this.journalGeneration + 1;
    this.openJournal(generation, 0);
    this.compaction = writeSnapshot(this.org, this.dir, generation, () => this.stopped)
      .then((bytes) => {
        if (bytes === null) return;
        this.snapshotBytes = bytes;
        // The previous snapshot replays from its own generation's journal: older ones are done with.
        for (const j of journals(this.dir)) if (j.generation < generation - 1) rmSync(j.path, { force: true });
      })
      .catch((e: Error) => {
        // The journal keeps everything meanwhile; try again in a minute rather than at every flush.
        this.compactAfter = Date.now() + 60_000;
        this.warn(`could not write a snapshot of the org to ${this.dir}: ${e.message}`);
      })
      .finally(() => {
        this.compaction = null;
      });
  }

  /** Writes what is pending and releases the directory. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopped = true;
    await this.compaction;
    this.flush();
    if (this.journalFd >= 0) closeSync(this.journalFd);
    this.journalFd = -1;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
