import { readFileSync } from "node:fs";
import {
  ChannelSelectionFailed,
  type MemberStep,
  PubSubClient,
  PubSubFailure,
  type ReceivedEvent,
  type ReplayFrom,
  releaseChannelMembers,
  type SalesforceClient,
  selectChannelMembers,
} from "@forcelink/salesforce";
import { eq } from "drizzle-orm";
import { parseConfig } from "../config/config.ts";
import { HttpError } from "../http/http-error.ts";
import { createLogger } from "../log/logger.ts";
import { openPlatform } from "../platform/open-platform.ts";
import type { Platform } from "../platform/platform.ts";
import { connections } from "../store/schema.ts";
import { type CommandInput, EXIT } from "./command-line.ts";
import { explainSalesforceFailure, renderFailure } from "./failure-report.ts";
import { stopSignal } from "./stop-signal.ts";

/**
 * `forcelink subscribe CONNECTION OBJECT`: the object's change events tailed in the terminal, for
 * debugging. Opens the connection's tokens from the store (they never leave it, so there is no way
 * through a running server's API), selects the object for Change Data Capture when it is not (and
 * releases it on exit), subscribes to its channel with the library's Pub/Sub client, and prints
 * one line (or JSON object) per event. Stops after --limit events, or on Ctrl+C/SIGTERM, printing
 * the replay id of the last event printed: resuming from it loses nothing and repeats nothing.
 */

type Connection = typeof connections.$inferSelect;

interface Endpoint {
  endpoint: string;
  rootCertificate?: string;
}

interface TailOptions {
  topic: string;
  replay: ReplayFrom;
  limit?: number;
  json: boolean;
}

export async function subscribeCommand(input: CommandInput): Promise<number> {
  const [connectionId, objectName] = input.positionals;
  const replay = replayFrom(input.string("replay") ?? "latest");
  if (typeof replay === "string") return usage(replay);
  const config = parseConfig();
  const endpoint = endpointFrom(input, {
    endpoint: config.salesforce.pubsubEndpoint,
    caFile: config.salesforce.pubsubCaFile,
  });
  if (typeof endpoint === "string") return usage(endpoint);
  const platform = await openPlatform(config, createLogger("silent"), { jobs: false });
  try {
    const [conn] = await platform.db.select().from(connections).where(eq(connections.id, connectionId));
    if (!conn) return usage(`No connection with id '${connectionId}'. List them with 'forcelink connections list'.`);
    const client = await platform.tokens.clientFor(conn);
    const object = await objectOfOrg(client, objectName);
    if (!object)
      return usage(`The org of ${conn.id} has no object '${objectName}' (give its API name: Account, Invoice__c).`);
    const entity = changeEventName(object);
    const steps = await select(client, entity);
    try {
      const options = { topic: `/data/${entity}`, replay, limit: input.integer("limit"), json: input.flag("json") };
      return await tail(platform, conn, endpoint, options);
    } finally {
      if (steps.some((s) => s.outcome === "created")) {
        await releaseChannelMembers(client, steps);
        process.stderr.write(`Released ${entity} from Change Data Capture.\n`);
      }
    }
  } finally {
    await platform.close();
  }
}

/** `latest`, `earliest`, or a replay id as printed (hex); otherwise the problem. */
export function replayFrom(value: string): ReplayFrom | string {
  const word = value.toLowerCase();
  if (word === "latest") return { preset: "LATEST" };
  if (word === "earliest") return { preset: "EARLIEST" };
  if (/^(?:[0-9a-f]{2})+$/.test(word)) return { preset: "CUSTOM", replayId: Buffer.from(word, "hex") };
  return `--replay takes latest, earliest or a replay id printed by an earlier run (hexadecimal); got '${value}'.`;
}

function endpointFrom(input: CommandInput, config: { endpoint: string; caFile?: string }): Endpoint | string {
  const endpoint = input.string("pubsub-endpoint") ?? config.endpoint;
  if (!/^[^\s:/]+:\d{1,5}$/.test(endpoint)) return `--pubsub-endpoint takes HOST:PORT; got '${endpoint}'.`;
  const caFile = input.string("pubsub-ca") ?? config.caFile;
  if (!caFile) return { endpoint };
  try {
    return { endpoint, rootCertificate: readFileSync(caFile, "utf8") };
  } catch (e) {
    return `Cannot read the certificate authority '${caFile}' (${(e as NodeJS.ErrnoException).code ?? String(e)}).`;
  }
}

/** The object's API name as the org spells it, or null when the org has none of that name. */
async function objectOfOrg(client: SalesforceClient, name: string): Promise<string | null> {
  const global = await client.describeGlobal<{ sobjects: Array<{ name: string }> }>();
  return global.sobjects.find((o) => o.name.toLowerCase() === name.toLowerCase())?.name ?? null;
}

/** The change event entity of an object: `AccountChangeEvent`, `Invoice__ChangeEvent`. */
export function changeEventName(object: string): string {
  return object.endsWith("__c") ? `${object.slice(0, -3)}__ChangeEvent` : `${object}ChangeEvent`;
}

