import {
  InstancePools,
  MemoryCredentialStore,
  PubSubClient,
  renewWithRefreshToken,
  SalesforceClient,
  type Subscription,
  type SubscriptionItem,
  selectChannelMembers,
  TokenLifecycle,
  type TokenSet,
} from "../../src/index.ts";
import { APP, connectUser, type DemoOrg, startDemoOrg, USERS } from "./demo-org.ts";

export const CONNECTION = "conn-pubsub";

/** The demo org serving the Pub/Sub API, Account selected for Change Data Capture, the integration user connected. */
export interface PubSubOrg {
  demo: DemoOrg;
  tokens: TokenSet;
  /** The connection's token lifecycle, as the server keeps it; the Pub/Sub client and REST share it. */
  lifecycle: TokenLifecycle;
  /** REST as the integration user (writes that make change events). */
  rest: SalesforceClient;
  /** REST as the admin (Tooling calls that need Customize Application). */
  admin: SalesforceClient;
  /** A Pub/Sub client on the emulator's TLS endpoint, trusting its certificate; closed with the org. */
  pubsub(): PubSubClient;
  close(): Promise<void>;
}

/** The integration user's permission set: Salesforce sends an object's change events to those who may view all its records. */
export const INTEGRATION_SET = "Forcelink_Integration";

export async function startPubSubOrg(): Promise<PubSubOrg> {
  const demo = await startDemoOrg({ pubsub: { keepaliveSeconds: 1 } });
  demo.admin.setObjectPermissions(INTEGRATION_SET, "Account", ["Read", "Create", "Edit", "Delete", "ViewAllRecords"]);
  const endpoint = demo.emulator.pubsub;
  if (!endpoint?.certificate) throw new Error("the emulator did not serve the Pub/Sub API over TLS");
  const tokens = await connectUser(demo);
  const adminTokens = await connectUser(demo, USERS.admin);
  const store = new MemoryCredentialStore();
  const lifecycle = new TokenLifecycle({
    store,
    renew: renewWithRefreshToken({ ...APP, hosts: demo.hosts }),
    attemptBackoff: { baseDelayMs: 1, maxDelayMs: 5 },
    roundBackoff: { baseDelayMs: 1, maxDelayMs: 1 },
    leasePollMs: 10,
  });
  await lifecycle.adopt(CONNECTION, tokens);
  await lifecycle.adopt("conn-admin", adminTokens);
  const pools = new InstancePools();
  const client = (connectionId: string) =>
    new SalesforceClient({ tokens: lifecycle.tokenProvider(connectionId), pools, sleep: async () => {} });
  const admin = client("conn-admin");
  await selectChannelMembers(admin, ["AccountChangeEvent"]);
  const opened: PubSubClient[] = [];
  return {
    demo,
    tokens,
    lifecycle,
    rest: client(CONNECTION),
    admin,
    pubsub: () => {
      const c = new PubSubClient({
        endpoint: endpoint.endpoint,
        tokens: lifecycle.tokenProvider(CONNECTION),
        tenantId: tokens.orgId,
        tls: { rootCertificate: endpoint.certificate },
      });
      opened.push(c);
      return c;
    },
    close: async () => {
      for (const c of opened) c.close();
      await pools.close();
      await demo.close();
    },
  };
}

/** The next `n` events of a subscription (keepalives skipped), then stops reading. */
export async function nextEvents(sub: Subscription, n: number, iterator = sub[Symbol.asyncIterator]()) {
  const events: Extract<SubscriptionItem, { kind: "event" }>["event"][] = [];
  while (events.length < n) {
    const next = await iterator.next();
    if (next.done) break;
    if (next.value.kind === "event") events.push(next.value.event);
  }
  return events;
}

/** Reads until the first keepalive: the stream is then open and positioned. */
export async function untilKeepalive(iterator: AsyncIterator<SubscriptionItem>): Promise<void> {
  for (;;) {
    const next = await iterator.next();
    if (next.done || next.value.kind === "keepalive") return;
  }
}
