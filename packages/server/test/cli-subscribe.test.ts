import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO } from "@forcelink/emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.ts";
import { waitFor } from "./support/wait.ts";

/**
 * `forcelink subscribe` as a person runs it: the real command line in a child process, on the
 * store a stopped server left, against the emulated org serving the Pub/Sub API over TLS with its
 * own certificate (trusted through FORCELINK_SALESFORCE_PUBSUB_CA_FILE).
 */

const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;

let h: Harness;
let env: Record<string, string>;
let dir: string;
/** A client-credentials connection as the org's admin (View All Data). */
let adminId: string;
/** One as the integration user: a Standard User, without View All on Account. */
let restrictedId: string;

interface Run {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  done: Promise<number | null>;
}

/** Every child started, killed after each test so a failed test leaves no process holding the store. */
const runs: ChildProcess[] = [];

function forcelink(args: string[]): Run {
  const child = spawn(process.execPath, [CLI, "subscribe", ...args], { env: { ...process.env, ...env } });
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
  runs.push(child);
  const done = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code));
  });
  return { child, out: () => out, err: () => err, done };
}

/** The exit status, or a failure showing what the command printed when it does not exit. */
async function exitOf(run: Run, ms = 60_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms:\n${run.out()}\n${run.err()}`)), ms);
  });
  try {
    return await Promise.race([run.done, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts a subscription and waits until its stream is open (positioned at LATEST). */
async function listening(args: string[]): Promise<Run> {
  const run = forcelink(args);
  await Promise.race([
    waitFor(() => run.err().includes("Listening"), "the stream to open", 90_000).catch((e: Error) => {
      throw new Error(`${e.message}:\n${run.err()}`);
    }),
    run.done.then((code) => {
      throw new Error(`exited ${code} before listening:\n${run.err()}`);
    }),
  ]);
  return run;
}

/** REST as the org's admin: the writes whose change events the command prints. */
async function rest(method: string, path: string, body?: unknown): Promise<Response> {
  const user = h.org.userByUsername(DEMO.admin.username)!;
  const token = h.org.sessions.openSession(user.Id, null, ["api"], null).accessToken;
  return fetch(`${h.emulator.urls.myDomain}/services/data/v67.0${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Selects an entity for Change Data Capture through the Tooling API as the admin (not by the command). */
async function selectByAdmin(entity: string): Promise<void> {
  if (members(entity).length > 0) return;
  const selected = await rest("POST", "/tooling/sobjects/PlatformEventChannelMember", {
    FullName: `ChangeEvents_${entity}`,
    Metadata: { eventChannel: "ChangeEvents", selectedEntity: entity },
  });
  expect(selected.status, await selected.clone().text()).toBe(201);
}

function members(entity: string): Record<string, unknown>[] {
  return [...h.org.store.tableOrThrow("PlatformEventChannelMember").live()].filter(
    (r) => r.SelectedEntity === entity,
  ) as Record<string, unknown>[];
}

async function connect(endUserId: string, providerAppId: string): Promise<string> {
  const res = await h.api("/v1/connections", {
    method: "POST",
    body: { flow: "client_credentials", providerAppId, endUserId, myDomain: "forcelink-demo" },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "forcelink-cli-subscribe-"));
  h = await startHarness({ pubsub: { keepaliveSeconds: 1 } });
  const app = await h.demoProviderApp({ clientCredentials: { enabled: true } });
  adminId = await connect("subscribe-admin", app.id);
  h.admin.updateApp(h.appId, { clientCredentialsUser: DEMO.integration.username });
  restrictedId = await connect("subscribe-restricted", app.id);
  h.admin.updateApp(h.appId, { clientCredentialsUser: DEMO.admin.username });
  // Embedded storage is locked by the server: stop it, keep the emulator.
  await h.server.close();
  const pubsub = h.emulator.pubsub!;
  const caFile = join(dir, "emulator-ca.pem");
  writeFileSync(caFile, pubsub.certificate!);
  env = {
    FORCELINK_DATA_DIR: h.dataDir,
    FORCELINK_LOG_LEVEL: "silent",
    FORCELINK_SALESFORCE_LOGIN_URL: h.emulator.urls.login,
    FORCELINK_SALESFORCE_SANDBOX_URL: h.emulator.urls.test,
    FORCELINK_SALESFORCE_MYDOMAIN_URL: h.emulator.urls.myDomain,
    FORCELINK_SALESFORCE_PUBSUB_ENDPOINT: pubsub.endpoint,
    FORCELINK_SALESFORCE_PUBSUB_CA_FILE: caFile,
  };
}, 180_000);

afterEach(() => {
  for (const child of runs.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

afterAll(async () => {
  await h?.emulator.close();
  if (h) rmSync(h.dataDir, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Each run is a Node process opening the embedded store: slow on a busy machine.
describe("forcelink subscribe", { timeout: 150_000 }, () => {
  it("prints a line per change made through REST, stops after --limit, and releases the entity it selected", async () => {
    expect(members("AccountChangeEvent")).toEqual([]);
    const run = await listening([adminId, "account", "--limit", "2"]);
    expect(run.err()).toContain("Selected AccountChangeEvent for Change Data Capture");
    expect(members("AccountChangeEvent")).toHaveLength(1);
    const created = await rest("POST", "/sobjects/Account", { Name: "Tail One", Industry: "Banking" });
    const { id } = (await created.json()) as { id: string };
    expect((await rest("PATCH", `/sobjects/Account/${id}`, { Name: "Tail Two", Phone: "555-0100" })).status).toBe(204);
    expect(await exitOf(run), run.err()).toBe(0);

    const lines = run.out().trim().split("\n");
    expect(lines).toHaveLength(2);
    const [create, update] = lines.map((l) => l.split("  "));
    expect(create[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(create.slice(1, 3)).toEqual(["CREATE", id]);
    expect(create[3].split(", ")).toEqual(expect.arrayContaining(["Name", "Industry"]));
    expect(update.slice(1, 3)).toEqual(["UPDATE", id]);
    expect(update[3].split(", ").sort()).toEqual(["LastModifiedDate", "Name", "Phone"].sort());
    expect(run.err()).toMatch(/2 events\. Resume with --replay [0-9a-f]+/);
    expect(run.err()).toContain("Released AccountChangeEvent from Change Data Capture.");
    expect(members("AccountChangeEvent")).toEqual([]);
  });

  it("an object the org does not have is a usage error naming it", async () => {
    const run = forcelink([adminId, "Nope__c"]);
    expect(await exitOf(run)).toBe(2);
    expect(run.err()).toContain("has no object 'Nope__c'");
    expect(members("Nope__ChangeEvent")).toEqual([]);
  });

  it("a malformed replay id is a usage error; one Salesforce refuses is explained with the fix", async () => {
    const malformed = forcelink([adminId, "Account", "--replay", "yesterday"]);
    expect(await exitOf(malformed)).toBe(2);
    expect(malformed.err()).toContain("--replay takes latest, earliest or a replay id");

    const refused = forcelink([adminId, "Account", "--replay", "00ffffffffffffff"]);
    expect(await exitOf(refused), refused.err()).toBe(2);
    expect(refused.err()).toContain("Salesforce refused the replay id 00ffffffffffffff");
    expect(refused.err()).toContain("--replay earliest");
    expect(members("AccountChangeEvent")).toEqual([]);
  });

  it("--json prints header and payload; SIGTERM stops with the replay id that resumes after the last event printed", async () => {
    // Selected by the admin, so it stays selected between runs and a change made in between has its event.
    await selectByAdmin("AccountChangeEvent");
    const run = await listening([adminId, "Account", "--json"]);
    const created = await rest("POST", "/sobjects/Account", { Name: "Json One" });
    const { id } = (await created.json()) as { id: string };
    await waitFor(() => run.out().includes("\n"), "the event printed").catch((e: Error) => {
      throw new Error(`${e.message}:\n${run.err()}`);
    });
    run.child.kill("SIGTERM");
    expect(await exitOf(run), run.err()).toBe(0);
    const event = JSON.parse(run.out().trim()) as {
      replayId: string;
      header: { changeType: string; recordIds: string[]; entityName: string; changedFields: string[] };
      payload: Record<string, unknown>;
    };
    expect(event.header).toMatchObject({ changeType: "CREATE", recordIds: [id], entityName: "Account" });
    expect(event.payload.Name).toBe("Json One");
    expect(event.payload).not.toHaveProperty("ChangeEventHeader");
    const resume = /Resume with --replay ([0-9a-f]+)/.exec(run.err())?.[1];
    expect(resume).toBeDefined();

    // A change made while nobody listened arrives when resuming, and the one printed does not again.
    expect((await rest("PATCH", `/sobjects/Account/${id}`, { Industry: "Retail" })).status).toBe(204);
    const again = forcelink([adminId, "Account", "--replay", resume!, "--limit", "1"]);
    expect(await exitOf(again), again.err()).toBe(0);
    expect(again.err()).not.toContain("Selected AccountChangeEvent");
    const [line] = again.out().trim().split("\n");
    const fields = line.split("  ");
    expect(fields.slice(1, 3)).toEqual(["UPDATE", id]);
    expect(fields[3].split(", ").sort()).toEqual(["Industry", "LastModifiedDate"]);
  });

  it("a user without View All on the object gets the check that explains it", async () => {
    // Selected beforehand by the admin: the command adopts the member and leaves it selected.
    await selectByAdmin("AccountChangeEvent");
    const run = forcelink([restrictedId, "Account"]);
    expect(await exitOf(run), run.err()).toBe(3);
    expect(run.err()).toContain("View All Records on Account");
    expect(run.err()).toContain("check:  subscription-permissions");
    expect(run.err()).not.toContain("Selected AccountChangeEvent");
    expect(members("AccountChangeEvent")).toHaveLength(1);
  });
});
