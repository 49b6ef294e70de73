import { fixedToken, InstancePools, SalesforceClient, type TokenSet } from "../../src/index.ts";
import { connectUser, type DemoOrg, startDemoOrg } from "./demo-org.ts";

type Row = Record<string, unknown>;

/** The demo org with the integration user connected, and a client with its own pools. */
export interface WriteOrg {
  demo: DemoOrg;
  tokens: TokenSet;
  pools: InstancePools;
  /** A client whose retry sleeps call `onSleep` (tests use it to end a fault between attempts). */
  client(onSleep?: (ms: number) => void): SalesforceClient;
  /** Live rows of an object that pass a filter. */
  rows(object: string, where?: (r: Row) => boolean): Row[];
  close(): Promise<void>;
}

export async function startWriteOrg(): Promise<WriteOrg> {
  const demo = await startDemoOrg();
  const tokens = await connectUser(demo);
  const pools = new InstancePools();
  return {
    demo,
    tokens,
    pools,
    client: (onSleep) =>
      new SalesforceClient({
        tokens: fixedToken({ accessToken: tokens.accessToken, instanceUrl: tokens.instanceUrl }),
        pools,
        random: () => 0.5,
        sleep: async (ms) => onSleep?.(ms),
      }),
    rows: (object, where = () => true) => [...demo.org.store.tableOrThrow(object).live()].filter((r) => where(r)),
    close: async () => {
      await pools.close();
      await demo.close();
    },
  };
}
