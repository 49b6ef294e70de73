import { setTimeout as delay } from "node:timers/promises";
import { type ClassifiedFailure, OAuthFailure, SalesforceApiError, type SalesforceClient } from "@forcelink/salesforce";
import { findConnection } from "../connections/connection-store.ts";
import type { InstallationRow, OpenedIntegration } from "../integrations/integration-store.ts";
import type { ManifestObject } from "../integrations/manifest/manifest.ts";
import type { SyncTrigger } from "../jobs/sync-queue.ts";
import type { Platform } from "../platform/platform.ts";
import { explainError, explainFailure } from "../remedies/explain-failure.ts";
import { emitEvent } from "../webhooks/emit.ts";
import { BulkCopyRows, CopyArenas } from "./bulk-csv-reader.ts";
import type { CopyBatch, Destination, ObjectSchema, SyncRecord } from "./destinations/destination.ts";
import { openDestinations } from "./destinations/open-destinations.ts";
import { idleWindow, markDescribed } from "./idle-check.ts";
import { recordConverter } from "./record-values.ts";
import { syncRunActivity } from "./sync-activity.ts";
import { isPaused } from "./sync-control.ts";
import { syncFailureAction } from "./sync-failure-action.ts";
import { tryLock, trySlot } from "./sync-lock.ts";
import {
  bulkSupports,
  type Checkpoint,
  chooseMode,
  countQuery,
  cursorFieldOf,
  type DescribedObject,
  planWindow,
  quotaExhausted,
  type ReadMode,
  readQuery,
  resumeWindow,
  type SyncWindow,
  selectFields,
} from "./sync-plan.ts";
import { type SyncSettings, syncSettings } from "./sync-settings.ts";
import { readCopyPages, readPages } from "./sync-source.ts";
import {
  checkpointOf,
  ensureState,
  runView,
  type SyncRunRow,
  type SyncStateRow,
  startRun,
  updateRun,
  updateState,
} from "./sync-store.ts";

export interface SyncProgress {
  read: number;
  upserted: number;
  deleted: number;
  /** Rows the window holds (from COUNT()), when known. */
  expected: number | null;
  mode: ReadMode | null;
}

export interface RunOptions {
  trigger: SyncTrigger;
  onProgress?: (progress: SyncProgress) => void;
  signal?: AbortSignal;
}

export type RunOutcome =
  | { status: "completed" | "failed" | "paused"; run: ReturnType<typeof runView> }
  | { status: "skipped"; reason: string };

/** A zero Id that sorts before every real one: "everything of this second is done". */
const BEFORE_ANY_ID = "000000000000000";

/** Describe answered 404: the connected user cannot read the object, or the org has none. */
class ObjectNotVisible extends Error {
  readonly object: string;
  constructor(object: string) {
    super(
      `sObject type '${object}' is not visible to the connected user: describe answered 404 (no Read on the object, or the org has no such object).`,
    );
    this.object = object;
  }
}

class QuotaPause extends Error {
  readonly used: number;
  readonly max: number;
  constructor(used: number, max: number) {
    super(`the org has used ${used} of its ${max} daily API requests`);
    this.used = used;
    this.max = max;
  }
}

/**
 * One sync run of one object of an installation: at most one at a time per connection and
 * object across every process, and a few per org. Reads the window since the checkpoint in
 * (cursor, Id) order, delivers each page to every destination, and moves the checkpoint only
 * after all of them confirmed it. Transient failures resume from the checkpoint; the daily quota
 * pauses the sync; anything else fails the run and keeps the checkpoint.
 */
