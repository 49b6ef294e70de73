import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCsvRecords } from "@forcelink/salesforce";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.ts";

/**
 * `forcelink write` as a person runs it: the real command line in a child process, on the store a
 * stopped server left, against the emulated org.
 */

const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;

let h: Harness;
let env: Record<string, string>;
let dir: string;
/** A client-credentials connection (as the org's admin) with nothing installed. */
let connectionId: string;
/** Another, with an integration installed that declares its writes strictly: Leads only. */
let strictId: string;

function forcelink(args: string[]) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "write", ...args], { env: { ...process.env, ...env } });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function connect(endUserId: string, providerAppId: string): Promise<string> {
  const res = await h.api("/v1/connections", {
    method: "POST",
    body: { flow: "client_credentials", providerAppId, endUserId, myDomain: "forcelink-demo" },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** The org's live rows of an object, as the emulator holds them. */
function orgRows(object: string): Record<string, unknown>[] {
  return [...h.org.store.tableOrThrow(object).live()] as Record<string, unknown>[];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "forcelink-cli-write-"));
  h = await startHarness();
  const app = await h.demoProviderApp({ clientCredentials: { enabled: true } });
  connectionId = await connect("write-cli", app.id);
  strictId = await connect("write-cli-strict", app.id);
  const manifest =
    "name: lead-only\nwrites:\n  strict: true\n  objects:\n    - name: Lead\n      operations: [insert]\n      fields: [LastName, Company]\n";
  const uploaded = await h.api("/v1/integrations", {
    method: "POST",
    body: manifest,
    headers: { "content-type": "application/yaml" },
  });
  expect(uploaded.status).toBe(201);
  const installed = await h.api(`/v1/connections/${strictId}/integrations`, {
    method: "POST",
    body: { integration: "lead-only", startNow: false },
  });
  expect(installed.status).toBe(201);
  // Embedded storage is locked by the server: stop it, keep the emulator.
  await h.server.close();
  env = {
    FORCELINK_DATA_DIR: h.dataDir,
    FORCELINK_LOG_LEVEL: "silent",
    FORCELINK_SALESFORCE_LOGIN_URL: h.emulator.urls.login,
    FORCELINK_SALESFORCE_SANDBOX_URL: h.emulator.urls.test,
    FORCELINK_SALESFORCE_MYDOMAIN_URL: h.emulator.urls.myDomain,
  };
}, 180_000);

