import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  loadPackageDefinition,
  type Metadata,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServiceDefinition,
  type sendUnaryData,
  status,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { inChangeEvent } from "../events/change-schema.ts";
import type { BusEvent } from "../events/event-bus.ts";
import { changeEventName, STANDARD_CHANNEL } from "../events/selection.ts";
import type { Org } from "../org/org.ts";
import { canReadField, hasObjectPermission } from "../org/permissions.ts";
import type { ObjectDef } from "../schema/types.ts";
import { changeEventSource } from "../tooling/channel-members.ts";
import {
  authError,
  invalidArgument,
  type PubSubError,
  permissionDenied,
  pubSubError,
  topicNotFound,
} from "./pubsub-errors.ts";
import { type FetchRequest, SubscribeStream } from "./subscribe-stream.ts";

const PROTO = fileURLToPath(new URL("./pubsub_api.proto", import.meta.url));

export interface PubSubOptions {
  /** Port for the Pub/Sub API (gRPC); 0 picks a free one. */
  port?: number;
  /** A TLS key and certificate (PEM); without them the server speaks plaintext HTTP/2. */
  tls?: { key: string; cert: string };
  /** How often an idle Subscribe stream gets an empty keepalive batch (Salesforce: within 270 s). */
  keepaliveSeconds?: number;
}

export interface RunningPubSub {
  /** host:port, as a gRPC client names the endpoint (`api.pubsub.salesforce.com:7443` in Salesforce). */
  endpoint: string;
  port: number;
  tls: boolean;
  close(): Promise<void>;
}

/** Who called: the session's user, once the metadata checked out. */
interface Caller {
  userId: string;
}

/** A topic the org has: a change event channel of a selectable object, the ChangeEvents channel or a custom one. */
type Topic = { kind: "standard" } | { kind: "entity"; def: ObjectDef } | { kind: "custom"; channel: string };

/**
 * Salesforce's Pub/Sub API (the published eventbus.v1 proto, unchanged) for one org: GetTopic,
 * GetSchema, Subscribe and Publish, authenticated by the accesstoken, instanceurl and tenantid
 * metadata as Salesforce does.
 */