export async function runObjectSync(
  platform: Platform,
  target: { installation: InstallationRow; integration: OpenedIntegration; object: string },
  options: RunOptions,
): Promise<RunOutcome> {
  const settings = syncSettings(platform);
  const { installation, integration } = target;
  const spec = integration.manifest.objects.find((o) => o.name.toLowerCase() === target.object.toLowerCase());
  if (!spec) return { status: "skipped", reason: `the integration does not sync ${target.object}` };
  const conn = await findConnection(platform, installation.projectId, installation.connectionId);
  if (!conn) return { status: "skipped", reason: "the connection no longer exists" };
  if (conn.status === "needs_reauth")
    return { status: "skipped", reason: "the connection needs to be connected again" };

  if (await isPaused(platform, installation.id, spec.name))
    return { status: "skipped", reason: `the sync of ${spec.name} is paused; resume it to run again` };

  const runLock = await tryLock(platform.database, `sync:${conn.id}:${spec.name.toLowerCase()}`);
  if (!runLock) return { status: "skipped", reason: `a run of ${spec.name} is already going on for this connection` };
  const orgSlot = await trySlot(platform.database, `sync-org:${conn.orgId}`, settings.perOrgConcurrency);
  if (!orgSlot) {
    await runLock.release();
    return { status: "skipped", reason: `the org already runs ${settings.perOrgConcurrency} syncs at once` };
  }
  const destinations = openDestinations(platform, integration, spec.destinations, {
    projectId: conn.projectId,
    connectionId: conn.id,
  });
  try {
    const state = await ensureState(platform, {
      projectId: conn.projectId,
      installationId: installation.id,
      connectionId: conn.id,
      object: spec.name,
    });
    const run = await startRun(platform, {
      projectId: conn.projectId,
      connectionId: conn.id,
      installationId: installation.id,
      object: spec.name,
      trigger: options.trigger,
    });
    await updateState(platform, state.id, { status: "running", statusReason: null, lastRunId: run.id });
    const objects = integration.manifest.objects;
    const worker = new ObjectSyncRun(platform, settings, { conn, spec, objects, state, run, destinations, options });
    return await worker.execute();
  } finally {
    await Promise.allSettled(destinations.map((d) => d.close()));
    await orgSlot.release();
    await runLock.release();
  }
}

interface RunContext {
  conn: NonNullable<Awaited<ReturnType<typeof findConnection>>>;
  spec: ManifestObject;
  /** Every object of the installation: the idle check counts them in one call. */
  objects: readonly ManifestObject[];
  state: SyncStateRow;
  run: SyncRunRow;
  destinations: Destination[];
  options: RunOptions;
}

class ObjectSyncRun {
  private readonly platform: Platform;
  private readonly settings: SyncSettings;
  private readonly ctx: RunContext;
  private apiCalls = 0;
  private usage: { used: number; max: number } | null = null;
  private progress: SyncProgress = { read: 0, upserted: 0, deleted: 0, expected: null, mode: null };
  private sequence = 0;
  private drift: { added: string[]; removed: string[]; hidden: string[] } | null = null;
  private formulas: string[] = [];
  private readonly converters = new Map<ObjectSchema, ReturnType<typeof recordConverter>>();

  constructor(platform: Platform, settings: SyncSettings, ctx: RunContext) {
    this.platform = platform;
    this.settings = settings;
    this.ctx = ctx;
  }

  async execute(): Promise<RunOutcome> {
    const { conn, spec, run } = this.ctx;
    try {
      const client = await this.platform.tokens.jobClient(conn, (used, max) => {
        this.apiCalls++;
        this.usage = { used, max };
      });
      this.checkQuota();
      const idle = await idleWindow(this.platform, client, { ...this.ctx, settings: this.settings });
      if (idle) return await this.finishIdle(idle);
      const { schema, cursorField, serverNow } = await this.prepare(client);
      const checkpoint = checkpointOf(this.ctx.state);
      const window = planWindow({
        cursorField,
        checkpoint,
        serverNow,
        lagMs: this.settings.lagMs,
        lookbackMs: this.settings.lookbackMs,
        backfillFrom: spec.backfill.kind === "days" ? serverNow - spec.backfill.days * 86_400_000 : null,
      });
      await updateRun(this.platform, run.id, { windowFrom: window.from, windowTo: window.to });
      await this.readWindow(client, schema, cursorField, window);
      // The window is done: everything up to its end is confirmed, so the next run starts there.
      const done: Partial<SyncStateRow> = { status: "idle", statusReason: null, resumeAt: null, backfillDone: true };
      if (cursorField && window.to) Object.assign(done, { cursorTs: window.to, cursorId: BEFORE_ANY_ID });
      await updateState(this.platform, this.ctx.state.id, done);
      // Values SystemModstamp does not announce: fields new to the sync (rows unchanged since keep
      // their old version) and, on the formula schedule, formula fields.
      const refresh =
        this.ctx.options.trigger === "formulas"
          ? this.formulas
          : this.ctx.state.backfillDone
            ? (this.drift?.added ?? [])
            : [];
      if (refresh.length > 0) await this.refreshFields(client, schema, cursorField, refresh, window);
      await updateState(this.platform, this.ctx.state.id, {
        fields: schema.fields.map((f) => f.name),
        ...(this.ctx.options.trigger === "formulas" ? { formulaRefreshedAt: this.platform.clock.now() } : {}),
      });
      return await this.finish("completed", null);
    } catch (error) {
      if (error instanceof QuotaPause) return this.pause(error);
      if (syncFailureAction({ error, attempt: 1, splittable: false }, this.settings).action === "pause-quota")
        return this.pause(new QuotaPause(this.usage?.used ?? 0, this.usage?.max ?? 0));
      return this.fail(error);
    }
  }

