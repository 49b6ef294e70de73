import type { Server } from "node:http";
import { ControlClient, type EmulatorInfo } from "./control/control-client.ts";
import { infoBody } from "./control/control-routes.ts";
import type { SeedSpec } from "./control/specs.ts";
import { listen, portOf } from "./http/server.ts";
import { OrgAdmin } from "./org/admin.ts";
import type { Org } from "./org/org.ts";
import {
  asSavedOrgError,
  discardSavedOrg,
  hasPartialSavedOrg,
  loadSavedOrg,
  OrgPersistence,
  savedOrgError,
} from "./persist/persistence.ts";
import { type RunningPubSub, startPubSub } from "./pubsub/pubsub-server.ts";
import { generateCertificate } from "./pubsub/tls-certificate.ts";
import { buildRouter } from "./routes.ts";
import { buildOrg, readSeedFile } from "./seed/build-org.ts";
import { DEMO_SEED } from "./seed/demo-seed.ts";

export interface EmulatorOptions {
  /** The org to serve, already built; otherwise it is built from `seed`. */
  org?: Org;
  /** The org to build: a seed (as YAML/JSON text's parsed object) or a seed file's path; the demo org by default. */
  seed?: SeedSpec | string;
  /** Records to generate for each of Account, Contact, Lead, Opportunity and Case. */
  records?: number;
  /**
   * First port: the production login host listens here, the sandbox login host on port+1 and
   * the org's My Domain (its instance URL) on port+2. 0 picks three free ports.
   */
  port?: number;
  host?: string;
  /**
   * Keeps the org's state in this directory across restarts (records, the recycle bin, users and
   * permissions, apps, sessions and refresh tokens, the clock, settings, Bulk jobs). When it holds
   * a saved org, that org is served and `seed` and `records` are not applied.
   */
  dataDir?: string;
  /** With `dataDir`: discard the saved org and start a new one from `seed`. */
  fresh?: boolean;
  /** Where warnings about the saved state go (a damaged file, a torn journal); stderr by default. */
  warn?: (line: string) => void;
  /**
   * The Pub/Sub API (gRPC) on a port of its own: change events of the objects selected for
   * Change Data Capture. Off unless given; `port` 0 (the default) picks a free port. TLS, as
   * Salesforce serves it, is on by default with a certificate made at start (`openssl`); give
   * `tls: {key, cert}` to use your own, or `tls: false` for plaintext HTTP/2.
   */
  pubsub?: {
    port?: number;
    tls?: boolean | { key: string; cert: string };
    keepaliveSeconds?: number;
  };
}

/** The Pub/Sub API endpoint, when the emulator serves it. */
export interface PubSubEndpoint {
  /** host:port for a gRPC client (Salesforce's is api.pubsub.salesforce.com:7443). */
  endpoint: string;
  port: number;
  tls: boolean;
  /** The certificate the endpoint presents (PEM): a client trusts it as its root. */
  certificate?: string;
}

/** What was loaded from `dataDir`, when it held a saved org. */
export interface RestoredState {
  dataDir: string;
  /** Records of every object in the loaded org (setup objects included). */
  records: number;
}

export interface RunningEmulator {
  org: Org;
  /** Changes the org in this process without HTTP (present when the emulator built the org). */
  admin?: OrgAdmin;
  urls: Org["urls"];
  /** The org id, the apps with their client ids and secrets, the users with their passwords. */
  info: EmulatorInfo;
  /** The control surface over HTTP, typed. */
  control: ControlClient;
  /** Set when the org was loaded from `dataDir` rather than built from the seed. */
  restored?: RestoredState;
  /** The Pub/Sub API endpoint, when `pubsub` was given. */
  pubsub?: PubSubEndpoint;
  close(): Promise<void>;
  /** The same as close(). */
  stop(): Promise<void>;
}

/**
 * Serves one org on three loopback origins, so the emulator can tell the hosts apart the way
 * Salesforce does: login.salesforce.com, test.salesforce.com and the org's My Domain. The test
 * control surface (`/__emulator/*`) is served on the production login host only.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  if (options.dataDir) return startPersisted({ ...options, dataDir: options.dataDir });
  const built = options.org ? undefined : buildFrom(options);
  return serve(options.org ?? built!.org, built?.admin, options, async () => {});
}

async function startPersisted(options: EmulatorOptions & { dataDir: string }): Promise<RunningEmulator> {
  if (options.org) throw new Error("startEmulator: with dataDir, pass seed and records rather than a built org");
  const warn = options.warn ?? ((line: string) => process.stderr.write(`emulator: ${line}\n`));
  const dir = options.dataDir;
  const unlock = OrgPersistence.lock(dir);
  let persistence: OrgPersistence | undefined;
  try {
    const saved = asSavedOrgError(dir, () => {
      if (options.fresh) discardSavedOrg(dir);
      return loadSavedOrg(dir, warn);
    });
    if (saved) {
      persistence = asSavedOrgError(dir, () => OrgPersistence.resume(saved, dir, warn));
      const running = await serve(saved.org, new OrgAdmin(saved.org), options, async () => {
        await persistence?.close();
        unlock();
      });
      return { ...running, restored: { dataDir: dir, records: saved.records } };
    }
    const built = buildFrom(options);
    if (hasPartialSavedOrg(dir)) {
      warn(`${dir} held an incomplete saved org (its first start was cut short); starting a new one`);
      asSavedOrgError(dir, () => discardSavedOrg(dir));
    }
    persistence = await OrgPersistence.create(built.org, dir, warn).catch((e) => {
      throw savedOrgError(dir, e);
    });
    return await serve(built.org, built.admin, options, async () => {
      await persistence?.close();
      unlock();
    });
  } catch (error) {
    await persistence?.close();
    unlock();
    throw error;
  }
}

async function serve(
  org: Org,
  admin: OrgAdmin | undefined,
  options: EmulatorOptions,
  afterClose: () => Promise<void>,
): Promise<RunningEmulator> {
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
  let pubsub: { running: RunningPubSub; endpoint: PubSubEndpoint } | undefined;
  try {
    pubsub = options.pubsub ? await servePubSub(org, host, options.pubsub) : undefined;
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= Promise.all([...servers.map(closeServer), pubsub?.running.close()]).then(afterClose);
    return closing;
  };
  return {
    org,
    ...(admin ? { admin } : {}),
    urls: org.urls,
    ...(pubsub ? { pubsub: pubsub.endpoint } : {}),
    info: infoBody(org),
    control: new ControlClient(org.urls.login),
    close,
    stop: close,
  };
}

async function servePubSub(org: Org, host: string, options: NonNullable<EmulatorOptions["pubsub"]>) {
  const tls =
    options.tls === false
      ? undefined
      : options.tls === undefined || options.tls === true
        ? generateCertificate(host)
        : options.tls;
  const running = await startPubSub(org, host, { port: options.port, tls, keepaliveSeconds: options.keepaliveSeconds });
  const endpoint: PubSubEndpoint = {
    endpoint: running.endpoint,
    port: running.port,
    tls: running.tls,
    ...(tls ? { certificate: tls.cert } : {}),
  };
  org.pubsubEndpoint = endpoint;
  return { running, endpoint };
}

function buildFrom(options: EmulatorOptions) {
  const seed =
    options.seed === undefined
      ? DEMO_SEED
      : typeof options.seed === "string"
        ? readSeedFile(options.seed)
        : options.seed;
  return buildOrg(seed, options.records);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
