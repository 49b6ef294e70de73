import { parseConfig } from "../config/config.ts";
import { startServer } from "../server.ts";
import type { CommandInput } from "./command-line.ts";
import { announceServer } from "./local-server.ts";
import { reportWaiting, stopSignal } from "./stop-signal.ts";

export async function serveCommand(input: CommandInput): Promise<number> {
  const env = { ...process.env };
  const port = input.string("port");
  const host = input.string("host");
  if (port) env.FORCELINK_PORT = port;
  if (host) env.FORCELINK_HOST = host;
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
  const withdraw = await announceServer(server, config);
  console.log(
    `Forcelink ${server.platform.database.kind === "pglite" ? `(embedded storage in ${config.dataDir})` : "(PostgreSQL)"} listening on ${server.url}`,
  );
  console.log(`  API: ${server.url}/v1   OpenAPI: ${server.url}/v1/openapi.json`);
  if (server.firstKey) {
    console.log("");
    console.log(`Created the Default project. Its API key (shown once, keep it):`);
    console.log(`  ${server.firstKey.key}`);
  }
  await stopSignal();
  withdraw();
  await server.close({ onWait: reportWaiting });
  return 0;
}