  /** Describe (one call): the fields to read, drift since last run, the destinations' storage, the clock. */
  private async prepare(client: SalesforceClient) {
    const { spec, state, destinations } = this.ctx;
    const res = await client
      .request<DescribedObject>({ path: `${client.dataPath}/sobjects/${spec.name}/describe` })
      .catch((error: unknown) => {
        // Salesforce answers 404 for an object the user may not read, as for one that does not exist.
        if (error instanceof SalesforceApiError && error.status === 404) throw new ObjectNotVisible(spec.name);
        throw error;
      });
    const serverNow = Date.parse(String(res.headers.date ?? "")) || this.platform.clock.nowMs();
    const serverDate = Date.parse(String(res.headers.date ?? ""));
    markDescribed(this.platform, state.id, this.ctx.conn.id, serverDate, res.body.replicateable === true);
    const selection = selectFields(res.body, spec.fields);
    const schema: ObjectSchema = { name: spec.name, fields: selection.fields };
    const names = schema.fields.map((f) => f.name);
    const before = state.fields ?? null;
    const added = before ? names.filter((n) => !before.includes(n)) : [];
    const removed = before ? before.filter((n) => !names.includes(n)) : [];
    const changes = await Promise.all(destinations.map((d) => d.prepare(schema)));
    if (added.length + removed.length + selection.missing.length > 0 || changes.some((c) => c.removed.length > 0)) {
      this.drift = { added, removed, hidden: selection.missing };
      this.platform.logger.warn(
        { connectionId: this.ctx.conn.id, object: spec.name, ...this.drift },
        "the object's fields changed since the last run",
      );
    }
    this.formulas = selection.formulas;
    await updateState(this.platform, state.id, { cursorField: cursorFieldOf(schema.fields) });
    return { schema, cursorField: cursorFieldOf(schema.fields), serverNow };
  }

  /** Nothing changed in the window (the idle check counted it): the checkpoint moves to its end. */
  private async finishIdle(window: SyncWindow): Promise<RunOutcome> {
    const done = { status: "idle", statusReason: null, resumeAt: null, cursorTs: window.to, cursorId: BEFORE_ANY_ID };
    await updateState(this.platform, this.ctx.state.id, done);
    // The window is written with the run's end: one statement fewer for the run most runs are.
    return this.finish("completed", null, { windowFrom: window.from, windowTo: window.to });
  }

