import type { ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { findConnection } from "../connections/connection-store.ts";
import { HttpError, notFound } from "../http/http-error.ts";
import { mediaTypeOf } from "../http/request-body.ts";
import { writeRule } from "../integrations/write-allowed.ts";
import { enqueueWrite } from "../jobs/write-queue.ts";
import type { Platform } from "../platform/platform.ts";
import { runWrite } from "./write-executor.ts";
import { checkIdempotencyKey, IDEMPOTENCY_KEY_MAX } from "./write-idempotency.ts";
import {
  csvWriteRecords,
  jsonRecords,
  ndjsonRecords,
  type RecordAt,
  WRITE_OPERATIONS,
  type WriteSpec,
} from "./write-input.ts";
import { type Received, receiveRetry, receiveWrite } from "./write-intake.ts";
import {
  deleteWrite,
  findWrite,
  isFinished,
  listWrites,
  loadWrite,
  recordsPage,
  type WriteRow,
} from "./write-store.ts";
import { RECORD_STATUSES, resultView, resultViewOf, WRITE_STATUSES, writeView, writeViewOf } from "./write-views.ts";

const NDJSON = "application/x-ndjson";
const CSV = "text/csv";
const WRITE_BODY_TYPES = ["application/json", NDJSON, CSV];
const tags = ["writes"];

const params = z.object({ id: z.string().min(1).max(200) });
const writeParams = params.extend({ writeId: z.string().min(1).max(200) });
const apiName = z.string().min(1).max(80);

const jsonWriteBody = z
  .object({
    object: apiName.describe("The object's API name: Contact, Invoice__c"),
    operation: z.enum(WRITE_OPERATIONS),
    externalIdField: apiName.optional().describe("For upsert: the External ID field records are matched on"),
    records: z
      .array(z.record(z.string(), z.unknown()))
      .describe('Field API names to values; a parent by external id is {"Account": {"Ext_Id__c": "A-1"}}'),
    allOrNone: z.boolean().default(false).describe("All records or none (up to 1,000 records)"),
  })
  .strict();

const flag = z.enum(["true", "false"]).transform((v) => v === "true");
/** The write's settings beside an NDJSON or CSV body. */
const streamQuery = z
  .object({
    object: apiName.optional(),
    operation: z.enum(WRITE_OPERATIONS).optional(),
    externalIdField: apiName.optional(),
    allOrNone: flag.optional(),
  })
  .strict();

const idempotencyHeaders = z.looseObject({
  "idempotency-key": z
    .string()
    .max(IDEMPOTENCY_KEY_MAX)
    .optional()
    .describe("The same key with the same request answers the same write, never a second execution"),
});

const writeAnswer = writeView.extend({
  results: z
    .array(resultView)
    .optional()
    .describe("Every record's result in input order, when the write ran within the request"),
});
const writeAnswers = { 200: writeAnswer, 202: writeAnswer };

declare module "fastify" {
  interface FastifyRequest {
    /** An NDJSON or CSV body, handed to the route as a stream instead of being parsed. */
    writeStream: Readable | null;
  }
}

/**
 * Writes: records into the connection's org, taken as JSON, NDJSON or CSV, run within the request
 * when small and on the job queue otherwise, their per-record results paged by index, and retries
 * of the failed ones.
 */
export async function registerWriteRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  // A scope of their own: the NDJSON and CSV parsers hand the body over as a stream, here only.
  await app.register(async (scope) => {
    scope.decorateRequest("writeStream", null);
    scope.addContentTypeParser([NDJSON, CSV], (_request, payload, done) => done(null, new StreamedBody(payload)));
    scope.addHook("preValidation", async (request) => {
      if (request.body instanceof StreamedBody) {
        request.writeStream = request.body.stream;
        request.body = undefined;
      }
    });
    registerCreateRoute(scope, platform);
    registerReadRoutes(scope, platform);
    registerResultsRoute(scope, platform);
    registerRetryRoute(scope, platform);
  });
}

/** Holds a streamed body without showing it to the input rules that walk parsed bodies. */
class StreamedBody {
  readonly #stream: Readable;
  constructor(stream: Readable) {
    this.#stream = stream;
  }
  get stream(): Readable {
    return this.#stream;
  }
}

