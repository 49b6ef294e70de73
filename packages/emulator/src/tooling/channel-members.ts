import { ApiError } from "../http/errors.ts";
import type { Org } from "../org/org.ts";
import type { StoredRecord } from "../store/record-store.ts";

/** The Metadata of a PlatformEventChannelMember, as Tooling takes and returns it. */
export interface ChannelMemberMetadata {
  eventChannel: string;
  selectedEntity: string;
  enrichedFields: unknown[];
  filterExpression: string | null;
}

export const MEMBER_OBJECT = "PlatformEventChannelMember";
const STANDARD_CHANNEL = "ChangeEvents";

/** The object a change event stands for: AccountChangeEvent → Account, Foo__ChangeEvent → Foo__c. */
export function changeEventSource(entity: string): string | undefined {
  const custom = /^(\w+)__ChangeEvent$/.exec(entity);
  if (custom) return `${custom[1]}__c`;
  // Standard object names have no underscores, so Foo__cChangeEvent names nothing.
  const standard = /^([A-Za-z][A-Za-z0-9]*)ChangeEvent$/.exec(entity);
  return standard ? standard[1] : undefined;
}

/** Whether selecting one more entity would go past the org's Change Data Capture allocation. */
export function exceedsAllocation(selected: ReadonlySet<string>, entity: string, allocation: number): boolean {
  return !selected.has(entity.toLowerCase()) && selected.size >= allocation;
}

const invalid = (message: string, fields?: string[]) => new ApiError(400, "FIELD_INTEGRITY_EXCEPTION", message, fields);

/** Reads `{FullName, Metadata: {eventChannel, selectedEntity, …}}`; FullName defaults to Channel_Entity. */
export function memberRequest(body: Record<string, unknown>): { fullName: string; metadata: ChannelMemberMetadata } {
  const meta = body.Metadata;
  if (meta === null || typeof meta !== "object" || Array.isArray(meta)) {
    throw invalid('Metadata is required: {"eventChannel": …, "selectedEntity": …}', ["Metadata"]);
  }
  const m = meta as Record<string, unknown>;
  if (typeof m.eventChannel !== "string" || m.eventChannel === "")
    throw invalid("Metadata.eventChannel is required", ["EventChannel"]);
  if (typeof m.selectedEntity !== "string" || m.selectedEntity === "")
    throw invalid("Metadata.selectedEntity is required", ["SelectedEntity"]);
  const fullName =
    typeof body.FullName === "string" && body.FullName !== "" ? body.FullName : `${m.eventChannel}_${m.selectedEntity}`;
  return {
    fullName,
    metadata: {
      eventChannel: m.eventChannel,
      selectedEntity: m.selectedEntity,
      enrichedFields: Array.isArray(m.enrichedFields) ? m.enrichedFields : [],
      filterExpression: typeof m.filterExpression === "string" ? m.filterExpression : null,
    },
  };
}

function liveMembers(org: Org): StoredRecord[] {
  return [...org.store.tableOrThrow(MEMBER_OBJECT).live()];
}

/**
 * The checks Salesforce makes when an entity joins a channel: the channel exists, the entity is
 * the change event of an object that has one, it is not there yet, and the allocation has room.
 */
export function checkNewMember(org: Org, fullName: string, metadata: ChannelMemberMetadata): void {
  const { eventChannel, selectedEntity } = metadata;
  if (eventChannel !== STANDARD_CHANNEL && !eventChannel.endsWith("__chn")) {
    throw invalid(
      `The event channel '${eventChannel}' doesn't exist. Use ChangeEvents or a custom channel (Name__chn).`,
      ["EventChannel"],
    );
  }
  const source = changeEventSource(selectedEntity);
  const def = source ? org.objectDef(source) : undefined;
  if (!def || (def.access !== "data" && def.name !== "User")) {
    throw invalid(
      `The selected entity '${selectedEntity}' isn't a change event of an object that supports Change Data Capture.`,
      ["SelectedEntity"],
    );
  }
  const members = liveMembers(org);
  const twin = members.find(
    (r) =>
      String(r.DeveloperName).toLowerCase() === fullName.toLowerCase() ||
      (String(r.EventChannel).toLowerCase() === eventChannel.toLowerCase() &&
        String(r.SelectedEntity).toLowerCase() === selectedEntity.toLowerCase()),
  );
  if (twin)
    throw new ApiError(
      400,
      "DUPLICATE_VALUE",
      `duplicate value found: DeveloperName duplicates value on record with id: ${twin.Id}`,
      ["DeveloperName"],
    );
  checkEnrichedFields(org, metadata);
  const selected = new Set(members.map((r) => String(r.SelectedEntity).toLowerCase()));
  const allocation = org.settings.cdcEntityAllocation;
  if (exceedsAllocation(selected, selectedEntity, allocation)) {
    throw new ApiError(
      400,
      "LIMIT_EXCEEDED",
      `Can't select ${selectedEntity} for Change Data Capture: the org's allocation of ${allocation} selected entities is used up. Remove an entity or add more allocation.`,
    );
  }
}

