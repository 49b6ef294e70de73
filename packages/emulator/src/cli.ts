import { parseArgs } from "node:util";
import { infoBody } from "./control/control-routes.ts";
import { SpecError } from "./control/specs.ts";
import { startEmulator } from "./emulator.ts";
import { SavedOrgError } from "./persist/persistence.ts";
import { readSeedFile } from "./seed/build-org.ts";
import { DEMO_SEED } from "./seed/demo-seed.ts";
import { warmSoqlParser } from "./soql/parse.ts";

const USAGE = `Usage: forcelink emulator [--port N] [--host H] [--seed FILE] [--records N] [--data-dir DIR [--fresh]]
                          [--pubsub-port N [--pubsub-plaintext] [--pubsub-keepalive S]]

Runs a local Salesforce org.
  --port N      first of three ports: login host N, sandbox login host N+1, My Domain N+2 (default 4010)
  --host H      address to listen on (default 127.0.0.1)
  --seed FILE   org to serve, as YAML or JSON (default: the built-in demo org)
  --records N   generate N records for each of Account, Contact, Lead, Opportunity and Case
  --data-dir DIR  keep the org in DIR across restarts; when DIR holds a saved org, it is served
                and --seed and --records are not applied
  --fresh       with --data-dir: discard the saved org and start a new one
  --pubsub-port N   serve the Pub/Sub API (gRPC, Change Data Capture events) on port N (0: a free
                port); over TLS with a certificate made at start (needs openssl), which
                GET /__emulator/pubsub returns for clients to trust
  --pubsub-plaintext  serve the Pub/Sub API without TLS (plain HTTP/2)
  --pubsub-keepalive S  seconds between keepalives on an idle Subscribe stream (default 270)
`;

/** The Pub/Sub options from the command line, or what is wrong with them. */
function pubsubOptions(values: {
  "pubsub-port"?: string;
  "pubsub-plaintext"?: boolean;
  "pubsub-keepalive"?: string;
}): { port: number; tls?: boolean; keepaliveSeconds?: number } | undefined | string {
  const given = values["pubsub-port"];
  if (given === undefined) {
    if (values["pubsub-plaintext"] || values["pubsub-keepalive"] !== undefined)
      return "--pubsub-plaintext and --pubsub-keepalive go with --pubsub-port: give the port too";
    return undefined;
  }
  const port = Number(given);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return `--pubsub-port must be a whole number from 0 to 65535; got '${given}'`;
  const keepalive = values["pubsub-keepalive"] === undefined ? undefined : Number(values["pubsub-keepalive"]);
  if (keepalive !== undefined && (!Number.isInteger(keepalive) || keepalive < 1))
    return `--pubsub-keepalive must be a whole number of seconds, 1 or more; got '${values["pubsub-keepalive"]}'`;
  return {
    port,
    ...(values["pubsub-plaintext"] ? { tls: false } : {}),
    ...(keepalive !== undefined ? { keepaliveSeconds: keepalive } : {}),
  };
}

/** `forcelink emulator`: starts the emulator, prints how to use it, stops on SIGINT/SIGTERM. */
export async function runEmulatorCli(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  let values: {
    port?: string;
    host?: string;
    seed?: string;
    records?: string;
    "data-dir"?: string;
    fresh?: boolean;
    "pubsub-port"?: string;
    "pubsub-plaintext"?: boolean;
    "pubsub-keepalive"?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        seed: { type: "string" },
        records: { type: "string" },
        "data-dir": { type: "string" },
        fresh: { type: "boolean" },
        "pubsub-port": { type: "string" },
        "pubsub-plaintext": { type: "boolean" },
        "pubsub-keepalive": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const port = values.port === undefined ? 4010 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65533) {
    process.stderr.write(`--port must be a whole number from 0 to 65533; got '${values.port}'\n`);
    return 2;
  }
  const records = values.records === undefined ? undefined : Number(values.records);
  if (records !== undefined && (!Number.isInteger(records) || records < 0)) {
    process.stderr.write(`--records must be a whole number of records per object; got '${values.records}'\n`);
    return 2;
  }
  if (values.fresh && !values["data-dir"]) {
    process.stderr.write("--fresh discards the org saved in --data-dir: give --data-dir too\n");
    return 2;
  }
  const pubsub = pubsubOptions(values);
  if (typeof pubsub === "string") {
    process.stderr.write(`${pubsub}\n`);
    return 2;
  }
  const started = Date.now();
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator({
      seed: values.seed ? readSeedFile(values.seed) : DEMO_SEED,
      records,
      port,
      host: values.host,
      dataDir: values["data-dir"],
      fresh: values.fresh,
      pubsub,
    });
  } catch (e) {
    if (e instanceof SpecError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    if (e instanceof SavedOrgError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    const err = e as NodeJS.ErrnoException;
    process.stderr.write(
      err.code === "EADDRINUSE"
        ? `Port ${err.message.split(":").pop()} is in use: pick another first port with --port.\n`
        : `Cannot listen: ${err.message}\n`,
    );
    return 1;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const dataDir = values["data-dir"];
  if (emulator.restored) {
    out(`Loaded the org saved in ${dataDir} (${emulator.restored.records} records) in ${seconds} s.`);
    out("  The seed and --records were not applied to it; --fresh starts a new org.");
  } else {
    if (records && records >= 100_000) out(`Generated ${records} records per object in ${seconds} s`);
    if (dataDir) out(`Saving the org in ${dataDir}: it survives a restart (--fresh starts a new one).`);
  }
  const org = emulator.org;
  const info = infoBody(org);
  out(`Salesforce emulator for "${org.organization().Name}" (${info.organizationId})`);
  out(`  login host (login.salesforce.com):  ${info.loginUrl}`);
  out(`  sandbox login host (test.salesforce.com): ${info.sandboxLoginUrl}`);
  out(`  My Domain / instance URL:           ${info.myDomainUrl}`);
  out(`  control surface and credentials:    ${info.loginUrl}/__emulator/info`);
  if (emulator.pubsub) {
    const { endpoint, tls } = emulator.pubsub;
    out(`  ${`Pub/Sub API (gRPC, ${tls ? "TLS" : "plaintext"}):`.padEnd(35)} ${endpoint}`);
    if (tls) out(`  ${"its certificate (to trust):".padEnd(35)} ${info.loginUrl}/__emulator/pubsub`);
  }
  out("");
  for (const app of info.apps) {
    out(`App "${app.name}": client id ${app.clientId}, secret ${app.clientSecret}`);
    out(`  callback URLs: ${app.callbackUrls.join(", ")}`);
  }
  out("Users:");
  for (const u of info.users) out(`  ${u.username} / ${u.password}  (${u.profile})`);
  const app = info.apps[0];
  const user = info.users[0];
  if (app && user) {
    out("");
    out("Try it:");
    out(
      `  curl -s ${info.loginUrl}/services/oauth2/token -d grant_type=password -d client_id=${app.clientId} -d client_secret=${app.clientSecret} -d username=${user.username} -d password=${user.password}`,
    );
    out(
      `  curl -s -H "Authorization: Bearer <access_token>" "${info.myDomainUrl}/services/data/v67.0/query?q=SELECT+Id,Name+FROM+Account+LIMIT+5"`,
    );
  }
  out("");
  out("Press Ctrl+C to stop.");
  // Answering already; the SOQL grammar is built next, while nobody waits for it.
  setImmediate(warmSoqlParser);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await emulator.close();
  out("Emulator stopped.");
  return 0;
}