function registerCreateRoute(app: FastifyInstance, platform: Platform): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    "/connections/:id/writes",
    {
      schema: {
        tags,
        summary: "Write records into the connection's org",
        description:
          "Records as JSON (`records`), or as an NDJSON or CSV body (Content-Type application/x-ndjson or text/csv) with object, operation, externalIdField and allOrNone in the query. Up to FORCELINK_WRITE_SYNC_MAX records run within the request (200, every result); more are queued (202, Location).",
        params,
        querystring: streamQuery,
        headers: idempotencyHeaders,
        body: jsonWriteBody.nullish(),
        response: writeAnswers,
      },
      bodyLimit: platform.config.writes.jsonBodyLimit,
      config: { bodyTypes: WRITE_BODY_TYPES },
    },
    async (req, reply) => {
      const conn = await findConnection(platform, req.projectId, req.params.id);
      if (!conn) throw notFound("connection", req.params.id);
      const key = idempotencyKeyOf(req);
      const { spec, records } = writeInput(req, req.body, req.query, platform.config.writes.streamBodyLimit);
      // A strict manifest of an installed integration refuses what it does not declare (422).
      const allowed = await writeRule(platform, conn.id, {
        object: spec.object,
        operation: spec.operation,
        externalIdField: spec.externalIdField ?? undefined,
      });
      const received = await receiveWrite(
        platform,
        { projectId: req.projectId, connectionId: conn.id, spec, idempotencyKey: key, allowed },
        records,
      );
      return answer(platform, reply, received);
    },
  );
}

function idempotencyKeyOf(req: FastifyRequest): string | null {
  const key = req.headers["idempotency-key"];
  if (key === undefined) return null;
  const text = Array.isArray(key) ? key.join(",") : key;
  checkIdempotencyKey(text);
  return text;
}

type JsonWriteBody = z.infer<typeof jsonWriteBody>;
type StreamQuery = z.infer<typeof streamQuery>;

/** The write's settings and records, from a JSON body or from the query beside a streamed one. */
function writeInput(
  req: FastifyRequest,
  body: JsonWriteBody | null | undefined,
  query: StreamQuery,
  streamLimit: number,
): { spec: WriteSpec; records: Iterable<RecordAt> | AsyncIterable<RecordAt> } {
  const stream = req.writeStream;
  if (stream) {
    if (!query.object || !query.operation)
      throw new HttpError(400, "invalid_request", "An NDJSON or CSV body needs object and operation in the query.", {
        remedy: "Add them: POST …/writes?object=Contact&operation=upsert&externalIdField=Ext_Id__c",
      });
    const spec = { ...query, object: query.object, operation: query.operation, allOrNone: query.allOrNone ?? false };
    const source = limited(stream, streamLimit, req.headers["content-length"]);
    const isCsv = mediaTypeOf(req.headers["content-type"]) === CSV;
    return { spec, records: isCsv ? csvWriteRecords(source) : ndjsonRecords(source) };
  }
  if (!body)
    throw new HttpError(400, "invalid_request", "The write has no body.", {
      remedy: `Send {"object", "operation", "records": [...]} as JSON, or an NDJSON or CSV body.`,
    });
  const inQuery = Object.keys(query);
  if (inQuery.length > 0)
    throw new HttpError(400, "invalid_request", `With a JSON body, ${inQuery.join(", ")} belong in the body.`, {
      remedy: "Move them from the query into the JSON body; the query carries them only beside NDJSON or CSV bodies.",
    });
  const { records, ...spec } = body;
  return { spec, records: jsonRecords(records) };
}