/**
 * Enriched fields are `{"name": Field}` items naming fields of the selected entity's object,
 * each once; the Id and the compound fields themselves cannot be enriched.
 */
export function checkEnrichedFields(org: Org, metadata: ChannelMemberMetadata): void {
  const def = org.objectDef(changeEventSource(metadata.selectedEntity) ?? "");
  const seen = new Set<string>();
  for (const item of metadata.enrichedFields) {
    const name = (item as { name?: unknown } | null)?.name;
    if (typeof name !== "string" || name === "")
      throw invalid('Each of Metadata.enrichedFields is {"name": "FieldName"}', ["EnrichedFields"]);
    const field = def?.fieldMap.get(name.toLowerCase());
    if (!def || !field || field.name === "Id" || field.components)
      throw invalid(
        `The field '${name}' can't be an enriched field of ${metadata.selectedEntity}: no such field on ${def?.name ?? "the object"}, or a field that can't be enriched.`,
        ["EnrichedFields"],
      );
    if (seen.has(field.name)) throw invalid(`The enriched field '${name}' is listed twice.`, ["EnrichedFields"]);
    seen.add(field.name);
  }
}

/** The stored columns of a member: Metadata is kept as JSON text, its parts as their own fields. */
export function memberValues(fullName: string, metadata: ChannelMemberMetadata): Record<string, unknown> {
  return {
    DeveloperName: fullName,
    FullName: fullName,
    EventChannel: metadata.eventChannel,
    SelectedEntity: metadata.selectedEntity,
    EnrichedFields: JSON.stringify(metadata.enrichedFields),
    FilterExpression: metadata.filterExpression,
    Metadata: JSON.stringify(metadata),
  };
}

/** Metadata as a GET returns it: an object, with the urls key Tooling adds. */
export function memberMetadata(record: StoredRecord): Record<string, unknown> {
  const text = typeof record.Metadata === "string" ? record.Metadata : "{}";
  return { ...(JSON.parse(text) as Record<string, unknown>), urls: null };
}

/** A PATCH may change enrichedFields and filterExpression, never the channel or the entity. */
export function patchedMetadata(record: StoredRecord, body: Record<string, unknown>): ChannelMemberMetadata {
  const current = JSON.parse(String(record.Metadata ?? "{}")) as ChannelMemberMetadata;
  const frozen = ["EventChannel", "SelectedEntity"].filter((k) => k in body);
  const m = (body.Metadata ?? {}) as Record<string, unknown>;
  if (typeof m !== "object" || m === null || Array.isArray(m))
    throw invalid("Metadata must be an object", ["Metadata"]);
  if (m.eventChannel !== undefined && m.eventChannel !== current.eventChannel) frozen.push("EventChannel");
  if (m.selectedEntity !== undefined && m.selectedEntity !== current.selectedEntity) frozen.push("SelectedEntity");
  if (frozen.length > 0) {
    throw new ApiError(
      400,
      "INVALID_FIELD_FOR_INSERT_UPDATE",
      `Unable to create/update fields: ${frozen.join(", ")}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      frozen,
    );
  }
  return {
    ...current,
    enrichedFields: Array.isArray(m.enrichedFields) ? m.enrichedFields : current.enrichedFields,
    filterExpression:
      m.filterExpression === undefined
        ? current.filterExpression
        : typeof m.filterExpression === "string"
          ? m.filterExpression
          : null,
  };
}
