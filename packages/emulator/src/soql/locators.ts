import { ApiError } from "../http/errors.ts";
import type { Org } from "../org/org.ts";
import type { StoredRecord } from "../store/record-store.ts";

/** A server-side cursor over a query's matched rows; pages are projected only when served. */
export interface Locator {
  /** An 18-character id with key prefix 01g. */
  id: string;
  userId: string;
  records: StoredRecord[];
  toJson: (record: StoredRecord) => Record<string, unknown>;
  /** The path segment nextRecordsUrl uses after the version: "query", "queryAll" or "tooling/query". */
  path: string;
  batchSize: number;
  lastUsedAt: number;
  /**
   * The next page, serialised while the client was busy with the one before; served only when the
   * client asks for exactly it and nothing in the org was written since.
   */
  prepared?: { offset: number; batch: number; revision: number; body: string };
}

export const invalidLocator = () => new ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator");

/**
 * Open query locators of one org. Like Salesforce they die after an idle time, a user holds a
 * bounded number (the oldest goes first), and only their owner may read them.
 */
export class LocatorStore {
  private readonly org: Org;
  private readonly open = new Map<string, Locator>();
  constructor(org: Org) {
    this.org = org;
  }

  create(spec: Omit<Locator, "id" | "lastUsedAt">): Locator {
    this.sweep();
    const mine = [...this.open.values()].filter((l) => l.userId === spec.userId);
    const max =
      this.org.settings.maxOpenLocatorsPerUser > 0
        ? this.org.settings.maxOpenLocatorsPerUser
        : Number.POSITIVE_INFINITY;
    for (const old of mine.slice(0, Math.max(0, mine.length - max + 1))) this.open.delete(old.id);
    const locator: Locator = { ...spec, id: this.org.ids.next("01g"), lastUsedAt: this.org.clock.now() };
    this.open.set(locator.id, locator);
    return locator;
  }

  /** The caller's live locator, touched; INVALID_QUERY_LOCATOR for unknown, expired or foreign ones. */
  use(userId: string, id: string): Locator {
    const locator = this.open.get(id);
    if (!locator || locator.userId !== userId) throw invalidLocator();
    const now = this.org.clock.now();
    if (this.expired(locator, now)) {
      this.open.delete(id);
      throw invalidLocator();
    }
    locator.lastUsedAt = now;
    return locator;
  }

  isOpen(id: string): boolean {
    return this.open.has(id);
  }

  release(id: string): void {
    this.open.delete(id);
  }

  get size(): number {
    return this.open.size;
  }

  private expired(locator: Locator, now: number): boolean {
    return now - locator.lastUsedAt > this.org.settings.locatorTtlSeconds * 1000;
  }

  private sweep(): void {
    const now = this.org.clock.now();
    for (const [id, l] of this.open) if (this.expired(l, now)) this.open.delete(id);
  }
}

export function queryLocators(org: Org): LocatorStore {
  return org.extension("queryLocators", () => new LocatorStore(org));
}
