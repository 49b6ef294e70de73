import {
  type ChecklistRun,
  type Connection,
  type ConnectionFilter,
  Forcelink,
  ForcelinkError,
  ForcelinkTransportError,
} from "@forcelink/node";
import type { ConnectionChecklistRun } from "../checklist/connection-checklist.ts";
import { HttpError } from "../http/http-error.ts";
import type { Manifest } from "../integrations/manifest/manifest.ts";
import type { CheckPointer } from "../remedies/problem.ts";
import type { SyncProgress } from "../sync/run-object-sync.ts";
import { type CommandInput, EXIT } from "./command-line.ts";
import { printConnections, printSyncRun } from "./command-output.ts";
import { renderFailure } from "./failure-report.ts";
import type { ReachableServer } from "./local-server.ts";

/**
 * The commands that read or change server state, through a running server's API (@forcelink/node)
 * instead of the store it holds. Same output and exit statuses as when they open the store.
 */

type Client = { projectId: string; api: Forcelink };

/** Runs a command's work against the server, reporting the API's refusals as the command line does. */
export async function viaServer(command: string, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    return reportApiFailure(command, error);
  }
}

function clients(server: ReachableServer, project?: string): Client[] {
  return [...server.keys]
    .filter(([projectId]) => !project || projectId === "" || projectId === project)
    .map(([projectId, apiKey]) => ({ projectId, api: new Forcelink({ baseUrl: server.url, apiKey }) }));
}

/** The client of the project that has the connection, or null (the command says so, exit 2). */
async function clientWithConnection(server: ReachableServer, connectionId: string): Promise<Client | null> {
  for (const client of clients(server)) {
    try {
      await client.api.connections.get(connectionId);
      return client;
    } catch (e) {
      if (!(e instanceof ForcelinkError && e.status === 404)) throw e;
    }
  }
  process.stderr.write(`No connection with id '${connectionId}'. List them with 'forcelink connections list'.\n`);
  return null;
}

/** A refusal of the API as the command line reports failures: its explanation, and who must act. */
export function reportApiFailure(command: string, error: unknown): number {
  if (error instanceof ForcelinkTransportError) {
    process.stderr.write(`forcelink ${command}: ${error.message}\n`);
    return EXIT.unreachable;
  }
  if (!(error instanceof ForcelinkError)) throw error;
  const explained = new HttpError(error.status, error.code, error.message, {
    remedy: error.remedy,
    check: error.check as CheckPointer | undefined,
  });
  process.stderr.write(`${renderFailure(command, explained)}\n`);
  if (error.status === 401) return EXIT.usage;
  if (error.status >= 500 || error.status === 409) return EXIT.unreachable;
  return EXIT.usage;
}

export function doctorThroughApi(server: ReachableServer, input: CommandInput): Promise<number> {
  return viaServer("doctor", () => doctorApi(server, input));
}

async function doctorApi(server: ReachableServer, input: CommandInput): Promise<number> {
  const [connectionId] = input.positionals;
  const client = await clientWithConnection(server, connectionId);
  if (!client) return EXIT.usage;
  const run: ChecklistRun = await client.api.connections.runChecklist(connectionId);
  if (input.flag("json")) console.log(JSON.stringify(run, null, 2));
  else {
    const { renderRun } = await import("./doctor-command.ts");
    console.log(renderRun(run as ConnectionChecklistRun, process.stdout.isTTY === true && !process.env.NO_COLOR));
  }
  return run.passed ? EXIT.ok : EXIT.failed;
}

export function connectionsListThroughApi(server: ReachableServer, input: CommandInput): Promise<number> {
  return viaServer("connections list", () => connectionsListApi(server, input));
}

async function connectionsListApi(server: ReachableServer, input: CommandInput): Promise<number> {
  const filter = { endUserId: input.string("end-user"), status: input.string("status") as ConnectionFilter["status"] };
  const rows: Array<Connection & { projectId?: string }> = [];
  for (const client of clients(server, input.string("project")))
    for (const c of await client.api.connections.list({ ...filter, limit: 500 }))
      rows.push({ ...c, ...(client.projectId ? { projectId: client.projectId } : {}) });
  rows.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  printConnections(rows, input.flag("json"));
  return EXIT.ok;
}

/** Queues a run (or follows the one already queued or running) and follows it to its end. */
export function syncThroughApi(server: ReachableServer, input: CommandInput): Promise<number> {
  return viaServer("sync", () => syncApi(server, input));
}