  /**
   * Reads the window page by page. A failure worth retrying starts the read again just after the
   * last confirmed record; QUERY_TIMEOUT halves what is left of the window and reads it in two.
   */
  private async readWindow(client: SalesforceClient, schema: ObjectSchema, cursorField: string | null, w: SyncWindow) {
    const pending: SyncWindow[] = [w];
    let attempts = 0;
    let last: Checkpoint | null = null;
    while (pending.length > 0) {
      const current = pending[0];
      const window = last && cursorField ? resumeWindow(current, last) : current;
      try {
        const count = await this.count(client, cursorField, window);
        const mode = chooseMode(count, bulkSupports(this.ctx.spec.name), this.settings.bulkThreshold);
        this.progress.mode ??= mode;
        this.progress.expected ??= count;
        await updateRun(this.platform, this.ctx.run.id, { mode: this.progress.mode });
        const soql = readQuery(this.ctx.spec.name, schema.fields, cursorField, window);
        const pages = this.copyReads(mode)
          ? this.copyPages(client, soql, schema, cursorField, this.ctx.spec.deletes)
          : this.recordPages(client, mode, soql, schema, cursorField, this.ctx.spec.deletes);
        for await (const confirmed of pages) {
          if (confirmed) last = confirmed;
          attempts = 0;
          this.checkQuota();
        }
        pending.shift();
        last = null;
      } catch (error) {
        if (error instanceof QuotaPause) throw error;
        const halves = cursorField && window.from && window.to ? splitWindow(window) : null;
        const next = syncFailureAction({ error, attempt: ++attempts, splittable: halves !== null }, this.settings);
        if (next.action === "split-window" && halves) {
          pending.splice(0, 1, ...halves);
          last = null;
          attempts = 0;
          continue;
        }
        if (next.action !== "resume") throw error;
        this.platform.logger.warn(
          { err: error, connectionId: this.ctx.conn.id, object: this.ctx.spec.name, attempt: attempts },
          "sync read failed; resuming from the checkpoint",
        );
        await delay(next.delayMs);
      }
    }
  }

  /**
   * Reads `names` (with Id and the cursor) of every row up to the window's end and delivers them
   * as partial records: destinations update those columns and leave the others as they are. The
   * checkpoint does not move.
   */
  private async refreshFields(
    client: SalesforceClient,
    schema: ObjectSchema,
    cursorField: string | null,
    names: string[],
    window: SyncWindow,
  ): Promise<void> {
    const wanted = new Set([
      "id",
      ...(cursorField ? [cursorField.toLowerCase()] : []),
      ...names.map((n) => n.toLowerCase()),
    ]);
    const partial: ObjectSchema = {
      name: schema.name,
      fields: schema.fields.filter((f) => wanted.has(f.name.toLowerCase())),
    };
    const all: SyncWindow = { from: null, to: window.to, after: null };
    const mode = chooseMode(
      await this.count(client, cursorField, all, false),
      bulkSupports(schema.name),
      this.settings.bulkThreshold,
    );
    const soql = readQuery(schema.name, partial.fields, cursorField, all);
    const pages = this.copyReads(mode)
      ? this.copyPages(client, soql, partial, cursorField, false, false)
      : this.recordPages(client, mode, soql, partial, cursorField, false, false);
    for await (const _ of pages) this.checkQuota();
  }

  /** Bulk reads go the COPY way when every destination takes rows (deliverCopy). */
  private copyReads(mode: ReadMode): boolean {
    return mode === "bulk" && this.ctx.destinations.every((d) => d.deliverCopy !== undefined);
  }

  /** Each page read as records and delivered; yields its checkpoint. */
  private async *recordPages(
    client: SalesforceClient,
    mode: ReadMode,
    soql: string,
    schema: ObjectSchema,
    cursorField: string | null,
    includeDeleted: boolean,
    moveCheckpoint = true,
  ): AsyncGenerator<Checkpoint | null> {
    const signal = this.ctx.options.signal;
    for await (const page of readPages(client, mode, soql, includeDeleted, signal, this.onBulkJob))
      yield await this.deliver(page, schema, cursorField, moveCheckpoint);
  }