afterAll(async () => {
  await h?.emulator.close();
  if (h) rmSync(h.dataDir, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Each run is a Node process opening the embedded store: slow on a busy machine.
describe("forcelink write", { timeout: 150_000 }, () => {
  it("upserts a CSV: a summary, and the one bad row in FILE.failed.csv with its error", async () => {
    const input = file(
      "accounts.csv",
      'Name,External_Id__c,Industry\nAcme CLI,CLI-1,Banking\n,CLI-2,Retail\n"Gamma, Ltd",CLI-3,#N/A\n',
    );
    const r = await forcelink([
      connectionId,
      "Account",
      input,
      "--operation",
      "upsert",
      "--external-id",
      "External_Id__c",
    ]);
    expect(r.code, r.err).toBe(1);
    expect(r.out).toContain("COMPLETED upsert of 3 Account records: 2 succeeded, 1 failed, 0 unknown");
    expect(r.out).toMatch(/through collections, 1 API call \(write \S+\)/);
    const failedPath = join(dir, "accounts.failed.csv");
    expect(r.out).toContain(`1 row not written: ${failedPath}`);
    // Not a terminal: plain progress lines, the last one complete.
    expect(r.err).toContain("100%  3 / 3 records  2 ok  1 failed");

    const failed = await readCsvRecords([readFileSync(failedPath, "utf8")]);
    expect(Object.keys(failed[0])).toEqual([
      "External_Id__c",
      "Industry",
      "error_code",
      "error_message",
      "error_fields",
    ]);
    expect(failed).toEqual([
      {
        External_Id__c: "CLI-2",
        Industry: "Retail",
        error_code: "REQUIRED_FIELD_MISSING",
        error_message: expect.stringContaining("Name"),
        error_fields: "Name",
      },
    ]);
    const byExternalId = new Map(orgRows("Account").map((a) => [a.External_Id__c, a]));
    expect(byExternalId.get("CLI-1")).toMatchObject({ Name: "Acme CLI", Industry: "Banking" });
    expect(byExternalId.get("CLI-3")).toMatchObject({ Name: "Gamma, Ltd" });
    expect(byExternalId.get("CLI-3")?.Industry ?? null).toBeNull();
    expect(byExternalId.has("CLI-2")).toBe(false);
  });

  it("inserts NDJSON, a parent by its external id included, and prints the write as JSON", async () => {
    const input = file(
      "contacts.ndjson",
      '{"LastName": "Ndjson One", "Email": "one@example.com"}\n\n{"LastName": "Ndjson Two", "Account": {"External_Id__c": "CLI-1"}}\n',
    );
    const r = await forcelink([connectionId, "Contact", input, "--operation", "insert", "--json"]);
    expect(r.code, r.err).toBe(0);
    const view = JSON.parse(r.out) as { status: string; counts: Record<string, number>; failedRows?: string };
    expect(view).toMatchObject({ status: "completed", counts: { total: 2, succeeded: 2, failed: 0, unknown: 0 } });
    expect(view.failedRows).toBeUndefined();
    expect(existsSync(join(dir, "contacts.failed.csv"))).toBe(false);
    const acme = orgRows("Account").find((a) => a.External_Id__c === "CLI-1")!;
    const contacts = new Map(orgRows("Contact").map((c) => [c.LastName, c]));
    expect(contacts.get("Ndjson One")).toMatchObject({ Email: "one@example.com" });
    expect(contacts.get("Ndjson Two")).toMatchObject({ AccountId: acme.Id });
  });

  it.each([
    ["a missing file", ["Account", "nowhere.csv", "--operation", "insert"], "No file '"],
    [
      "an unknown operation",
      ["Account", "x.csv", "--operation", "merge"],
      "--operation takes insert, update, upsert or delete; got 'merge'.",
    ],
    ["no operation", ["Account", "x.csv"], "Name the operation: --operation"],
    ["an unknown option", ["Account", "x.csv", "--operation", "insert", "--batch", "5"], "Unknown option '--batch'."],
    ["a file of no known format", ["Account", "x.txt", "--operation", "insert"], "Cannot tell the format of"],
    ["an upsert without its external id", ["Account", "x.csv", "--operation", "upsert"], "external_id_required"],
  ])("exits 2 with one clear message for %s", async (_label, args, says) => {
    file("x.csv", "Name\nOne\n");
    const r = await forcelink([connectionId, ...args.map((a) => (a.endsWith(".csv") ? join(dir, a) : a))]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(says);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.out).toBe("");
  });

  it("exits 2 naming the row of a ragged CSV, and writes nothing", async () => {
    const before = orgRows("Account").length;
    const ragged = file("ragged.csv", "Name,External_Id__c\nOne,R-1\nTwo,R-2,extra\n");
    const r = await forcelink([
      connectionId,
      "Account",
      ragged,
      "--operation",
      "upsert",
      "--external-id",
      "External_Id__c",
    ]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain("invalid_csv");
    expect(r.err).toMatch(/Row 3/);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(orgRows("Account").length).toBe(before);
  });

  it("exits 2 for an unknown connection", async () => {
    const input = file("one.csv", "Name\nOne\n");
    const r = await forcelink(["conn_nope", "Account", input, "--operation", "insert"]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain("No connection with id 'conn_nope'");
  });

  it("exits 2 with the manifest's refusal for a write a strict integration does not declare", async () => {
    const input = file("leads.csv", "LastName,Company,Phone\nLee,Acme,555\n");
    const r = await forcelink([strictId, "Lead", input, "--operation", "insert"]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain("write_not_declared");
    expect(r.err).toContain("'lead-only'");
    expect(r.err).toContain("it declares no field Phone on Lead");
    expect(orgRows("Lead").some((l) => l.LastName === "Lee")).toBe(false);
  });
});
