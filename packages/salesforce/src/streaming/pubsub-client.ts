import { fileURLToPath } from "node:url";
import {
  type ChannelCredentials,
  type ClientDuplexStream,
  credentials as grpcCredentials,
  loadPackageDefinition,
  Metadata,
  type ServiceError,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import type { AccessGrant, TokenProvider } from "../token-provider.ts";
import { SchemaCache } from "./event-schemas.ts";
import { pubSubFailureFrom } from "./pubsub-failure.ts";
import { type SubscribeOptions, Subscription } from "./subscription.ts";

const PROTO = fileURLToPath(new URL("./pubsub_api.proto", import.meta.url));

/** Salesforce's Pub/Sub API endpoint; every org is served there. */
export const PUBSUB_ENDPOINT = "api.pubsub.salesforce.com:7443";

export interface TopicInfo {
  topicName: string;
  tenantGuid: string;
  canPublish: boolean;
  canSubscribe: boolean;
  schemaId: string;
  rpcId: string;
}

/** A FetchRequest as @grpc/proto-loader takes it (camel case; bytes as Buffers). */
export interface FetchRequest {
  topicName?: string;
  replayPreset?: "LATEST" | "EARLIEST" | "CUSTOM";
  replayId?: Buffer;
  numRequested: number;
}

/** A FetchResponse as @grpc/proto-loader hands it over. */
export interface FetchResponse {
  events?: Array<{ event?: { id?: string; schemaId?: string; payload?: Buffer }; replayId?: Buffer }>;
  latestReplayId?: Buffer;
  rpcId?: string;
  pendingNumRequested?: number;
}

type Unary = (
  request: unknown,
  metadata: Metadata,
  callback: (error: ServiceError | null, response?: unknown) => void,
) => unknown;

/** The generated stub: the RPCs this client uses. */
interface PubSubStub {
  GetTopic: Unary;
  GetSchema: Unary;
  Subscribe(metadata: Metadata): ClientDuplexStream<FetchRequest, FetchResponse>;
  close(): void;
}

export interface PubSubClientOptions {
  /** host:port; Salesforce's by default. */
  endpoint?: string;
  /** The connection's tokens: the same provider its REST calls use. */
  tokens: TokenProvider;
  /** The org id (`tenantid`), as the token answer's identity URL names it. */
  tenantId: string;
  /**
   * TLS as Salesforce serves it, trusting the system's roots, or `rootCertificate` (PEM) instead;
   * `false` speaks plaintext HTTP/2 (an emulator started with `tls: false`).
   */
  tls?: { rootCertificate?: string } | false;
}

/**
 * Salesforce's Pub/Sub API over gRPC (the published eventbus.v1 proto): topics, schemas (one
 * GetSchema per schema id) and Subscribe streams. Every call is authenticated with the
 * connection's current token; a refused session gets one new token and the call is made again.
 */
export class PubSubClient {
  readonly schemas: SchemaCache;
  private readonly stub: PubSubStub;
  private readonly tokens: TokenProvider;
  private readonly tenantId: string;
  private readonly open = new Set<Subscription>();

  constructor(options: PubSubClientOptions) {
    const definition = loadSync(PROTO, { keepCase: false, enums: String, defaults: false, longs: Number });
    const pkg = loadPackageDefinition(definition) as unknown as {
      eventbus: { v1: { PubSub: new (address: string, credentials: ChannelCredentials) => PubSubStub } };
    };
    const creds =
      options.tls === false
        ? grpcCredentials.createInsecure()
        : grpcCredentials.createSsl(
            options.tls?.rootCertificate ? Buffer.from(options.tls.rootCertificate) : undefined,
          );
    this.stub = new pkg.eventbus.v1.PubSub(options.endpoint ?? PUBSUB_ENDPOINT, creds);
    this.tokens = options.tokens;
    this.tenantId = options.tenantId;
    this.schemas = new SchemaCache(
      (schemaId) => this.unary("GetSchema", { schemaId }) as Promise<{ schemaId: string; schemaJson: string }>,
    );
  }

  getTopic(topicName: string): Promise<TopicInfo> {
    return this.unary("GetTopic", { topicName }) as Promise<TopicInfo>;
  }

  /** A Subscribe stream on a channel, read as an async iterable; see `Subscription`. */
  subscribe(options: SubscribeOptions): Subscription {
    const subscription = new Subscription(this, options, () => this.open.delete(subscription));
    this.open.add(subscription);
    return subscription;
  }

  /** The call metadata Salesforce authenticates a call by. */
  metadataFor(grant: AccessGrant): Metadata {
    const metadata = new Metadata();
    metadata.set("accesstoken", grant.accessToken);
    metadata.set("instanceurl", grant.instanceUrl);
    metadata.set("tenantid", this.tenantId);
    return metadata;
  }

  /** Opens a raw Subscribe stream with the current token (the subscription drives it). */
  async openStream(): Promise<{ stream: ClientDuplexStream<FetchRequest, FetchResponse>; grant: AccessGrant }> {
    const grant = await this.tokens.current();
    return { stream: this.stub.Subscribe(this.metadataFor(grant)), grant };
  }

  /** A new token after Salesforce refused `rejectedToken` (one another caller got may do). */
  refreshAfterRejection(rejectedToken: string): Promise<AccessGrant> {
    return this.tokens.refreshAfterRejection(rejectedToken);
  }

  /** Ends every subscription of this client (their loops end after what they received), then the channel. */
  close(): void {
    for (const subscription of this.open) subscription.close();
    this.stub.close();
  }

  private async unary(method: "GetTopic" | "GetSchema", request: unknown): Promise<unknown> {
    let grant = await this.tokens.current();
    try {
      return await this.call(method, request, grant);
    } catch (e) {
      const failure = pubSubFailureFrom(e);
      if (failure.retry !== "refresh-then-retry") throw failure;
      grant = await this.tokens.refreshAfterRejection(grant.accessToken);
      try {
        return await this.call(method, request, grant);
      } catch (again) {
        throw pubSubFailureFrom(again);
      }
    }
  }

  private call(method: "GetTopic" | "GetSchema", request: unknown, grant: AccessGrant): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.stub[method].call(this.stub, request, this.metadataFor(grant), (error, response) =>
        error ? reject(error) : resolve(response),
      );
    });
  }
}
