import { readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { parseConfig } from "../config/config.ts";
import { installOnConnection } from "../install-integration.ts";
import {
  findIntegration,
  integrationView,
  listIntegrations,
  saveIntegration,
} from "../integrations/integration-store.ts";
import { type Manifest, parseManifest } from "../integrations/manifest/manifest.ts";
import { createLogger } from "../log/logger.ts";
import { openPlatform } from "../platform/open-platform.ts";
import type { Platform } from "../platform/platform.ts";
import { connections, projects } from "../store/schema.ts";
import type { CommandInput } from "./command-line.ts";
import { reachableServer } from "./local-server.ts";

/**
 * `forcelink integrations …`: manifests from the command line, through the API of a running server
 * when there is one, else in the store. Exit 1 when a manifest has problems, 2 for a bad argument.
 */
export async function integrationsCheckCommand(input: CommandInput): Promise<number> {
  const checked = checkManifestFile(input.positionals[0]);
  if (typeof checked === "number") return checked;
  console.log(`${input.positionals[0]}: the manifest '${checked.name}' is valid.`);
  return 0;
}

export async function integrationsUploadCommand(input: CommandInput): Promise<number> {
  const checked = checkManifestFile(input.positionals[0]);
  if (typeof checked === "number") return checked;
  const server = reachableServer();
  if (server)
    return (await import("./through-api.ts")).integrationsUploadThroughApi(
      server,
      input,
      checked,
      readFileSync(input.positionals[0], "utf8"),
    );
  return withPlatform(async (platform) => {
    const projectId = await projectIdOf(platform, input.string("project"));
    if (!projectId) return 2;
    const saved = await saveIntegration(platform, projectId, checked);
    console.log(`${saved.created ? "Created" : "Updated"} integration ${saved.row.name} (${saved.row.id}).`);
    for (const [name, secret] of Object.entries(saved.newSecrets))
      console.log(`Signing secret of webhook destination '${name}' (shown once): ${secret}`);
    return 0;
  });
}

export async function integrationsListCommand(input: CommandInput): Promise<number> {
  const server = reachableServer();
  if (server) return (await import("./through-api.ts")).integrationsListThroughApi(server, input);
  return withPlatform(async (platform) => {
    const projectId = await projectIdOf(platform, input.string("project"));
    if (!projectId) return 2;
    const rows = (await listIntegrations(platform, projectId)).map(integrationView);
    if (input.flag("json")) console.log(JSON.stringify(rows, null, 2));
    else for (const r of rows) console.log(`${r.id}  ${r.name}  updated ${r.updatedAt}`);
    return 0;
  });
}

export async function integrationsInstallCommand(input: CommandInput): Promise<number> {
  const server = reachableServer();
  if (server) return (await import("./through-api.ts")).integrationsInstallThroughApi(server, input);
  const [connectionId, name] = input.positionals;
  return withPlatform(async (platform) => {
    const [conn] = await platform.db.select().from(connections).where(eq(connections.id, connectionId));
    if (!conn) {
      process.stderr.write(`No connection with id '${connectionId}'. List them with 'forcelink connections list'.\n`);
      return 2;
    }
    const row = await findIntegration(platform, conn.projectId, name);
    if (!row) {
      process.stderr.write(`The connection's project has no integration '${name}'. Upload it first.\n`);
      return 2;
    }
    const { row: inst, created } = await installOnConnection(platform, row, conn, false);
    console.log(`${created ? "Installed" : "Already installed:"} ${row.name} on ${conn.id} (installation ${inst.id}).`);
    return 0;
  });
}

/** The manifest in a file, or the exit status after printing why there is none. */
function checkManifestFile(path: string): Manifest | number {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    process.stderr.write(`Cannot read ${path}: ${(e as Error).message}\n`);
    return 2;
  }
  const parsed = parseManifest(text);
  if (parsed.ok) return parsed.manifest;
  for (const e of parsed.errors) process.stderr.write(`${path}:${e.line ?? 1}:${e.column ?? 1}: ${e.message}\n`);
  return 1;
}

async function withPlatform(work: (platform: Platform) => Promise<number>): Promise<number> {
  const platform = await openPlatform(parseConfig(), createLogger("warn"));
  try {
    return await work(platform);
  } finally {
    await platform.close();
  }
}

/** The project named, or the only one there is. */
async function projectIdOf(platform: Platform, wanted: string | undefined): Promise<string | null> {
  const rows = await platform.db.select().from(projects);
  if (wanted) {
    if (rows.some((p) => p.id === wanted)) return wanted;
    process.stderr.write(`No project with id '${wanted}'.\n`);
    return null;
  }
  if (rows.length === 1) return rows[0].id;
  process.stderr.write(`There are ${rows.length} projects: name one with --project ID.\n`);
  return null;
}
