import { credentials, loadPackageDefinition, Metadata, type ServiceError } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import avro from "avsc";

// biome-ignore lint/suspicious/noExplicitAny: the generated client's methods are checked by the tests
type Client = any;

/** A plain grpc-js client of the committed proto, trusting the emulator's certificate as its root. */
export function pubSubClient(endpoint: string, certificate: string, token: string, tenant: string): Client {
  const definition = loadSync(new URL("../../src/pubsub/pubsub_api.proto", import.meta.url).pathname, {});
  // biome-ignore lint/suspicious/noExplicitAny: loaded from the proto at run time
  const pkg = loadPackageDefinition(definition) as any;
  const auth = credentials.createFromMetadataGenerator((_params, callback) => {
    const meta = new Metadata();
    meta.add("accesstoken", token);
    meta.add("instanceurl", "https://emulator.my.salesforce.com");
    meta.add("tenantid", tenant);
    callback(null, meta);
  });
  return new pkg.eventbus.v1.PubSub(
    endpoint,
    credentials.combineChannelCredentials(credentials.createSsl(Buffer.from(certificate)), auth),
  );
}

export function unaryCall<T>(client: Client, method: string, request: unknown): Promise<T> {
  return new Promise((resolve, reject) =>
    client[method](request, (error: ServiceError | null, answer: T) => (error ? reject(error) : resolve(answer))),
  );
}

/** Decoded events of one Subscribe stream, with what ended it. */
export interface Stream {
  // biome-ignore lint/suspicious/noExplicitAny: decoded Avro records
  events: Array<{ replayId: number; payload: any }>;
  keepalives: Array<{ latestReplayId: number; pendingNumRequested: number }>;
  error?: ServiceError;
  request(n: number): void;
  /** Sends a FetchRequest as given. */
  write(request: Record<string, unknown>): void;
  until(check: (s: Stream) => boolean): Promise<void>;
  cancel(): void;
}

/** Opens Subscribe with a first FetchRequest, decoding each event with the schema GetSchema gives. */
export function subscribe(client: Client, first: Record<string, unknown>): Stream {
  const call = client.Subscribe();
  const schemas = new Map<string, avro.Type>();
  const waiters: Array<() => void> = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  let chain = Promise.resolve();
  const stream: Stream = {
    events: [],
    keepalives: [],
    request: (n) => call.write({ numRequested: n }),
    write: (request) => call.write(request),
    until(check) {
      if (check(stream)) return Promise.resolve();
      return new Promise((resolve) => {
        const look = () => (check(stream) ? resolve() : waiters.push(look));
        waiters.push(look);
      });
    },
    cancel: () => call.cancel(),
  };
  // biome-ignore lint/suspicious/noExplicitAny: a FetchResponse as proto-loader gives it
  call.on("data", (response: any) => {
    chain = chain.then(async () => {
      if (!response.events?.length) {
        stream.keepalives.push({
          latestReplayId: Number(response.latestReplayId.readBigUInt64BE()),
          pendingNumRequested: response.pendingNumRequested ?? 0,
        });
      }
      for (const e of response.events ?? []) {
        let type = schemas.get(e.event.schemaId);
        if (!type) {
          const info = await unaryCall<{ schemaJson: string }>(client, "GetSchema", { schemaId: e.event.schemaId });
          type = avro.Type.forSchema(JSON.parse(info.schemaJson));
          schemas.set(e.event.schemaId, type);
        }
        stream.events.push({
          replayId: Number(e.replayId.readBigUInt64BE()),
          payload: type.fromBuffer(e.event.payload),
        });
      }
      wake();
    });
  });
  call.on("error", (error: ServiceError) => {
    chain = chain.then(() => {
      stream.error = error;
      wake();
    });
  });
  call.write(first);
  return stream;
}
