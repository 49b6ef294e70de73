import type { SalesforceClient } from "../api-client.ts";
import { SalesforceApiError } from "../errors.ts";

/** The standard channel Change Data Capture selects entities on. */
export const CHANGE_EVENTS_CHANNEL = "ChangeEvents";
const MEMBER = "PlatformEventChannelMember";

/** A channel member as the Tooling API reads it. */
export interface ChannelMember {
  id: string;
  developerName: string;
  eventChannel: string;
  selectedEntity: string;
}

/** An entity to select, with the fields its update and delete events should always carry. */
export interface EntitySelection {
  entity: string;
  enrichedFields?: readonly string[];
}

/** One step of a selection: a member this run created, or one that was there and is adopted. */
export interface MemberStep {
  selectedEntity: string;
  memberId: string;
  outcome: "created" | "adopted";
}

export interface SelectOptions {
  channel?: string;
  /**
   * Called after each step, before the next: record it durably, so a process that dies midway
   * leaves a list of exactly what it created.
   */
  onStep?: (step: MemberStep) => void | Promise<void>;
}

/** A selection that failed midway: what it created was deleted again (unless `leftBehind`). */
export class ChannelSelectionFailed extends Error {
  override readonly name = "ChannelSelectionFailed";
  override readonly cause: unknown;
  readonly rolledBack: MemberStep[];
  /** Created members the rollback could not delete (their ids, to delete later). */
  readonly leftBehind: MemberStep[];

  constructor(cause: unknown, rolledBack: MemberStep[], leftBehind: MemberStep[]) {
    super(`Selecting entities for Change Data Capture failed: ${(cause as Error)?.message ?? String(cause)}`);
    this.cause = cause;
    this.rolledBack = rolledBack;
    this.leftBehind = leftBehind;
  }
}

const toolingPath = (client: SalesforceClient, id?: string) =>
  `${client.dataPath}/tooling/sobjects/${MEMBER}${id ? `/${id}` : ""}`;

/** The members of a channel (`ChangeEvents` by default). */
export async function listChannelMembers(
  client: SalesforceClient,
  channel = CHANGE_EVENTS_CHANNEL,
): Promise<ChannelMember[]> {
  const soql = `SELECT Id, DeveloperName, EventChannel, SelectedEntity FROM ${MEMBER}`;
  const out: ChannelMember[] = [];
  for await (const r of client.query<Record<string, unknown>>(soql, { tooling: true })) {
    const member = {
      id: String(r.Id),
      developerName: String(r.DeveloperName ?? ""),
      eventChannel: String(r.EventChannel ?? ""),
      selectedEntity: String(r.SelectedEntity ?? ""),
    };
    if (member.eventChannel.toLowerCase() === channel.toLowerCase()) out.push(member);
  }
  return out;
}

/**
 * Selects one entity (`AccountChangeEvent`, `Foo__ChangeEvent`) on a channel, with the fields to
 * enrich its events with; answers the new member's id.
 */
export async function createChannelMember(
  client: SalesforceClient,
  selectedEntity: string,
  channel = CHANGE_EVENTS_CHANNEL,
  enrichedFields: readonly string[] = [],
): Promise<string> {
  const answer = await client.request<{ id: string }>({
    method: "POST",
    path: toolingPath(client),
    json: {
      FullName: `${channel}_${selectedEntity}`,
      Metadata: {
        eventChannel: channel,
        selectedEntity,
        ...(enrichedFields.length > 0 ? { enrichedFields: enrichedFields.map((name) => ({ name })) } : {}),
      },
    },
  });
  return answer.body.id;
}

/**
 * Adds the enriched fields a member lacks (one read of its Metadata, and an update only when
 * some are missing); fields it already enriches stay, so another subscriber's needs are kept.
 */
