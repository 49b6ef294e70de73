/**
 * Generates the Node SDK's API types (packages/node/src/api-types.ts) from the OpenAPI document the
 * server serves. Run `npm run sdk:types` after changing a route's schema; the test
 * `node-sdk-types.test.ts` fails while the committed file differs from what this produces.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import { parseConfig } from "../src/config/config.ts";
import { createLogger } from "../src/log/logger.ts";
import { startServer } from "../src/server.ts";

export const SDK_TYPES_FILE = resolve(dirname(fileURLToPath(import.meta.url)), "../../node/src/api-types.ts");

const HEADER = `/**
 * The Forcelink API's types, generated from its OpenAPI document by
 * packages/server/scripts/node-sdk-types.ts (npm run sdk:types). Do not edit by hand.
 */
`;

/** The TypeScript of a document: its paths, operations and webhooks. */
export async function typesFromDocument(document: Record<string, unknown>): Promise<string> {
  // The servers and version name the running instance, not the API's shape.
  const { servers: _servers, info: _info, ...shape } = document;
  const ast = await openapiTS({ ...shape, info: { title: "Forcelink API", version: "" } } as never, {
    alphabetize: true,
  });
  return `${HEADER}${astToString(ast)}`;
}

/** The document of a server started on a throwaway data directory, without listening. */
export async function currentDocument(): Promise<Record<string, unknown>> {
  const dataDir = await mkdtemp(join(tmpdir(), "forcelink-openapi-"));
  try {
    const config = parseConfig({ FORCELINK_DATA_DIR: dataDir, FORCELINK_PORT: "0", FORCELINK_LOG_LEVEL: "silent" });
    const server = await startServer(config, { listen: false, logger: createLogger("silent") });
    try {
      return server.app.swagger() as unknown as Record<string, unknown>;
    } finally {
      await server.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await writeFile(SDK_TYPES_FILE, await typesFromDocument(await currentDocument()));
  console.log(`wrote ${SDK_TYPES_FILE}`);
}
