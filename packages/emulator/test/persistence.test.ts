import { appendFileSync, existsSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/emulator.ts";
import { DEMO } from "../src/seed/demo-seed.ts";
import { Api } from "./bulk-harness.ts";
import {
  type Connection,
  connectDemoApp,
  readBack,
  SEED,
  tempDataDir,
  type Written,
  writeSome,
} from "./support/persist-fixture.ts";

const running: RunningEmulator[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(dataDir: string, extra: Parameters<typeof startEmulator>[0] = {}) {
  const warnings: string[] = [];
  const emulator = await startEmulator({ dataDir, port: 0, seed: SEED, warn: (l) => warnings.push(l), ...extra });
  running.push(emulator);
  return { emulator, warnings };
}

async function stop(emulator: RunningEmulator) {
  running.splice(running.indexOf(emulator), 1);
  await emulator.stop();
}

/** A saved org with records, jobs and an OAuth connection, stopped. */
async function savedOrg(): Promise<{ dir: string; connection: Connection; written: Written }> {
  const dir = tempDataDir();
  dirs.push(dir);
  const { emulator } = await start(dir);
  const connection = await connectDemoApp(emulator.urls.login);
  const written = await writeSome(new Api(emulator.urls.myDomain, connection.accessToken));
  await stop(emulator);
  return { dir, connection, written };
}

function expectIntact(seen: Awaited<ReturnType<typeof readBack>>, written: Written) {
  expect(seen.accountStatus).toBe(200);
  expect(seen.account).toMatchObject({ Name: "Kept Across Restarts", Industry: "Energy", NumberOfEmployees: 42 });
  expect(seen.binned).toEqual([expect.objectContaining({ Id: written.deletedId, IsDeleted: true })]);
  expect(seen.ingest).toMatchObject({ id: written.ingestJobId, state: "JobComplete", numberRecordsProcessed: 2 });
  expect(seen.ingestSuccesses).toEqual(["Bulk One", "Bulk Two"]);
  expect(seen.queryCsv).toBe(written.queryCsv);
  expect(seen.refreshStatus).toBe(200);
  expect(seen.withRenewed).toBe(200);
}

describe("an emulator with a data directory", () => {
  it("serves the same org after a stop: records, recycle bin, Bulk jobs, the session and the refresh token", async () => {
    const { dir, connection, written } = await savedOrg();
    const { emulator, warnings } = await start(dir, { seed: { org: { name: "Not Applied" } }, records: 5 });
    expect(emulator.restored).toMatchObject({ dataDir: dir });
    expect(emulator.org.organization().Name).toBe("Forcelink Demo Org");
    expect(emulator.org.store.tableOrThrow("Contact").size).toBe(0);
    expectIntact(await readBack(emulator.urls.myDomain, emulator.urls.login, connection, written), written);
    expect(warnings).toEqual([]);

    // Loaded orgs go on saving: a change after the restart survives the next one.
    const api = new Api(emulator.urls.myDomain, connection.accessToken);
    const later = (await api.send("POST", "/sobjects/Account", { Name: "After Restart" })).json().id;
    await stop(emulator);
    const { emulator: third } = await start(dir);
    const again = new Api(third.urls.myDomain, connection.accessToken);
    expect((await again.send("GET", `/sobjects/Account/${later}`)).json().Name).toBe("After Restart");
    // Ids go on from where they were: a new record sorts after every saved one.
    const newest = (await again.send("POST", "/sobjects/Account", { Name: "Newest" })).json().id as string;
    expect(newest > later).toBe(true);
  });

  it("keeps users, passwords, permissions, custom objects, validation rules, settings, the clock and the quota", async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const { emulator } = await start(dir);
    const control = emulator.control;
    await control.createObject({
      name: "Invoice__c",
      fields: [
        { name: "Amount__c", type: "currency" },
        { name: "Double__c", type: "double", formula: "Amount__c * 2" },
      ],
    });
    await control.createPermissionSet({ name: "Invoices", objects: { Invoice__c: ["Read", "Create"] } });
    await control.createPermissionSetGroup({ name: "Billing", permissionSets: ["Invoices"] });
    await control.createUser({
      username: "later@forcelink-demo.example",
      password: "later-password-1",
      profile: "Standard User",
      permissionSets: ["Invoices"],
    });
    await control.addValidationRule({
      object: "Account",
      name: "Needs_Site",
      condition: "ISBLANK(Description)",
      errorMessage: "Description is required",
    });
    await control.updateOrg({ sessionTimeoutSeconds: 3600 });
    await control.advanceClock(86_400);
    await control.setQuota({ limit: 5000, used: 1234 });
    const adminToken = emulator.org.sessions.openSession(
      emulator.org.userByUsername(DEMO.admin.username)!.Id,
      null,
      ["api"],
      null,
    ).accessToken;
    const admin = new Api(emulator.urls.myDomain, adminToken);
    const invoice = (await admin.send("POST", "/sobjects/Invoice__c", { Name: "INV-1", Amount__c: 21 })).json().id;
    await stop(emulator);

    const { emulator: back } = await start(dir);
    const api = new Api(back.urls.myDomain, adminToken);
    const read = (await api.send("GET", `/sobjects/Invoice__c/${invoice}`)).json();
    expect(read).toMatchObject({ Name: "INV-1", Amount__c: 21, Double__c: 42 });
    expect((await api.send("POST", "/sobjects/Account", { Name: "No Site" })).json()).toEqual([
      expect.objectContaining({ errorCode: "FIELD_CUSTOM_VALIDATION_EXCEPTION", message: "Description is required" }),
    ]);
    const login = await fetch(`${back.urls.login}/services/oauth2/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "password",
        client_id: DEMO.app.clientId,
        client_secret: DEMO.app.clientSecret,
        username: "later@forcelink-demo.example",
        password: "later-password-1",
      }),
    });
    expect(login.status).toBe(200);
    const later = new Api(back.urls.myDomain, ((await login.json()) as { access_token: string }).access_token);
    expect((await later.send("GET", `/sobjects/Invoice__c/${invoice}`)).status).toBe(200);
    expect((await back.control.clock()).offsetMs).toBe(86_400_000);
    const groups = await api.send(
      "GET",
      `/query?q=${encodeURIComponent("SELECT DeveloperName FROM PermissionSetGroup")}`,
    );
    expect(groups.json().records.map((r: { DeveloperName: string }) => r.DeveloperName)).toContain("Billing");
    expect((await back.control.org()).sessionTimeoutSeconds).toBe(3600);
    const quota = await back.control.quota();
    expect(quota.limit).toBe(5000);
    expect(quota.used).toBeGreaterThanOrEqual(1234);
  });

  it("--fresh discards the saved org and builds a new one from the seed", async () => {
    const { dir, connection, written } = await savedOrg();
    const { emulator } = await start(dir, { fresh: true, seed: { org: { name: "Brand New" } } });
    expect(emulator.restored).toBeUndefined();
    expect(emulator.org.organization().Name).toBe("Brand New");
    expect(emulator.org.store.tableOrThrow("Account").get(written.accountId)).toBeUndefined();
    expect(emulator.org.sessions.sessions.has(connection.accessToken)).toBe(false);
  });

  it("refuses a directory another running emulator holds", async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    await start(dir);
    await expect(startEmulator({ dataDir: dir, port: 0 })).rejects.toThrow(/in use by another emulator/);
  });

  it("takes over the lock a crashed emulator left, even one that had this process's pid", async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    // A dead process's pid, then this pid with another start time (a container restarted with the same pid).
    for (const stale of ["999999999 1", `${process.pid} 1`]) {
      writeFileSync(join(dir, "emulator.lock"), stale);
      const { emulator } = await start(dir);
      expect(readFileSync(join(dir, "emulator.lock"), "utf8")).not.toBe(stale);
      await stop(emulator);
      expect(existsSync(join(dir, "emulator.lock"))).toBe(false);
    }
  });

  it("starts a new org, with a warning, over the files of a first start that was cut short", async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    // A meta file and a journal, but the first snapshot never completed.
    writeFileSync(join(dir, "meta.json"), '{"format":1}');
    writeFileSync(join(dir, "journal-3.bin"), "left over");
    writeFileSync(join(dir, "snapshot.bin.tmp"), "half a snapshot");
    const { emulator, warnings } = await start(dir);
    expect(warnings.join("\n")).toMatch(/held an incomplete saved org .* starting a new one/);
    expect(emulator.restored).toBeUndefined();
    const id = (await emulator.control.insertRecords("Account", [{ Name: "New Org Record" }])).ids[0];
    await stop(emulator);
    expect(existsSync(join(dir, "journal-3.bin"))).toBe(false);
    const { emulator: back, warnings: none } = await start(dir);
    expect(none).toEqual([]);
    expect(back.restored?.records).toBe(back.org.store.allTables().reduce((n, t) => n + t.size, 0));
    expect(back.org.store.tableOrThrow("Account").get(id)?.Name).toBe("New Org Record");
  });

  it("says the saved org does not load, and what to do, when neither snapshot reads", async () => {
    const { dir } = await savedOrg();
    writeFileSync(join(dir, "snapshot.bin"), "not a snapshot");
    await expect(startEmulator({ dataDir: dir, port: 0, warn: () => {} })).rejects.toThrow(
      /no snapshot in .* loads; start a new org with --fresh/,
    );
    // The lock is released: --fresh can start at once.
    const { emulator } = await start(dir, { fresh: true });
    expect(emulator.restored).toBeUndefined();
  });

  it("names the directory when it cannot be used", async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    writeFileSync(join(dir, "a-file"), "");
    await expect(startEmulator({ dataDir: join(dir, "a-file", "org"), port: 0 })).rejects.toThrow(
      new RegExp(`cannot use ${join(dir, "a-file", "org")} as the emulator's data directory: ENOTDIR`),
    );
  });
});

describe("damaged state files", () => {
  it("a torn journal tail is detected and cut off: the state before it loads, and later writes are kept", async () => {
    const { dir, connection, written } = await savedOrg();
    const journal = join(dir, "journal-1.bin");
    // A frame announcing 1000 bytes of which only a few were written, as a crash mid-write leaves it.
    appendFileSync(journal, Buffer.concat([Buffer.from([0xe8, 0x03, 0, 0, 1, 2, 3, 4]), Buffer.from('{"rows":[')]));
    const { emulator, warnings } = await start(dir);
    expect(warnings.join("\n")).toMatch(/journal-1\.bin: a torn frame/);
    expectIntact(await readBack(emulator.urls.myDomain, emulator.urls.login, connection, written), written);
    const api = new Api(emulator.urls.myDomain, connection.accessToken);
    const later = (await api.send("POST", "/sobjects/Account", { Name: "Written After The Tear" })).json().id;
    await stop(emulator);

    const { emulator: back, warnings: none } = await start(dir);
    expect(none).toEqual([]);
    expect(
      (await new Api(back.urls.myDomain, connection.accessToken).send("GET", `/sobjects/Account/${later}`)).status,
    ).toBe(200);
  });

  it("a frame whose checksum fails stops the replay there: the flushes before it load", async () => {
    const { dir, connection, written } = await savedOrg();
    const { emulator } = await start(dir);
    const api = new Api(emulator.urls.myDomain, connection.accessToken);
    await api.send("POST", "/sobjects/Account", { Name: "In The Damaged Frame" });
    await stop(emulator);
    const journal = join(dir, "journal-1.bin");
    const bytes = readFileSync(journal);
    bytes[bytes.length - 2] ^= 0xff;
    writeFileSync(journal, bytes);

    const { emulator: back, warnings } = await start(dir);
    expect(warnings.join("\n")).toMatch(/journal-1\.bin: a frame at byte \d+ fails its checksum/);
    expectIntact(await readBack(back.urls.myDomain, back.urls.login, connection, written), written);
  });

  it("a torn snapshot write falls back to the previous snapshot and its journal, losing nothing", async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const { emulator } = await start(dir);
    const connection = await connectDemoApp(emulator.urls.login);
    // Enough rows that the journal outgrows the first snapshot and is folded into a second one.
    await emulator.control.generate("Account", 20_000);
    while (!existsSync(join(dir, "snapshot.prev.bin"))) await new Promise((r) => setTimeout(r, 100));
    const written = await writeSome(new Api(emulator.urls.myDomain, connection.accessToken));
    await stop(emulator);

    const snapshot = join(dir, "snapshot.bin");
    truncateSync(snapshot, Math.floor(statSync(snapshot).size / 2));
    const { emulator: back, warnings } = await start(dir);
    expect(warnings.join("\n")).toMatch(/snapshot\.bin is damaged: a torn frame.*loading the previous snapshot/);
    expect(back.org.store.tableOrThrow("Account").size).toBe(20_000 + 4);
    expectIntact(await readBack(back.urls.myDomain, back.urls.login, connection, written), written);
  });

  it("a meta file that does not read falls back to the previous one", async () => {
    const { dir, connection, written } = await savedOrg();
    // A second run rewrites the meta, so the previous one also knows the connection.
    await stop((await start(dir)).emulator);
    writeFileSync(join(dir, "meta.json"), '{"format":1,"organiz');
    const { emulator, warnings } = await start(dir);
    expect(warnings.join("\n")).toMatch(/meta\.json does not read/);
    const seen = await readBack(emulator.urls.myDomain, emulator.urls.login, connection, written);
    expect(seen.accountStatus).toBe(200);
    expect(seen.refreshStatus).toBe(200);
  });
});
