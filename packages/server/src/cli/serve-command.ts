import { parseArgs } from "node:util";
import { ConfigError, parseConfig } from "../config/config.ts";
import { MissingSecretKeyError } from "../crypto/secret-key.ts";
import { startServer } from "../server.ts";
import { DataDirLockedError } from "../store/data-dir-lock.ts";

/** Errors a person can fix from the message alone: printed without a stack trace. */
export function isUserError(e: unknown): boolean {
  return e instanceof ConfigError || e instanceof MissingSecretKeyError || e instanceof DataDirLockedError;
}

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: "string" }, host: { type: "string" } },
    strict: true,
  });
  const env = { ...process.env };
  if (values.port) env.FORCELINK_PORT = values.port;
  if (values.host) env.FORCELINK_HOST = values.host;
  const config = parseConfig(env);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
    process.stderr.write(
      `Port ${config.port} is in use (is another Forcelink running?). Stop it, or set FORCELINK_PORT or --port.\n`,
    );
    return 1;
  }
  console.log(
    `Forcelink ${server.platform.database.kind === "pglite" ? `(embedded storage in ${config.dataDir})` : "(PostgreSQL)"} listening on ${server.url}`,
  );
  console.log(`  API: ${server.url}/v1   OpenAPI: ${server.url}/v1/openapi.json`);
  if (server.firstKey) {
    console.log("");
    console.log(`Created the Default project. Its API key (shown once, keep it):`);
    console.log(`  ${server.firstKey.key}`);
  }
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await server.close();
  return 0;
}
