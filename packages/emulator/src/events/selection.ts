import type { Org } from "../org/org.ts";
import type { ObjectTable } from "../store/record-store.ts";
import { changeEventSource, MEMBER_OBJECT } from "../tooling/channel-members.ts";

export const STANDARD_CHANNEL = "ChangeEvents";

/** The change event entity of an object: Account → AccountChangeEvent, Foo__c → Foo__ChangeEvent. */
export function changeEventName(objectName: string): string {
  return objectName.endsWith("__c") ? `${objectName.slice(0, -3)}__ChangeEvent` : `${objectName}ChangeEvent`;
}

/**
 * Which objects are selected for Change Data Capture, and on which channels, read from the
 * PlatformEventChannelMember records (so Tooling is the one way to select), cached on the
 * members table's version.
 */
export class CdcSelection {
  private readonly org: Org;
  private version = -1;
  private byObject = new Map<string, Set<string>>();
  /** Enriched field names by `object|channel` (lowercase key), for members that name any. */
  private enriched = new Map<string, string[]>();

  constructor(org: Org) {
    this.org = org;
  }

  /** The channels an object's changes go to (`ChangeEvents`, `Name__chn`); empty when not selected. */
  channelsOf(objectName: string): ReadonlySet<string> {
    this.refresh();
    return this.byObject.get(objectName.toLowerCase()) ?? new Set();
  }

  /** The fields a channel's member for the object asks to enrich its update and delete events with. */
  enrichedOf(objectName: string, channel: string): readonly string[] {
    this.refresh();
    return this.enriched.get(`${objectName}|${channel}`.toLowerCase()) ?? [];
  }

  watches(table: ObjectTable): boolean {
    if (table.def.tooling) return false;
    this.refresh();
    return this.byObject.has(table.def.name.toLowerCase());
  }

  private refresh(): void {
    const members = this.org.store.table(MEMBER_OBJECT);
    if (!members || members.version === this.version) return;
    this.version = members.version;
    const byObject = new Map<string, Set<string>>();
    const enriched = new Map<string, string[]>();
    for (const m of members.live()) {
      const source = changeEventSource(String(m.SelectedEntity));
      if (!source) continue;
      const names = enrichedFieldNames(m.EnrichedFields);
      if (names.length > 0) enriched.set(`${source}|${String(m.EventChannel)}`.toLowerCase(), names);
      const key = source.toLowerCase();
      const channels = byObject.get(key) ?? new Set<string>();
      channels.add(String(m.EventChannel));
      byObject.set(key, channels);
    }
    this.byObject = byObject;
    this.enriched = enriched;
  }
}

/** `[{"name": "Ext_Id__c"}]` as a member stores it → the field names. */
function enrichedFieldNames(stored: unknown): string[] {
  if (typeof stored !== "string" || stored === "") return [];
  const list = JSON.parse(stored) as unknown;
  if (!Array.isArray(list)) return [];
  return list.map((f) => (f as { name?: unknown })?.name).filter((n): n is string => typeof n === "string");
}
