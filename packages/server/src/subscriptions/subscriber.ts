import { PubSubClient, PubSubFailure, type ReplayFrom, type SalesforceClient } from "@forcelink/salesforce";
import { type ConnectionRow, findConnection } from "../connections/connection-store.ts";
import { integrationUpdatedAt, openInstallation } from "../integrations/integration-store.ts";
import type { ManifestObject } from "../integrations/manifest/manifest.ts";
import type { Platform } from "../platform/platform.ts";
import { explainError } from "../remedies/explain-failure.ts";
import type { Destination, ObjectSchema, SyncRecord } from "../sync/destinations/destination.ts";
import { openDestinations } from "../sync/destinations/open-destinations.ts";
import { recordConverter } from "../sync/record-values.ts";
import { cursorFieldOf, type DescribedObject, readQuery, selectFields } from "../sync/sync-plan.ts";
import { readPages } from "../sync/sync-source.ts";
import { type ChangeOutcome, changeOutcome, type EventFields, eventFields } from "./change-records.ts";
import { DeliveryPipeline } from "./delivery-pipeline.ts";
import { pauseSubscription, reportRecovery } from "./subscription-reports.ts";
import {
  confirmDelivered,
  getSubscription,
  leaseMsOf,
  markRunning,
  type SubscriptionRow,
  takeLease,
  updateSubscription,
} from "./subscription-store.ts";

/**
 * The stream cannot be trusted from here: read by query from the last confirmed commit, then
 * follow the stream again after `resumeAfter` (the overflow event itself).
 */
class ReadSinceCheckpoint extends Error {
  readonly reason: "overflow" | "replay_id_invalid";
  readonly resumeAfter: Buffer;
  constructor(reason: "overflow" | "replay_id_invalid", resumeAfter: Buffer) {
    super(reason);
    this.reason = reason;
    this.resumeAfter = resumeAfter;
  }
}

interface Running {
  row: SubscriptionRow;
  conn: ConnectionRow;
  spec: ManifestObject;
  client: SalesforceClient;
  schema: ObjectSchema;
  fields: EventFields;
  destinations: Destination[];
  owner: string;
  sequence: number;
}

/**
 * Runs one subscription while this process holds its lease (renewed every third of it): the
 * events received together split per record and delivered to every destination in one batch,
 * then the last one's replay id checkpointed.
 * Gap events re-read their records; an overflow or an unusable replay id reads everything since
 * the last confirmed commit and resumes at LATEST. Ends when `signal` aborts, the lease is lost,
 * or the subscription is paused.
 */
export async function runSubscription(platform: Platform, id: string, owner: string, signal: AbortSignal) {
  const row = await getSubscription(platform, id);
  const opened = row && (await openInstallation(platform, row.installationId));
  const conn = row && (await findConnection(platform, row.projectId, row.connectionId));
  const spec = opened?.integration.manifest.objects.find((o) => o.name === row?.object && o.subscribe);
  if (!row || !opened || !conn || !spec || conn.status === "needs_reauth") return;
  const client = await platform.tokens.clientFor(conn);
  const described = await client.request<DescribedObject>({
    path: `${client.dataPath}/sobjects/${spec.name}/describe`,
  });
  const schema: ObjectSchema = { name: spec.name, fields: selectFields(described.body, spec.fields).fields };
  const destinations = openDestinations(platform, opened.integration, spec.destinations, {
    projectId: conn.projectId,
    connectionId: conn.id,
  });
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener("abort", onAbort);
  // Each renewal also looks whether the manifest was replaced: this run then ends, and the next
  // one (a scan later) reads the new fields and destinations and resumes from the checkpoint.
  const manifestAt = opened.integration.row.updatedAt.getTime();
  const renew = setInterval(() => {
    takeLease(platform, id, owner).then(
      (held) => held || stop.abort(),
      () => undefined,
    );
    integrationUpdatedAt(platform, opened.integration.row.id).then(
      (at) => at?.getTime() === manifestAt || stop.abort(),
      () => undefined,
    );
  }, leaseMsOf(platform) / 3);
  try {
    for (const d of destinations) await d.prepare(schema);
    const ctx: Running = {
      row,
      conn,
      spec,
      client,
      schema,
      fields: eventFields(schema),
      destinations,
      owner,
      sequence: 0,
    };
    // Paused meanwhile (provisioning found a check failing): it stays paused, and this run ends.
    if (!(await markRunning(platform, id))) return;
    await stream(platform, ctx, stop.signal);
  } finally {
    clearInterval(renew);
    signal.removeEventListener("abort", onAbort);
    await Promise.allSettled(destinations.map((d) => d.close()));
  }
}