  /**
   * Each Bulk page streamed as COPY text into every destination (no record object on the way), then confirmed;
   * yields its checkpoint. With several destinations the page's rows are held once and given to each.
   */
  private async *copyPages(
    client: SalesforceClient,
    soql: string,
    schema: ObjectSchema,
    cursorField: string | null,
    includeDeleted: boolean,
    moveCheckpoint = true,
  ): AsyncGenerator<Checkpoint | null> {
    const deletedField = schema.fields.some((f) => f.name === "IsDeleted" && f.type === "boolean") ? "IsDeleted" : null;
    const arenas = new CopyArenas();
    const pages = readCopyPages(client, soql, includeDeleted, this.ctx.options.signal, this.onBulkJob, async (body) => {
      const rows = new BulkCopyRows(schema.fields, cursorField, arenas);
      const started = await rows.start(body);
      if (started) {
        const batch: CopyBatch = {
          object: this.ctx.spec.name,
          runId: this.ctx.run.id,
          sequence: this.sequence++,
          fields: schema.fields.map((f) => f.name),
          copied: started.fields,
          rows: started.rows,
          deletedField,
          deletions: () => rows.summary.deleted,
          deletedAtField: cursorField,
          now: this.platform.clock.now().toISOString(),
        };
        const targets = this.ctx.destinations;
        if (targets.length === 1) await targets[0].deliverCopy!(batch);
        else {
          const held: Uint8Array[] = [];
          for await (const chunk of started.rows) held.push(chunk);
          await Promise.all(targets.map((d) => d.deliverCopy!({ ...batch, rows: held })));
        }
      }
      // Every destination has stored the page: its COPY text is no longer read.
      const summary = rows.summary;
      arenas.recycle();
      return summary;
    });
    for await (const page of pages) {
      const checkpoint =
        cursorField && page.last?.cursor && page.last.id ? { ts: page.last.cursor, id: page.last.id } : null;
      yield await this.confirm(page.rows, page.rows - page.deleted, page.deleted, checkpoint, moveCheckpoint);
    }
  }

  private async count(
    client: SalesforceClient,
    cursorField: string | null,
    window: SyncWindow,
    includeDeleted = this.ctx.spec.deletes,
  ): Promise<number> {
    const soql = countQuery(this.ctx.spec.name, cursorField, window);
    const pages = client.queryPages(soql, { includeDeleted });
    const first = await pages.next();
    await pages.return(undefined);
    return first.done ? 0 : first.value.totalSize;
  }

  /** One page to every destination, then the checkpoint: the page's last (cursor, Id). */
  private async deliver(
    page: Array<Record<string, unknown>>,
    schema: ObjectSchema,
    cursorField: string | null,
    moveCheckpoint = true,
  ): Promise<Checkpoint | null> {
    if (page.length === 0) return null;
    const convert = this.converterFor(schema);
    const upserts: SyncRecord[] = [];
    const deletes: Array<{ id: string; deletedAt: string }> = [];
    for (const raw of page) {
      const record = convert(raw);
      if (record.IsDeleted === true) {
        const stamp = (cursorField ? record[cursorField] : null) ?? this.platform.clock.now().toISOString();
        deletes.push({ id: String(record.Id), deletedAt: String(stamp) });
      } else upserts.push(record);
    }
    const batch = {
      object: this.ctx.spec.name,
      runId: this.ctx.run.id,
      sequence: this.sequence++,
      upserts,
      deletes,
    };
    await Promise.all(this.ctx.destinations.map((d) => d.deliver(batch)));
    const lastRow = page[page.length - 1];
    const lastRecord = upserts.length > 0 || deletes.length > 0 ? convert(lastRow) : null;
    const checkpoint =
      cursorField && lastRecord && typeof lastRecord[cursorField] === "string"
        ? { ts: lastRecord[cursorField] as string, id: String(lastRecord.Id) }
        : null;
    return this.confirm(page.length, upserts.length, deletes.length, checkpoint, moveCheckpoint);
  }

  /** A page every destination applied: progress, and the checkpoint moved to its last row. */
  private async confirm(
    read: number,
    upserted: number,
    deleted: number,
    checkpoint: Checkpoint | null,
    moveCheckpoint: boolean,
  ): Promise<Checkpoint | null> {
    this.progress.read += read;
    this.progress.upserted += upserted;
    this.progress.deleted += deleted;
    if (checkpoint && moveCheckpoint)
      await updateState(this.platform, this.ctx.state.id, { cursorTs: checkpoint.ts, cursorId: checkpoint.id });
    await updateRun(this.platform, this.ctx.run.id, {
      recordsRead: this.progress.read,
      upserted: this.progress.upserted,
      deleted: this.progress.deleted,
      apiCalls: this.apiCalls,
    });
    this.ctx.options.onProgress?.({ ...this.progress });
    return checkpoint;
  }

  private converterFor(schema: ObjectSchema) {
    let convert = this.converters.get(schema);
    if (!convert) {
      convert = recordConverter(schema.fields);
      this.converters.set(schema, convert);
    }
    return convert;
  }