/** The body's chunks, refused with a 413 once they pass the streamed-body limit. */
async function* limited(stream: Readable, limit: number, declared: string | undefined): AsyncGenerator<Buffer> {
  const tooLarge = () =>
    new HttpError(413, "payload_too_large", `The body is larger than the ${mib(limit)} a streamed write takes.`, {
      remedy: "Split the records into several writes, or raise FORCELINK_WRITE_STREAM_LIMIT_MB.",
    });
  if (declared !== undefined && Number(declared) > limit) throw tooLarge();
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > limit) throw tooLarge();
      yield chunk;
    }
  } catch (error) {
    if (error instanceof HttpError || (error as { code?: string }).code !== "ECONNRESET") throw error;
    // The client went away mid-body: nothing of it is kept, and nobody is left to read the answer.
    throw new HttpError(400, "body_incomplete", "The body ended before it was complete; nothing of it was kept.", {
      remedy: "Send the whole body again (with the same Idempotency-Key, if you use one).",
    });
  }
}

function mib(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
}

/**
 * A new small write runs now and answers 200 with every result; a larger one is queued and
 * answers 202 with its Location. A replayed key answers the earlier write as it stands.
 */
async function answer(platform: Platform, reply: FastifyReply, received: Received) {
  let write = received.write;
  const small = write.total <= platform.config.writes.syncMax;
  if (received.replayed) reply.header("idempotent-replayed", "true");
  else if (small) {
    await runWrite(platform, write.id);
    write = (await loadWrite(platform, write.id)) ?? write;
  } else {
    try {
      await enqueueWrite(platform, write.id);
    } catch (error) {
      await deleteWrite(platform, write.id);
      throw error;
    }
  }
  const view = writeViewOf(write, platform.config.writes.retentionMs);
  if (isFinished(write) && small) {
    const records = await recordsPage(platform, write.id, { limit: Math.max(write.total, 1) });
    return reply.status(200).send({ ...view, results: records.map(resultViewOf) });
  }
  if (isFinished(write)) return reply.status(200).send(view);
  reply.header("location", `/v1/connections/${write.connectionId}/writes/${write.id}`);
  return reply.status(202).send(view);
}

async function writeOr404(platform: Platform, req: { projectId: string; params: z.infer<typeof writeParams> }) {
  const conn = await findConnection(platform, req.projectId, req.params.id);
  if (!conn) throw notFound("connection", req.params.id);
  const write = await findWrite(platform, { projectId: req.projectId, connectionId: conn.id }, req.params.writeId);
  if (!write)
    throw new HttpError(404, "not_found", `No write with id '${req.params.writeId}' on this connection.`, {
      remedy: `List them with GET /v1/connections/${conn.id}/writes; writes are deleted once their retention ends.`,
    });
  return write;
}

/** The longest a GET of a write may be held (`wait`). */
const WAIT_MAX_SECONDS = 60;
/** Statuses a waiting GET answers at once: the write's run is over, for now or for good. */
const ENDED = new Set(["completed", "failed", "paused"]);
/**
 * How often a waiting GET reads the write again: a write this process runs wakes it at its end,
 * one another process runs is seen at the next read.
 */
const WAIT_RECHECK_MS = 1_000;

/** The write once it has ended, or as it stands after `ms` (or when the client goes away first). */
async function untilEnded(platform: Platform, write: WriteRow, ms: number, res: ServerResponse): Promise<WriteRow> {
  const gone = new AbortController();
  const onClose = () => gone.abort();
  res.once("close", onClose);
  try {
    const deadline = platform.clock.nowMs() + ms;
    let current = write;
    for (;;) {
      const left = deadline - platform.clock.nowMs();
      if (ENDED.has(current.status) || left <= 0 || gone.signal.aborted) return current;
      await platform.writeEnds.wait(write.id, Math.min(left, WAIT_RECHECK_MS), gone.signal);
      current = (await loadWrite(platform, write.id)) ?? current;
    }
  } finally {
    res.off("close", onClose);
  }
}

