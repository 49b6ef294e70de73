import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { and, eq } from "drizzle-orm";
import { parseConfig } from "../config/config.ts";
import { createConnectSession } from "../connect/connect-session-store.ts";
import { createProviderApp } from "../provider-apps/provider-apps.ts";
import { startServer } from "../server.ts";
import { projects, providerApps } from "../store/schema.ts";
import { type CommandInput, EXIT } from "./command-line.ts";
import { announceServer } from "./local-server.ts";
import { reportWaiting, stopSignal } from "./stop-signal.ts";

const DEMO_END_USER = "demo-customer";

/**
 * `npm start`: a local Salesforce org (the emulator) and Forcelink pointed at it, with the demo
 * org's app registered as a provider app, and a connect link to open in a browser.
 */
export async function startCommand(input: CommandInput): Promise<number> {
  const { DEMO } = await import("@forcelink/emulator");
  const serverEnv = { ...process.env, FORCELINK_PORT: input.string("port") ?? process.env.FORCELINK_PORT ?? "4000" };
  // The org lives beside Forcelink's own data, so a restart keeps the demo connection working.
  const emulatorDir = join(parseConfig(serverEnv).dataDir, "emulator");
  const emulator = await startDemoEmulator(input, emulatorDir);
  if (typeof emulator === "number") return emulator;
  const org = emulator.org;
  const env = {
    ...serverEnv,
    FORCELINK_SALESFORCE_LOGIN_URL: emulator.urls.login,
    FORCELINK_SALESFORCE_SANDBOX_URL: emulator.urls.test,
    FORCELINK_SALESFORCE_MYDOMAIN_URL: emulator.urls.myDomain,
    ...demoPubSubEnv(emulator.pubsub, emulatorDir),
  };
  const config = parseConfig(env);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config);
  } catch (e) {
    await emulator.close();
    if ((e as NodeJS.ErrnoException).code === "EADDRINUSE") {
      process.stderr.write(
        `Port ${config.port} is in use (is another Forcelink running?). Stop it, or pick another with --port.\n`,
      );
      return 1;
    }
    throw e;
  }
  const { platform } = server;
  const callback = `${config.publicUrl}/oauth/callback`;
  const demoApp = org.appByClientId(DEMO.app.clientId)!;
  if (!demoApp.callbackUrls.includes(callback)) demoApp.callbackUrls.push(callback);

  const [project] = await platform.db.select().from(projects).orderBy(projects.createdAt).limit(1);
  let [app] = await platform.db
    .select()
    .from(providerApps)
    .where(and(eq(providerApps.projectId, project.id), eq(providerApps.clientId, DEMO.app.clientId)));
  if (!app) {
    const created = await createProviderApp(platform, project.id, {
      name: "Forcelink Demo App",
      kind: "external_client_app",
      clientId: DEMO.app.clientId,
      clientSecret: DEMO.app.clientSecret,
      scopes: ["api", "refresh_token", "id"],
      clientCredentials: { enabled: true },
    });
    if (created.status !== "ok")
      throw new Error(`could not register the demo provider app: ${JSON.stringify(created)}`);
    app = created.app;
  }
  const link = await createConnectSession(platform, {
    projectId: project.id,
    providerAppId: app.id,
    endUserId: DEMO_END_USER,
  });

  const withdraw = await announceServer(server, config);
  console.log(`Forcelink is running at ${server.url} (embedded storage in ${config.dataDir})`);
  console.log(`A local Salesforce org (the emulator) is running at ${emulator.urls.login}`);
  console.log(
    emulator.restored
      ? `  Its org was loaded from ${emulatorDir} (${emulator.restored.records} records); \`forcelink start --fresh\` starts a new one.`
      : `  Its org is kept in ${emulatorDir} and survives a restart; \`forcelink start --fresh\` starts a new one.`,
  );
  console.log("");
  console.log("Connect the demo org: open this link in a browser (it works once, for 30 minutes):");
  console.log(`  ${link.url}`);
  console.log(`  Choose Production, then sign in as ${DEMO.integration.username} / ${DEMO.integration.password}`);
  console.log("");
  if (server.firstKey) {
    console.log("Your API key (shown this once; keep it):");
    console.log(`  ${server.firstKey.key}`);
  } else {
    console.log("API key: the one printed on the first start (or stop and run `npm run forcelink -- keys create`).");
  }
  console.log(`Console: open ${server.url}/ and sign in with the API key.`);
  console.log(`Then: curl -H "Authorization: Bearer <key>" ${server.url}/v1/connections`);
  console.log(
    `      curl -H "Authorization: Bearer <key>" ${server.url}/v1/connections/<id>/proxy/services/data/v67.0/limits`,
  );
  console.log(
    `API description: ${server.url}/v1/openapi.json   Emulator credentials: ${emulator.urls.login}/__emulator/info`,
  );
  console.log("");
  console.log("Press Ctrl+C to stop.");
  await stopSignal();
  withdraw();
  await server.close({ onWait: reportWaiting });
  await emulator.close();
  console.log("Stopped.");
  return 0;
}

/** Points Forcelink's Pub/Sub endpoint at the demo org's, trusting the certificate it made (written beside the org). */
function demoPubSubEnv(pubsub: { endpoint: string; certificate?: string } | undefined, dir: string) {
  if (!pubsub) return {};
  const env: Record<string, string> = { FORCELINK_SALESFORCE_PUBSUB_ENDPOINT: pubsub.endpoint };
  if (pubsub.certificate) {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "pubsub-certificate.pem");
    writeFileSync(file, pubsub.certificate);
    env.FORCELINK_SALESFORCE_PUBSUB_CA_FILE = file;
  }
  return env;
}

/** The demo org, kept in `dataDir`; an exit status when it cannot start (its ports are taken, its directory is unusable). */
async function startDemoEmulator(input: CommandInput, dataDir: string) {
  // The emulator is a development tool the CLI launches; the platform code never imports it.
  const { DEMO_SEED, SavedOrgError, startEmulator } = await import("@forcelink/emulator");
  const port = input.integer("emulator-port") ?? 4010;
  try {
    // The Pub/Sub API (change events) on the port after the emulator's three, with its own certificate.
    return await startEmulator({
      seed: DEMO_SEED,
      port,
      dataDir,
      fresh: input.flag("fresh"),
      pubsub: { port: port + 3 },
    });
  } catch (e) {
    if (e instanceof SavedOrgError) {
      process.stderr.write(`${e.message}\n`);
      return EXIT.failed;
    }
    if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
    process.stderr.write(
      `Ports ${port}-${port + 2} are in use (is another \`npm start\` or emulator running?). Stop it, or pick others with --emulator-port.\n`,
    );
    return EXIT.failed;
  }
}
