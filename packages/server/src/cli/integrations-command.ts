import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { parseConfig } from "../config/config.ts";
import { scheduleInstallation } from "../integrations/installation-schedule.ts";
import {
  findIntegration,
  installIntegration,
  integrationView,
  listIntegrations,
  saveIntegration,
} from "../integrations/integration-store.ts";
import { parseManifest } from "../integrations/manifest/manifest.ts";
import { createLogger } from "../log/logger.ts";
import { openPlatform } from "../platform/open-platform.ts";
import type { Platform } from "../platform/platform.ts";
import { connections, projects } from "../store/schema.ts";

const USAGE = `Usage:
  forcelink integrations upload FILE [--project ID]     check a manifest (YAML or JSON) and save it
  forcelink integrations check FILE                     only check it: every problem with its line and column
  forcelink integrations list [--project ID] [--json]
  forcelink integrations install CONNECTION_ID NAME     install it on a connection (its syncs follow their crons)`;

/**
 * `forcelink integrations …`: manifests from the command line (embedded storage: while the server
 * is stopped). Exit 1 when a manifest has problems, 2 for a bad argument.
 */
export async function integrationsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { project: { type: "string" }, json: { type: "boolean" } },
    allowPositionals: true,
    strict: true,
  });
  if (sub === "check" || sub === "upload") {
    if (positionals.length !== 1) return usage();
    let text: string;
    try {
      text = readFileSync(positionals[0], "utf8");
    } catch (e) {
      process.stderr.write(`Cannot read ${positionals[0]}: ${(e as Error).message}\n`);
      return 2;
    }
    const parsed = parseManifest(text);
    if (!parsed.ok) {
      for (const e of parsed.errors)
        process.stderr.write(`${positionals[0]}:${e.line ?? 1}:${e.column ?? 1}: ${e.message}\n`);
      return 1;
    }
    if (sub === "check") {
      console.log(`${positionals[0]}: the manifest '${parsed.manifest.name}' is valid.`);
      return 0;
    }
    return withPlatform(async (platform) => {
      const projectId = await projectIdOf(platform, values.project);
      if (!projectId) return 2;
      const saved = await saveIntegration(platform, projectId, parsed.manifest);
      console.log(`${saved.created ? "Created" : "Updated"} integration ${saved.row.name} (${saved.row.id}).`);
      for (const [name, secret] of Object.entries(saved.newSecrets))
        console.log(`Signing secret of webhook destination '${name}' (shown once): ${secret}`);
      return 0;
    });
  }
  if (sub === "list") {
    return withPlatform(async (platform) => {
      const projectId = await projectIdOf(platform, values.project);
      if (!projectId) return 2;
      const rows = (await listIntegrations(platform, projectId)).map(integrationView);
      if (values.json) console.log(JSON.stringify(rows, null, 2));
      else for (const r of rows) console.log(`${r.id}  ${r.name}  updated ${r.updatedAt}`);
      return 0;
    });
  }
  if (sub === "install") {
    if (positionals.length !== 2) return usage();
    const [connectionId, name] = positionals;
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
      const { row: inst, created } = await installIntegration(platform, conn.projectId, row.id, conn.id);
      await scheduleInstallation(platform, inst.id);
      console.log(
        `${created ? "Installed" : "Already installed:"} ${row.name} on ${conn.id} (installation ${inst.id}).`,
      );
      return 0;
    });
  }
  return usage();
}

function usage(): number {
  process.stderr.write(`${USAGE}\n`);
  return 2;
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
