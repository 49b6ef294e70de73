import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

/**
 * PGlite has no cross-process lock: two processes on one data directory silently lose committed
 * rows. An exclusive lock file makes the second one fail clearly instead.
 */
export class DataDirLock {
  readonly path: string;
  private held = false;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.path = join(dataDir, "forcelink.lock");
  }

  acquire(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.path, "wx", 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        this.held = true;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        const owner = Number(readFileSync(this.path, "utf8").trim());
        if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
          throw new DataDirLockedError(
            `The data directory ${this.path.replace(/\/forcelink\.lock$/, "")} is in use by another Forcelink process (pid ${owner}). ` +
              "Embedded storage serves one process: stop the other one, point FORCELINK_DATA_DIR elsewhere, " +
              "or set DATABASE_URL to a PostgreSQL server to run several processes.",
          );
        }
        // The process that held it is gone: the lock is stale.
        rmSync(this.path, { force: true });
      }
    }
    throw new DataDirLockedError(`could not take the lock ${this.path}`);
  }

  release(): void {
    if (!this.held) return;
    rmSync(this.path, { force: true });
    this.held = false;
  }
}

export class DataDirLockedError extends Error {}

/** Whether a process of that id runs (one owned by another user counts). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