function registerReadRoutes(app: FastifyInstance, platform: Platform): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/connections/:id/writes",
    {
      schema: {
        tags,
        summary: "The connection's writes, newest first",
        params,
        querystring: z
          .object({
            status: z.enum(WRITE_STATUSES).optional(),
            cursor: z.string().max(200).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
          })
          .strict(),
        response: { 200: z.object({ data: z.array(writeView), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const conn = await findConnection(platform, req.projectId, req.params.id);
      if (!conn) throw notFound("connection", req.params.id);
      const { status, limit } = req.query;
      const before = listPosition(req.query.cursor);
      const rows = await listWrites(
        platform,
        { projectId: req.projectId, connectionId: conn.id },
        { status, before, limit },
      );
      const last = rows.at(-1);
      return {
        data: rows.map((w) => writeViewOf(w, platform.config.writes.retentionMs)),
        nextCursor: rows.length === limit && last ? listCursor(last) : null,
      };
    },
  );

  r.get(
    "/connections/:id/writes/:writeId",
    {
      schema: {
        tags,
        summary: "A write: status, counts, path, API calls",
        description: `With \`wait\` (seconds, up to ${WAIT_MAX_SECONDS}), the answer is held until the write is completed, failed or paused, or the time is up, whichever comes first; then it is the write as it stands. A client waits for a queued write with one call at a time instead of polling.`,
        params: writeParams,
        querystring: z.object({ wait: z.coerce.number().min(0).max(WAIT_MAX_SECONDS).optional() }).strict(),
        response: { 200: writeView },
      },
    },
    async (req, reply) => {
      const write = await writeOr404(platform, req);
      const seen = req.query.wait ? await untilEnded(platform, write, req.query.wait * 1000, reply.raw) : write;
      return writeViewOf(seen, platform.config.writes.retentionMs);
    },
  );
}

function registerResultsRoute(app: FastifyInstance, platform: Platform): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/connections/:id/writes/:writeId/results",
    {
      schema: {
        tags,
        summary: "A write's per-record results, by index",
        params: writeParams,
        querystring: z
          .object({
            status: z.enum(RECORD_STATUSES).optional(),
            cursor: z.string().max(200).optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
          })
          .strict(),
        response: { 200: z.object({ data: z.array(resultView), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const write = await writeOr404(platform, req);
      const { status, limit } = req.query;
      const afterIndex = resultPosition(req.query.cursor);
      const rows = await recordsPage(platform, write.id, { status, afterIndex, limit });
      const last = rows.at(-1);
      return {
        data: rows.map(resultViewOf),
        nextCursor: rows.length === limit && last ? encode(`r:${last.idx}`) : null,
      };
    },
  );
}

function registerRetryRoute(app: FastifyInstance, platform: Platform): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    "/connections/:id/writes/:writeId/retry",
    {
      schema: {
        tags,
        summary: "Re-run a finished write's failed records as a new write",
        description:
          "A new write (retryOf = this one) of the records that failed (and those never sent), with their original indexes; with retryableOnly, only those whose errors may pass on their own. 409 while the write runs, 422 when nothing failed.",
        params: writeParams,
        headers: idempotencyHeaders,
        body: z
          .object({ retryableOnly: z.boolean().default(false) })
          .strict()
          .nullish(),
        response: writeAnswers,
      },
    },
    async (req, reply) => {
      const original = await writeOr404(platform, req);
      const received = await receiveRetry(platform, original, {
        retryableOnly: req.body?.retryableOnly ?? false,
        idempotencyKey: idempotencyKeyOf(req),
      });
      return answer(platform, reply, received);
    },
  );
}

function encode(text: string): string {
  return Buffer.from(text).toString("base64url");
}

function decoded(cursor: string, pattern: RegExp): RegExpExecArray {
  const m = pattern.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!m)
    throw new HttpError(400, "invalid_cursor", "The cursor is not one this API gave out.", {
      remedy: "Pass the nextCursor of a previous answer, or no cursor to start from the beginning.",
    });
  return m;
}

function listCursor(write: WriteRow): string {
  return encode(`w:${write.createdAt.getTime()}:${write.id}`);
}

function listPosition(cursor: string | undefined) {
  if (!cursor) return undefined;
  const m = decoded(cursor, /^w:(\d{1,15}):(wr_[A-Za-z0-9]{1,60})$/);
  return { createdAt: new Date(Number(m[1])), id: m[2] };
}

function resultPosition(cursor: string | undefined): number | undefined {
  if (!cursor) return undefined;
  return Number(decoded(cursor, /^r:(\d{1,10})$/)[1]);
}