/** Subscribes from the checkpoint (LATEST without one) and restarts after a read since the checkpoint. */
async function stream(platform: Platform, ctx: Running, signal: AbortSignal): Promise<void> {
  const lifecycle = await platform.tokens.lifecycleFor(ctx.conn);
  const pubsub = new PubSubClient({
    endpoint: platform.pubsub.endpoint,
    tokens: lifecycle.tokenProvider(ctx.conn.id),
    tenantId: ctx.conn.orgId,
    ...(platform.pubsub.rootCertificate ? { tls: { rootCertificate: platform.pubsub.rootCertificate } } : {}),
  });
  try {
    let replay: ReplayFrom = ctx.row.replayId
      ? { preset: "CUSTOM", replayId: Buffer.from(ctx.row.replayId, "base64") }
      : { preset: "LATEST" };
    while (!signal.aborted) {
      try {
        await consume(platform, ctx, pubsub, replay, signal);
        return;
      } catch (error) {
        const reason = recoveryReason(error);
        if (!reason) {
          if (error instanceof PubSubFailure && error.checklistItem === "subscription-permissions") {
            const check = explainError(error, { user: ctx.conn.username ?? undefined });
            return await pauseSubscription(platform, ctx.row, ctx.conn, {
              reason: "subscription-permissions",
              message: error.message,
              ...(check ? { check } : {}),
            });
          }
          throw error;
        }
        const records = await readSinceCheckpoint(platform, ctx);
        await reportRecovery(platform, ctx.row, ctx.conn, { reason, records });
        // Never LATEST: a change committed after the read began and before a new stream stood
        // would be lost. After an overflow the stream goes on past it; after an unusable replay id
        // it starts again from the oldest retained event (what the read already holds is not
        // written over: the destinations keep the newer version).
        replay =
          error instanceof ReadSinceCheckpoint
            ? { preset: "CUSTOM", replayId: error.resumeAfter }
            : { preset: "EARLIEST" };
      }
    }
  } finally {
    pubsub.close();
  }
}

function recoveryReason(error: unknown): "overflow" | "replay_id_invalid" | null {
  if (error instanceof ReadSinceCheckpoint) return error.reason;
  if (error instanceof PubSubFailure && error.reason === "pubsub.replay_id_invalid") return "replay_id_invalid";
  return null;
}

async function consume(
  platform: Platform,
  ctx: Running,
  pubsub: PubSubClient,
  replay: ReplayFrom,
  signal: AbortSignal,
): Promise<void> {
  const sub = pubsub.subscribe({ topic: ctx.row.channel, replay });
  const onAbort = () => sub.close();
  signal.addEventListener("abort", onAbort);
  // Consecutive events' records, delivered as one batch while the next gathers, each checkpointed after it.
  const pipeline = new DeliveryPipeline(async ({ upserts, deletes, records }, end) => {
    await deliver(ctx, upserts, deletes);
    return confirm(platform, ctx, end.replayId, end.commitAt, records);
  });
  const stream = sub.batches();
  try {
    for (;;) {
      const next = stream.next();
      next.catch(() => undefined);
      const step = await pipeline.alongside(next);
      if (step === false || signal.aborted) return;
      if (step.done) break;
      for (const item of step.value) {
        if (item.kind === "keepalive") {
          // Every event before it was confirmed (events are handled in order): safe to resume after it.
          if (!(await pipeline.settle()) || !(await confirm(platform, ctx, item.latestReplayId, null, 0))) return;
          await updateSubscription(platform, ctx.row.id, { lastKeepaliveAt: platform.clock.now() });
          continue;
        }
        const header = item.event.changeHeader;
        if (!header) continue;
        const outcome = changeOutcome(header, item.event.payload, ctx.schema, ctx.fields, ctx.spec.enrichedFields);
        const end = { replayId: item.event.replayId, commitAt: new Date(Number(header.commitTimestamp)) };
        if (outcome.kind === "records") {
          if (pipeline.add(outcome, end)) continue;
          if (!(await pipeline.settle())) return;
          pipeline.add(outcome, end);
          continue;
        }
        if (!(await pipeline.settle())) return;
        if (outcome.kind === "overflow") throw new ReadSinceCheckpoint("overflow", end.replayId);
        const delivered = await deliverOutcome(platform, ctx, outcome);
        await reportRecovery(platform, ctx.row, ctx.conn, { reason: "gap", records: delivered });
        if (!(await confirm(platform, ctx, end.replayId, end.commitAt, delivered))) return;
      }
      pipeline.kick();
    }
    await pipeline.settle();
  } finally {
    signal.removeEventListener("abort", onAbort);
    sub.close();
    await pipeline.stop();
  }
}

