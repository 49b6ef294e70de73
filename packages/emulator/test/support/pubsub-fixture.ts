import PubSubApiClient from "salesforce-pubsub-api-client";
import { type RunningEmulator, startEmulator } from "../../src/emulator.ts";
import type { OrgAdmin } from "../../src/org/admin.ts";
import type { Org } from "../../src/org/org.ts";
import { createBaseOrg } from "../../src/seed/base-org.ts";
import { Api } from "../bulk-harness.ts";

/** What a subscription of the published client received, by callback type. */
export interface Received {
  // biome-ignore lint/suspicious/noExplicitAny: parsed events are checked field by field
  events: any[];
  keepalives: number;
  lastEvent: number;
  // biome-ignore lint/suspicious/noExplicitAny: grpc-js errors carry code, details and metadata
  errors: any[];
  /** Resolves when `check` holds, looked at on every callback. */
  until(check: (r: Received) => boolean): Promise<void>;
}

export interface PubSubFixture {
  org: Org;
  admin: OrgAdmin;
  emulator: RunningEmulator;
  api: Api;
  clientId: string;
  clientSecret: string;
  /** A connected client of the published npm package, logged in by client credentials as the admin. */
  client(overrides?: Record<string, unknown>): Promise<PubSubApiClient>;
  /** Collects what a subscription receives; `subscribe` starts it with the callback given. */
  collect(subscribe: (callback: (...args: unknown[]) => void) => void): Received;
  select(entity: string): Promise<void>;
  /** A new session for the admin (after the clock moved past the old one's timeout). */
  freshApi(): Api;
  close(): Promise<void>;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

export async function startPubSubOrg(): Promise<PubSubFixture> {
  const { org, admin } = createBaseOrg();
  const emulator = await startEmulator({ org, port: 0, pubsub: { port: 0, keepaliveSeconds: 1 } });
  const adminUser = org.userByUsername(`admin@${org.myDomain}.example`)!;
  const clientId = "pubsub-client-id";
  const clientSecret = "pubsub-client-secret";
  const app = admin.app({ name: "Pub Sub App", clientId, clientSecret, callbackUrls: ["http://localhost:1717/cb"] });
  admin.updateApp(app.id, { clientCredentialsEnabled: true, clientCredentialsUser: String(adminUser.Username) });
  const freshApi = () =>
    new Api(emulator.urls.myDomain, org.sessions.openSession(adminUser.Id, null, ["api"], null).accessToken);
  const api = freshApi();
  const clients: PubSubApiClient[] = [];
  return {
    org,
    admin,
    emulator,
    api,
    clientId,
    clientSecret,
    freshApi,
    async client(overrides = {}) {
      const client = new PubSubApiClient(
        {
          authType: "oauth-client-credentials",
          loginUrl: emulator.urls.myDomain,
          clientId,
          clientSecret,
          pubSubEndpoint: emulator.pubsub!.endpoint,
          // The client verifies the server against the roots it bundles, and takes no others;
          // this documented setting is how it is pointed at a server with its own certificate.
          rejectUnauthorizedSsl: false,
          ...overrides,
        },
        silent,
      );
      await client.connect();
      clients.push(client);
      return client;
    },
    collect(subscribe) {
      const waiters: Array<() => void> = [];
      const received: Received = {
        events: [],
        keepalives: 0,
        lastEvent: 0,
        errors: [],
        until(check) {
          if (check(received)) return Promise.resolve();
          return new Promise((resolve) => {
            const look = () => (check(received) ? resolve() : waiters.push(look));
            waiters.push(look);
          });
        },
      };
      subscribe((_info, type, data) => {
        // The client parses a batch's events after fetching their schema, so batches can overtake
        // each other; replay order is the bus's order.
        if (type === "event") {
          received.events.push(data);
          received.events.sort((a, b) => a.replayId - b.replayId);
        } else if (type === "grpcKeepAlive") received.keepalives++;
        else if (type === "lastEvent") received.lastEvent++;
        else if (type === "error") received.errors.push(data);
        for (const look of waiters.splice(0)) look();
      });
      return received;
    },
    async select(entity) {
      const res = await api.send("POST", "/tooling/sobjects/PlatformEventChannelMember", {
        FullName: `ChangeEvents_${entity}`,
        Metadata: { eventChannel: "ChangeEvents", selectedEntity: entity },
      });
      if (res.status !== 201) throw new Error(`select ${entity}: ${res.status} ${res.text}`);
    },
    async close() {
      // The server goes first: the client's close() drops its stream listeners, and a stream
      // cancelled after that would be an unhandled error.
      await emulator.close();
      for (const c of clients) c.close();
    },
  };
}