async function syncApi(server: ReachableServer, input: CommandInput): Promise<number> {
  const [connectionId, object] = input.positionals;
  const client = await clientWithConnection(server, connectionId);
  if (!client) return EXIT.usage;
  let requested: Awaited<ReturnType<Forcelink["syncs"]["run"]>>;
  try {
    requested = await client.api.syncs.run(connectionId, object);
  } catch (e) {
    if (!(e instanceof ForcelinkError && e.code === "object_not_synced")) throw e;
    process.stderr.write(
      `No integration installed on ${connectionId} syncs '${object}'. Install one whose manifest lists it (forcelink integrations install).\n`,
    );
    return EXIT.usage;
  }
  const bar = (await import("./sync-command.ts")).progressBar(process.stderr);
  let run = requested.run;
  while (run.status === "queued" || run.status === "running") {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const runs = await client.api.syncs.runs(connectionId, { object: requested.object, limit: 20 });
    run = runs.find((r) => r.id === run.id) ?? run;
    bar.update({ ...run.counts, expected: null, mode: run.mode as SyncProgress["mode"] });
  }
  bar.done();
  printSyncRun(run, input.flag("json"));
  return run.status === "completed" ? EXIT.ok : EXIT.failed;
}

/** The one client of the project named, or of the only project; null after saying why not. */
function projectClient(server: ReachableServer, wanted: string | undefined): Client | null {
  const found = clients(server, wanted);
  if (found.length === 1) return found[0];
  process.stderr.write(
    found.length === 0
      ? `No project with id '${wanted}'.\n`
      : `There are ${found.length} projects: name one with --project ID.\n`,
  );
  return null;
}

export function integrationsUploadThroughApi(
  server: ReachableServer,
  input: CommandInput,
  manifest: Manifest,
  text: string,
): Promise<number> {
  return viaServer("integrations upload", () => uploadApi(server, input, manifest, text));
}

async function uploadApi(server: ReachableServer, input: CommandInput, manifest: Manifest, text: string) {
  const client = projectClient(server, input.string("project"));
  if (!client) return EXIT.usage;
  const existed = await client.api.integrations.get(manifest.name).then(
    () => true,
    (e: unknown) => (e instanceof ForcelinkError && e.status === 404 ? false : Promise.reject(e)),
  );
  const saved = await client.api.integrations.upload(text);
  console.log(`${existed ? "Updated" : "Created"} integration ${saved.name} (${saved.id}).`);
  for (const [name, secret] of Object.entries(saved.webhookSecrets))
    console.log(`Signing secret of webhook destination '${name}' (shown once): ${secret}`);
  return EXIT.ok;
}

export function integrationsListThroughApi(server: ReachableServer, input: CommandInput): Promise<number> {
  return viaServer("integrations list", () => integrationsListApi(server, input));
}

async function integrationsListApi(server: ReachableServer, input: CommandInput): Promise<number> {
  const client = projectClient(server, input.string("project"));
  if (!client) return EXIT.usage;
  const rows = await client.api.integrations.list();
  if (input.flag("json")) console.log(JSON.stringify(rows, null, 2));
  else for (const r of rows) console.log(`${r.id}  ${r.name}  updated ${r.updatedAt}`);
  return EXIT.ok;
}

export function integrationsInstallThroughApi(server: ReachableServer, input: CommandInput): Promise<number> {
  return viaServer("integrations install", () => integrationsInstallApi(server, input));
}

async function integrationsInstallApi(server: ReachableServer, input: CommandInput): Promise<number> {
  const [connectionId, name] = input.positionals;
  const client = await clientWithConnection(server, connectionId);
  if (!client) return EXIT.usage;
  const before = await client.api.connections.installations(connectionId);
  let installed: Awaited<ReturnType<Forcelink["connections"]["install"]>>;
  try {
    installed = await client.api.connections.install(connectionId, { integration: name, startNow: false });
  } catch (e) {
    if (!(e instanceof ForcelinkError && e.status === 404)) throw e;
    process.stderr.write(`The connection's project has no integration '${name}'. Upload it first.\n`);
    return EXIT.usage;
  }
  const created = !before.some((i) => i.id === installed.id);
  console.log(
    `${created ? "Installed" : "Already installed:"} ${installed.integration} on ${connectionId} (installation ${installed.id}).`,
  );
  return EXIT.ok;
}