export async function enrichChannelMember(
  client: SalesforceClient,
  memberId: string,
  enrichedFields: readonly string[],
): Promise<void> {
  if (enrichedFields.length === 0) return;
  const current = await client.request<{ Metadata?: Record<string, unknown> }>({ path: toolingPath(client, memberId) });
  const { urls: _urls, ...metadata } = current.body.Metadata ?? {};
  const have = (Array.isArray(metadata.enrichedFields) ? metadata.enrichedFields : []) as Array<{ name?: string }>;
  const known = new Set(have.map((f) => String(f?.name ?? "").toLowerCase()));
  const missing = enrichedFields.filter((f) => !known.has(f.toLowerCase()));
  if (missing.length === 0) return;
  await client.request({
    method: "PATCH",
    path: toolingPath(client, memberId),
    json: { Metadata: { ...metadata, enrichedFields: [...have, ...missing.map((name) => ({ name }))] } },
  });
}

/** Deletes a member; one that is already gone counts as deleted. */
export async function deleteChannelMember(client: SalesforceClient, memberId: string): Promise<void> {
  try {
    await client.request({ method: "DELETE", path: toolingPath(client, memberId) });
  } catch (e) {
    if (e instanceof SalesforceApiError && e.status === 404) return;
    throw e;
  }
}

/**
 * Selects entities for Change Data Capture step by step: an entity already on the channel is
 * adopted (not duplicated, and never deleted by `releaseChannelMembers`), the others are created
 * one at a time. When a step fails, the members this run created are deleted again, newest first.
 */
export async function selectChannelMembers(
  client: SalesforceClient,
  selectedEntities: ReadonlyArray<string | EntitySelection>,
  options: SelectOptions = {},
): Promise<MemberStep[]> {
  const channel = options.channel ?? CHANGE_EVENTS_CHANNEL;
  const steps: MemberStep[] = [];
  try {
    const existing = await listChannelMembers(client, channel);
    for (const selection of selectedEntities) {
      const { entity, enrichedFields = [] } = typeof selection === "string" ? { entity: selection } : selection;
      const step = await selectOne(client, entity, channel, existing, enrichedFields);
      // An adopted member may lack some of the fields asked for: they are added, none taken away.
      if (step.outcome === "adopted") await enrichChannelMember(client, step.memberId, enrichedFields);
      steps.push(step);
      await options.onStep?.(step);
    }
    return steps;
  } catch (cause) {
    const created = steps.filter((s) => s.outcome === "created").reverse();
    const rolledBack: MemberStep[] = [];
    const leftBehind: MemberStep[] = [];
    for (const step of created) {
      try {
        await deleteChannelMember(client, step.memberId);
        rolledBack.push(step);
      } catch {
        leftBehind.push(step);
      }
    }
    throw new ChannelSelectionFailed(cause, rolledBack, leftBehind);
  }
}

async function selectOne(
  client: SalesforceClient,
  entity: string,
  channel: string,
  existing: ChannelMember[],
  enrichedFields: readonly string[],
): Promise<MemberStep> {
  const found = existing.find((m) => m.selectedEntity.toLowerCase() === entity.toLowerCase());
  if (found) return { selectedEntity: entity, memberId: found.id, outcome: "adopted" };
  try {
    const memberId = await createChannelMember(client, entity, channel, enrichedFields);
    return { selectedEntity: entity, memberId, outcome: "created" };
  } catch (e) {
    // Another process selected it between our read and our create: adopt theirs.
    if (!(e instanceof SalesforceApiError) || e.code !== "DUPLICATE_VALUE") throw e;
    const now = await listChannelMembers(client, channel);
    const theirs = now.find((m) => m.selectedEntity.toLowerCase() === entity.toLowerCase());
    if (!theirs) throw e;
    return { selectedEntity: entity, memberId: theirs.id, outcome: "adopted" };
  }
}

/** Deletes the members a selection created; adopted ones belong to someone else and stay. */
export async function releaseChannelMembers(client: SalesforceClient, steps: readonly MemberStep[]): Promise<void> {
  for (const step of [...steps].reverse()) {
    if (step.outcome === "created") await deleteChannelMember(client, step.memberId);
  }
}