export async function startPubSub(org: Org, host: string, options: PubSubOptions): Promise<RunningPubSub> {
  const definition = loadSync(PROTO, {});
  const pkg = loadPackageDefinition(definition) as unknown as {
    eventbus: { v1: { PubSub: { service: ServiceDefinition } } };
  };
  const server = new Server();
  const keepaliveMs = Math.max(1, options.keepaliveSeconds ?? 270) * 1000;
  server.addService(pkg.eventbus.v1.PubSub.service, {
    GetTopic: unary(org, (caller, req: { topicName?: string }) => getTopic(org, caller, req.topicName ?? "")),
    GetSchema: unary(org, (_caller, req: { schemaId?: string }) => getSchema(org, req.schemaId ?? "")),
    Publish: unary(org, (caller, req: PublishRequest) => publish(org, caller, req)),
    Subscribe: (call: ServerDuplexStream<FetchRequest, unknown>) => {
      const caller = authenticate(org, call.metadata);
      if (!caller) {
        call.emit("error", authError());
        return;
      }
      new SubscribeStream(call, {
        bus: org.capture.bus,
        faults: org.capture.faults,
        keepaliveMs,
        checkTopic: (topic) => topicAccess(org, caller, topic).error,
        mayReceive: (event) => {
          const def = org.objectDef(event.entity);
          return def !== undefined && mayReceive(org, caller, def);
        },
        payloadFor: (event) => payloadFor(org, caller, event),
      });
    },
  });
  const credentials = options.tls
    ? ServerCredentials.createSsl(null, [
        { private_key: Buffer.from(options.tls.key), cert_chain: Buffer.from(options.tls.cert) },
      ])
    : ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port ?? 0}`, credentials, (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    endpoint: `${host}:${port}`,
    port,
    tls: Boolean(options.tls),
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Open Subscribe streams would hold a graceful shutdown forever.
        setTimeout(() => server.forceShutdown(), 200).unref();
      }),
  };
}

/** A unary handler: the caller authenticated first, a thrown PubSubError sent as the call's status. */
function unary<Req, Res>(org: Org, handle: (caller: Caller, req: Req) => Res) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    const caller = authenticate(org, call.metadata);
    if (!caller) return callback(authError());
    try {
      callback(null, handle(caller, call.request));
    } catch (e) {
      if (isPubSubError(e)) return callback(e);
      callback(pubSubError(status.INTERNAL, `An unexpected error occurred: ${(e as Error).message}`));
    }
  };
}

function isPubSubError(e: unknown): e is PubSubError {
  return typeof e === "object" && e !== null && "code" in e && "details" in e && "metadata" in e;
}

/** The session named by `accesstoken`, for the org named by `tenantid`, with an `instanceurl`. */
function authenticate(org: Org, metadata: Metadata): Caller | undefined {
  const value = (key: string) => {
    const v = metadata.get(key)[0];
    return typeof v === "string" ? v : v?.toString();
  };
  const token = value("accesstoken");
  const tenant = value("tenantid");
  if (!token || !tenant || !value("instanceurl")) return undefined;
  if (tenant.slice(0, 15) !== org.orgId15) return undefined;
  const check = org.sessions.use(token);
  if (!check.ok) return undefined;
  const { session } = check;
  if (org.user(session.userId)?.IsActive !== true) return undefined;
  if (!session.scopes.includes("api") && !session.scopes.includes("full")) return undefined;
  return { userId: session.userId };
}

/** An event as the caller receives it: without the fields field-level security hides from it. */
function payloadFor(org: Org, caller: Caller, event: BusEvent): Buffer {
  const def = org.objectDef(event.entity);
  const schema = org.capture.schemasById.get(event.schemaId);
  if (!def || !schema) return event.payload;
  const access = org.userAccess(caller.userId);
  const hidden = def.fields.filter((f) => inChangeEvent(f) && !f.components && !canReadField(access, def, f));
  return hidden.length === 0 ? event.payload : schema.withoutFields(event.payload, new Set(hidden.map((f) => f.name)));
}

/**
 * Whether a user may receive an object's change events, as Salesforce decides: View All Users
 * for User, View All Records on the object (or View All Data) for the others.
 */
function mayReceive(org: Org, caller: Caller, def: ObjectDef): boolean {
  const access = org.userAccess(caller.userId);
  if (access.system.has("ModifyAllData")) return true;
  if (def.name === "User") return access.system.has("ViewAllUsers");
  return access.system.has("ViewAllData") || hasObjectPermission(access, def, "ViewAllRecords");
}

/**
 * The topic a name stands for, and whether the caller may subscribe to it: an object's own
 * channel needs the permission to receive its events; /data/ChangeEvents and custom channels
 * are open to all, each event delivered only to those who may receive it.
 */
function topicAccess(org: Org, caller: Caller, name: string): { topic?: Topic; error?: PubSubError } {
  const topic = resolveTopic(org, name);
  if (!topic) return { error: topicNotFound(name) };
  if (topic.kind === "entity" && !mayReceive(org, caller, topic.def)) {
    const needed =
      topic.def.name === "User" ? "View All Users" : `View All Records on ${topic.def.name} (or View All Data)`;
    return { error: permissionDenied(`Subscribing to ${name} needs ${needed}.`) };
  }
  return { topic };
}

function resolveTopic(org: Org, name: string): Topic | undefined {
  const m = /^\/data\/(\w+)$/.exec(name);
  if (!m) return undefined;
  if (m[1] === STANDARD_CHANNEL) return { kind: "standard" };
  if (m[1].endsWith("__chn")) {
    const known = [...org.store.tableOrThrow("PlatformEventChannelMember").live()].some((r) => r.EventChannel === m[1]);
    return known ? { kind: "custom", channel: m[1] } : undefined;
  }
  const source = changeEventSource(m[1]);
  const def = source ? org.objectDef(source) : undefined;
  if (!def || changeEventName(def.name) !== m[1] || (def.access !== "data" && def.name !== "User")) return undefined;
  return { kind: "entity", def };
}

function getTopic(org: Org, caller: Caller, name: string) {
  const { topic, error } = topicAccess(org, caller, name);
  if (error) throw error;
  return {
    topicName: name,
    tenantGuid: org.organizationId,
    canPublish: false,
    canSubscribe: true,
    schemaId: topic?.kind === "entity" ? org.capture.schemaFor(topic.def).id : "",
    rpcId: randomUUID(),
  };
}

function getSchema(org: Org, schemaId: string) {
  const schema = org.capture.schemasById.get(schemaId);
  if (!schema) throw pubSubError(status.NOT_FOUND, `No schema has the id '${schemaId}'.`);
  return { schemaJson: schema.json, schemaId: schema.id, rpcId: randomUUID() };
}

interface PublishRequest {
  topicName?: string;
  events?: Array<{ id?: string }>;
}

/** Change events are Salesforce's to publish: each event published on a change event topic fails. */
function publish(org: Org, caller: Caller, req: PublishRequest) {
  const name = req.topicName ?? "";
  if (name === "") throw invalidArgument("A PublishRequest must name a topic (topic_name).");
  const { error } = topicAccess(org, caller, name);
  if (error) throw error;
  return {
    results: (req.events ?? []).map((e) => ({
      replayId: Buffer.alloc(0),
      error: { code: 1, msg: `Publishing isn't allowed on the change event topic ${name}.` },
      correlationKey: e.id ?? "",
    })),
    schemaId: "",
    rpcId: randomUUID(),
  };
}