/** Selects the entity on the ChangeEvents channel unless it is already (adopted then, never released). */
async function select(client: SalesforceClient, entity: string): Promise<MemberStep[]> {
  try {
    const steps = await selectChannelMembers(client, [entity]);
    if (steps.some((s) => s.outcome === "created"))
      process.stderr.write(`Selected ${entity} for Change Data Capture (ChangeEvents channel); released on exit.\n`);
    return steps;
  } catch (e) {
    // Nothing was left selected; the refusal itself is what explains the failure.
    throw e instanceof ChannelSelectionFailed ? e.cause : e;
  }
}

async function tail(platform: Platform, conn: Connection, endpoint: Endpoint, options: TailOptions): Promise<number> {
  const lifecycle = await platform.tokens.lifecycleFor(conn);
  const pubsub = new PubSubClient({
    endpoint: endpoint.endpoint,
    tokens: lifecycle.tokenProvider(conn.id),
    tenantId: conn.orgId,
    tls: endpoint.rootCertificate ? { rootCertificate: endpoint.rootCertificate } : {},
  });
  const batchSize = Math.min(options.limit ?? 100, 100);
  const subscription = pubsub.subscribe({ topic: options.topic, replay: options.replay, batchSize });
  let stopped = false;
  void stopSignal().then(() => {
    stopped = true;
    subscription.close();
  });
  /** The replay id of the last event printed (or keepalive read): resuming there skips nothing. */
  let resumeFrom: Buffer | undefined = options.replay.preset === "CUSTOM" ? options.replay.replayId : undefined;
  let printed = 0;
  let listening = false;
  const from = options.replay.preset === "CUSTOM" ? "after the replay id given" : options.replay.preset.toLowerCase();
  process.stderr.write(`Subscribing to ${options.topic} from ${from}; Ctrl+C to stop.\n`);
  try {
    for await (const item of subscription) {
      if (stopped) break;
      if (!listening) {
        listening = true;
        process.stderr.write("Listening: the stream is open.\n");
      }
      if (item.kind === "keepalive") {
        resumeFrom = item.latestReplayId;
        continue;
      }
      console.log(options.json ? JSON.stringify(eventJson(item.event)) : eventLine(item.event));
      resumeFrom = item.event.replayId;
      printed += 1;
      if (options.limit !== undefined && printed >= options.limit) break;
    }
  } catch (e) {
    if (e instanceof PubSubFailure && e.reason === "pubsub.replay_id_invalid") return replayRefused(options, e);
    throw e;
  } finally {
    pubsub.close();
  }
  process.stderr.write(
    `${printed} event${printed === 1 ? "" : "s"}.${resumeFrom ? ` Resume with --replay ${resumeFrom.toString("hex")}` : ""}\n`,
  );
  return EXIT.ok;
}

function replayRefused(options: TailOptions, failure: PubSubFailure): number {
  const explained = explainSalesforceFailure(failure);
  const given = options.replay.preset === "CUSTOM" ? `${options.replay.replayId.toString("hex")} ` : "";
  const refusal = new HttpError(
    400,
    explained?.code ?? failure.reason,
    `Salesforce refused the replay id ${given}(${failure.message}): it is past the 72-hour retention, or not one of ${options.topic}'s.`,
    {
      remedy:
        "Run again with --replay earliest (the oldest event still kept) or --replay latest (from now on); what changed in between can be read with 'forcelink sync'.",
    },
  );
  process.stderr.write(`${renderFailure("subscribe", refusal)}\n`);
  return EXIT.usage;
}

/** One event as a line: commit time, change type, record ids, changed fields. */
export function eventLine(event: ReceivedEvent): string {
  const h = event.changeHeader;
  if (!h) return `${event.id}  (not a change event)`;
  const fields = fieldsOf(event);
  const nulled = h.nulledFields.length > 0 ? `  nulled: ${h.nulledFields.join(", ")}` : "";
  return `${new Date(h.commitTimestamp).toISOString()}  ${h.changeType}  ${h.recordIds.join(",")}  ${fields.join(", ")}${nulled}`;
}

/**
 * The fields an event changed: Salesforce's changedFields for an update; a create or undelete
 * sends none, so the fields it carries a value for.
 */
function fieldsOf(event: ReceivedEvent): string[] {
  const h = event.changeHeader!;
  if (h.changedFields.length > 0 || !["CREATE", "UNDELETE"].includes(h.changeType)) return h.changedFields;
  return Object.entries(event.payload)
    .filter(([name, value]) => name !== "ChangeEventHeader" && value !== null && value !== undefined)
    .map(([name]) => name);
}

/** One event as one JSON object: its replay id (hex), the header with field names, the payload. */
export function eventJson(event: ReceivedEvent): Record<string, unknown> {
  const { ChangeEventHeader: _raw, ...payload } = event.payload;
  return { replayId: event.replayId.toString("hex"), id: event.id, header: event.changeHeader ?? null, payload };
}

function usage(problem: string): number {
  process.stderr.write(`forcelink subscribe: ${problem} See 'forcelink subscribe --help'.\n`);
  return EXIT.usage;
}