/** Moves the checkpoint; false when this process no longer holds the lease (it stops). */
function confirm(platform: Platform, ctx: Running, replayId: Buffer, commitAt: Date | null, events: number) {
  return confirmDelivered(platform, ctx.row.id, ctx.owner, {
    replayId: replayId.toString("base64"),
    commitAt,
    events,
  });
}

/** A gap event's records, read again by query and delivered to every destination; answers how many. */
async function deliverOutcome(
  platform: Platform,
  ctx: Running,
  outcome: Extract<ChangeOutcome, { kind: "gap" }>,
): Promise<number> {
  const ids = outcome.recordIds.filter((id) => /^[A-Za-z0-9]{15,18}$/.test(id));
  if (ids.length === 0) return 0;
  const soql = `SELECT ${ctx.schema.fields.map((f) => f.name).join(", ")} FROM ${ctx.spec.name} WHERE Id IN ('${ids.join("','")}')`;
  return deliverQuery(platform, ctx, soql);
}

/**
 * The sync's incremental read from the last confirmed commit (the subscription's start when no
 * event was ever confirmed), delivered like any page; answers how many records it delivered.
 */
async function readSinceCheckpoint(platform: Platform, ctx: Running): Promise<number> {
  const fresh = await getSubscription(platform, ctx.row.id);
  const cursorField = cursorFieldOf(ctx.schema.fields);
  const since = fresh?.lastCommitAt ?? fresh?.createdAt ?? ctx.row.createdAt;
  const from = `${new Date(since.getTime() - 1000).toISOString().slice(0, 19)}Z`;
  const soql = readQuery(ctx.spec.name, ctx.schema.fields, cursorField, { from, to: null, after: null });
  return deliverQuery(platform, ctx, soql);
}

/**
 * A record read by query is the record as of the read; Salesforce gives its SystemModstamp to the
 * second, while events carry the commit to the millisecond. The read's version is stamped the
 * last millisecond of its second that is not after the read began, so the destinations neither
 * let an event it already holds overwrite it nor refuse an event committed after it.
 */
export function readVersion(systemModstamp: string | null, readAt: number): string | null {
  const ms = systemModstamp ? Date.parse(systemModstamp) : Number.NaN;
  if (!Number.isFinite(ms)) return systemModstamp;
  return new Date(Math.max(ms, Math.min(ms + 999, readAt))).toISOString();
}

async function deliverQuery(platform: Platform, ctx: Running, soql: string): Promise<number> {
  const convert = recordConverter(ctx.schema.fields);
  const readAt = platform.clock.nowMs();
  let count = 0;
  for await (const page of readPages(ctx.client, "rest", soql, ctx.spec.deletes)) {
    const upserts: SyncRecord[] = [];
    const deletes: Array<{ id: string; deletedAt: string }> = [];
    for (const raw of page) {
      const record = convert(raw);
      const stamp = readVersion((record.SystemModstamp as string | null | undefined) ?? null, readAt);
      if (record.IsDeleted === true)
        deletes.push({ id: String(record.Id), deletedAt: stamp ?? new Date(readAt).toISOString() });
      else upserts.push(stamp === null ? record : { ...record, SystemModstamp: stamp });
    }
    await deliver(ctx, upserts, deletes);
    count += page.length;
  }
  return count;
}

async function deliver(ctx: Running, upserts: SyncRecord[], deletes: Array<{ id: string; deletedAt: string }>) {
  if (upserts.length + deletes.length === 0) return;
  const batch = { object: ctx.spec.name, runId: ctx.row.id, sequence: ctx.sequence++, upserts, deletes };
  await Promise.all(ctx.destinations.map((d) => d.deliver(batch)));
}
