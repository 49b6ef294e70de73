import { and, eq, isNull } from "drizzle-orm";
import { hashToken, randomToken } from "../crypto/hashing.ts";
import { newId } from "../ids.ts";
import type { Clock } from "../platform/clock.ts";
import type { Db } from "../store/database.ts";
import { apiKeys, projects } from "../store/schema.ts";

const KEY_PREFIX = "fl_sk_";
/**
 * How long a verified key is trusted without asking the database again: a key revoked by another process stops working
 * here within this time (in the process that revoked it, at once).
 */
export const API_KEY_CACHE_MS = 5_000;
/** How often a key's last use is written, at most: it is shown (to the minute), never relied on. */
const LAST_USED_WRITE_MS = 60_000;

export interface CreatedKey {
  id: string;
  projectId: string;
  name: string;
  /** The secret itself: shown once, never stored. */
  key: string;
  prefix: string;
}

export async function createProject(db: Db, name: string): Promise<{ id: string; name: string }> {
  const id = newId("proj");
  await db.insert(projects).values({ id, name });
  return { id, name };
}

export async function createApiKey(db: Db, projectId: string, name: string): Promise<CreatedKey> {
  const key = randomToken(KEY_PREFIX, 32);
  const id = newId("key");
  const prefix = key.slice(0, KEY_PREFIX.length + 6);
  await db.insert(apiKeys).values({ id, projectId, name, prefix, hash: hashToken(key) });
  return { id, projectId, name, key, prefix };
}

export async function listApiKeys(db: Db, projectId: string) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.projectId, projectId))
    .orderBy(apiKeys.createdAt);
}

export async function revokeApiKey(db: Db, projectId: string, keyId: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.projectId, projectId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

/**
 * Resolves API keys to their project, remembering recent answers so the hot path skips the database. Answers are kept
 * by the key's SHA-256 (never the key itself) for API_KEY_CACHE_MS: a key revoked in this process stops working at once
 * (`forget`), one revoked by another process within API_KEY_CACHE_MS.
 */
export class ApiKeyVerifier {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly cache = new Map<string, { projectId: string | null; until: number }>();
  /** Concurrent misses for one key share one lookup. */
  private readonly pending = new Map<string, Promise<string | null>>();
  /** When this process last wrote each key's lastUsedAt, by key id. */
  private readonly lastUsedWritten = new Map<string, number>();
  /** Moved by `forget`: a lookup that began before a revocation must not cache what it read. */
  private generation = 0;
  constructor(db: Db, clock: Clock) {
    this.db = db;
    this.clock = clock;
  }

  /**
   * The project of `key`, or null for a key that is not valid: at once when this process verified it within the last
   * API_KEY_CACHE_MS, otherwise a promise of the store's answer (the proxy's hot path skips a promise per request).
   */
  projectOrLookup(key: string): string | null | Promise<string | null> {
    if (!key.startsWith(KEY_PREFIX)) return null;
    const hash = hashToken(key);
    const cached = this.cache.get(hash);
    if (cached && cached.until > this.clock.nowMs()) return cached.projectId;
    let lookup = this.pending.get(hash);
    if (!lookup) {
      const started = this.lookup(hash);
      lookup = started.finally(() => {
        if (this.pending.get(hash) === lookup) this.pending.delete(hash);
      });
      this.pending.set(hash, lookup);
    }
    return lookup;
  }

  async projectFor(key: string): Promise<string | null> {
    return this.projectOrLookup(key);
  }

  private async lookup(hash: string): Promise<string | null> {
    const generation = this.generation;
    const now = this.clock.nowMs();
    const [row] = await this.db
      .select({ id: apiKeys.id, projectId: apiKeys.projectId, revokedAt: apiKeys.revokedAt })
      .from(apiKeys)
      .where(eq(apiKeys.hash, hash));
    const projectId = row && !row.revokedAt ? row.projectId : null;
    if (generation === this.generation) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(hash, { projectId, until: now + API_KEY_CACHE_MS });
    }
    if (
      row &&
      projectId &&
      now - (this.lastUsedWritten.get(row.id) ?? Number.NEGATIVE_INFINITY) >= LAST_USED_WRITE_MS
    ) {
      if (this.lastUsedWritten.size > 10_000) this.lastUsedWritten.clear();
      this.lastUsedWritten.set(row.id, now);
      // When the key was last used is shown, not relied on: the request does not wait for it.
      this.db
        .update(apiKeys)
        .set({ lastUsedAt: this.clock.now() })
        .where(eq(apiKeys.id, row.id))
        .catch(() => undefined);
    }
    return projectId;
  }

  /** After a revocation: every key is checked against the store again, lookups already running included. */
  forget(): void {
    this.generation++;
    this.cache.clear();
    this.pending.clear();
  }
}
