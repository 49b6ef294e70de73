import type { Server } from "node:http";
import { listen, portOf } from "./http/server.ts";
import type { Org } from "./org/org.ts";
import { buildRouter } from "./routes.ts";

export interface EmulatorOptions {
  /** The org to serve. */
  org: Org;
  /**
   * First port: the production login host listens here, the sandbox login host on port+1 and
   * the org's My Domain (its instance URL) on port+2. 0 picks three free ports.
   */
  port?: number;
  host?: string;
}

export interface RunningEmulator {
  org: Org;
  urls: Org["urls"];
  close(): Promise<void>;
}

/**
 * Serves one org on three loopback origins, so the emulator can tell the hosts apart the way
 * Salesforce does: login.salesforce.com, test.salesforce.com and the org's My Domain. The test
 * control surface (`/__emulator/*`) is served on the production login host only.
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const { org } = options;
  const host = options.host ?? "127.0.0.1";
  const loginRouter = buildRouter({ control: true });
  const otherHostsRouter = buildRouter({ control: false });
  const base = options.port ?? 0;
  const servers: Server[] = [];
  try {
    servers.push(await listen(org, loginRouter, "login", base, host));
    servers.push(await listen(org, otherHostsRouter, "test", base === 0 ? 0 : base + 1, host));
    servers.push(await listen(org, otherHostsRouter, "mydomain", base === 0 ? 0 : base + 2, host));
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }
  const [login, test, mydomain] = servers.map((s) => `http://${host}:${portOf(s)}`);
  org.urls = { login, test, myDomain: mydomain };
  return {
    org,
    urls: org.urls,
    close: async () => {
      await Promise.all(servers.map(closeServer));
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