  private checkQuota(): void {
    if (this.usage && quotaExhausted(this.usage.used, this.usage.max, this.settings.quotaShare))
      throw new QuotaPause(this.usage.used, this.usage.max);
  }

  private async pause(reason: QuotaPause): Promise<RunOutcome> {
    const resumeAt = new Date(this.platform.clock.nowMs() + this.settings.pauseRecheckMs);
    const text = `Paused to spare the org's daily API quota: ${reason.message} (the limit for syncs is ${Math.round(this.settings.quotaShare * 100)}%). It resumes on its own once the quota allows.`;
    await updateState(this.platform, this.ctx.state.id, { status: "paused", statusReason: text, resumeAt });
    return this.finish("paused", { code: "quota_paused", message: text, resumeAt: resumeAt.toISOString() });
  }

  private async fail(error: unknown): Promise<RunOutcome> {
    const described = describeError(error);
    this.platform.logger.error(
      { err: error, connectionId: this.ctx.conn.id, object: this.ctx.spec.name },
      "sync failed",
    );
    await updateState(this.platform, this.ctx.state.id, { status: "failed", statusReason: String(described.message) });
    return this.finish("failed", described);
  }

  private readonly onBulkJob = (id: string) => updateRun(this.platform, this.ctx.run.id, { bulkJobId: id });

  private async finish(
    status: "completed" | "failed" | "paused",
    error: Record<string, unknown> | null,
    also: Partial<SyncRunRow> = {},
  ) {
    const { run, conn, spec } = this.ctx;
    const row = await updateRun(this.platform, run.id, {
      ...also,
      status,
      mode: this.progress.mode,
      recordsRead: this.progress.read,
      upserted: this.progress.upserted,
      deleted: this.progress.deleted,
      apiCalls: this.apiCalls,
      drift: this.drift,
      error,
      // The read deleted its Bulk jobs on the way out: nothing is left open in the org.
      bulkJobId: null,
      finishedAt: this.platform.clock.now(),
    });
    const view = runView(row);
    await emitEvent(this.platform, conn.projectId, `sync.${status}`, {
      connectionId: conn.id,
      endUserId: conn.endUserId,
      object: spec.name,
      run: view,
    }).catch((err: unknown) => this.platform.logger.error({ err }, "could not queue the sync webhook"));
    await this.platform.activity.record(syncRunActivity(conn, spec.name, row));
    return { status, run: view };
  }
}

function splitWindow(w: SyncWindow): [SyncWindow, SyncWindow] | null {
  const from = Date.parse(w.after?.ts ?? w.from ?? "");
  const to = Date.parse(w.to ?? "");
  if (!Number.isFinite(from) || !Number.isFinite(to) || to - from < 2_000) return null;
  const mid = new Date(Math.floor((from + (to - from) / 2) / 1000) * 1000);
  const midIso = `${mid.toISOString().slice(0, 19)}Z`;
  const afterMid = `${new Date(mid.getTime() + 1000).toISOString().slice(0, 19)}Z`;
  return [
    { ...w, to: midIso },
    { from: afterMid, to: w.to, after: null },
  ];
}

function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof ObjectNotVisible) {
    const check = explainFailure({ checklistItem: "object-access", code: "NOT_FOUND", message: error.message });
    return { code: "NOT_FOUND", message: error.message, status: 404, ...(check ? { check } : {}) };
  }
  const failure = error as Partial<ClassifiedFailure> & { code?: unknown; error?: unknown; status?: unknown };
  if (error instanceof Error && typeof failure.reason === "string") {
    const check = explainError(error as ClassifiedFailure & Error);
    // REST errors keep Salesforce's errorCode and status; OAuth errors their `error`.
    const code =
      error instanceof OAuthFailure ? error.error : typeof failure.code === "string" ? failure.code : failure.reason;
    const message = error instanceof OAuthFailure ? error.description || error.error : error.message;
    return {
      code,
      reason: failure.reason,
      message,
      ...(error instanceof SalesforceApiError ? { status: error.status } : {}),
      ...(check ? { check } : {}),
    };
  }
  return { code: "sync_error", message: error instanceof Error ? error.message : String(error) };
}
