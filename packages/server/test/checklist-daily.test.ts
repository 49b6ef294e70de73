import { DEMO } from "@forcelink/emulator";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { latestChecklistRun } from "../src/checklist/connection-checklist.ts";
import {
  CHECKLIST_DAILY_QUEUE,
  type ChecklistOutcome,
  checklistTransition,
  enqueueDailyChecklists,
  runDailyChecklists,
} from "../src/checklist/daily-checklist.ts";
import { parseConfig } from "../src/config/config.ts";
import { connections } from "../src/store/schema.ts";
import { type Harness, startHarness } from "./support/harness.ts";
import { registerWebhook, startReceiver } from "./support/receiver.ts";
import { sleep, waitFor } from "./support/wait.ts";

const pass: ChecklistOutcome = { passed: true, failing: [] };
const failing = (...ids: string[]): ChecklistOutcome => ({ passed: ids.length === 0, failing: ids });

describe("checklistTransition", () => {
  it.each<[string, ChecklistOutcome | null, ChecklistOutcome, boolean, string[]]>([
    ["pass → pass", pass, pass, false, []],
    ["pass → fail", pass, failing("field-editable"), true, ["field-editable"]],
    ["fail → same fail", failing("field-editable"), failing("field-editable"), false, []],
    ["fail → pass", failing("field-editable"), pass, false, []],
    ["fail → one more check fails", failing("a"), failing("a", "b"), true, ["b"]],
    ["fail → another check fails instead", failing("a"), failing("b"), true, ["b"]],
    ["fail → fewer checks fail", failing("a", "b"), failing("a"), false, []],
    ["no run before → pass", null, pass, false, []],
    ["no run before → fail", null, failing("a"), true, ["a"]],
  ])("%s", (_name, previous, current, notify, newlyFailing) => {
    expect(checklistTransition(previous, current)).toEqual({ notify, newlyFailing });
  });
});

describe("FORCELINK_CHECKLIST_CRON", () => {
  it("defaults to 03:00 every day and can be changed", () => {
    expect(parseConfig({}).checklistCron).toBe("0 3 * * *");
    expect(parseConfig({ FORCELINK_CHECKLIST_CRON: "30 4 * * 1-5" }).checklistCron).toBe("30 4 * * 1-5");
  });
});

const ADMIN_PROFILE = "System Administrator";
const REQUIREMENTS = { objects: [{ name: "Account", access: ["read", "write"], fields: ["Industry"] }] };

describe("daily checklist", () => {
  let h: Harness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let id: string;
  let reauthId: string;
  const failed = () => receiver.ofType("connection.checklist_failed", id);

  const connect = async (endUserId: string, providerAppId: string) => {
    const res = await h.api("/v1/connections", {
      method: "POST",
      body: { flow: "client_credentials", providerAppId, endUserId, myDomain: "forcelink-demo" },
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  const resultFor = async (connectionId = id) => {
    const results = await runDailyChecklists(h.server.platform);
    return results.find((r) => r.connectionId === connectionId);
  };

  beforeAll(async () => {
    h = await startHarness();
    receiver = await startReceiver();
    await registerWebhook(h, receiver.url);
    const app = await h.demoProviderApp({
      name: DEMO.app.name,
      clientCredentials: { enabled: true },
      requirements: REQUIREMENTS,
    });
    id = await connect("daily-user", app.id);
    reauthId = await connect("reauth-user", app.id);
    await h.server.platform.db
      .update(connections)
      .set({
        status: "needs_reauth",
        reauth: { error: "invalid_grant", description: "expired access/refresh token", at: Date.now() },
      })
      .where(eq(connections.id, reauthId));
  });
  afterAll(async () => {
    await receiver?.close();
    await h?.close();
  });

  it("registers the daily schedule at the configured hour", async () => {
    const schedules = await h.server.platform.boss.getSchedules(CHECKLIST_DAILY_QUEUE);
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatchObject({ name: CHECKLIST_DAILY_QUEUE, cron: "0 3 * * *", timezone: "UTC" });
  });

  it("runs a passing org without a word, and leaves connections needing re-auth out", async () => {
    const results = await runDailyChecklists(h.server.platform);
    expect(results.find((r) => r.connectionId === id)).toMatchObject({ status: "ran", passed: true, notified: false });
    expect(results.some((r) => r.connectionId === reauthId)).toBe(false);
  });

  it("announces a pass turning into a failure once, with the failing check", async () => {
    h.admin.setFieldPermissions(ADMIN_PROFILE, "Account.Industry", "read");
    try {
      const first = await resultFor();
      expect(first).toMatchObject({ status: "ran", passed: false, notified: true });
      const [event] = await waitFor(() => failed().length > 0 && failed(), "connection.checklist_failed");
      const runId = first?.status === "ran" ? first.runId : "";
      expect(event.data).toMatchObject({
        connectionId: id,
        endUserId: "daily-user",
        runId,
        failing: [{ id: "field-editable", title: expect.any(String), new: true }],
      });
      expect((event.data.failing as unknown[]).length).toBe(1);
      expect(JSON.stringify(event)).not.toMatch(/token"\s*:|secret/i);

      // Still failing the next day: nothing new.
      expect(await resultFor()).toMatchObject({ status: "ran", passed: false, notified: false });
      await sleep(1500);
      expect(failed()).toHaveLength(1);
    } finally {
      h.admin.setFieldPermissions(ADMIN_PROFILE, "Account.Industry", "edit");
    }
    // Fixed: the run passes and nothing is sent.
    expect(await resultFor()).toMatchObject({ status: "ran", passed: true, notified: false });
    await sleep(1500);
    expect(failed()).toHaveLength(1);
  });

  it("announces the same check again when it fails after having recovered", async () => {
    h.admin.setFieldPermissions(ADMIN_PROFILE, "Account.Industry", "read");
    try {
      expect(await resultFor()).toMatchObject({ status: "ran", passed: false, notified: true });
      await waitFor(() => failed().length === 2, "a second connection.checklist_failed");
    } finally {
      h.admin.setFieldPermissions(ADMIN_PROFILE, "Account.Industry", "edit");
    }
    expect(await resultFor()).toMatchObject({ status: "ran", passed: true });
  });

  it("runs through the queue: the sweep queues one job per active connection", async () => {
    const platform = h.server.platform;
    const before = await latestChecklistRun(platform, h.server.firstKey!.projectId, id);
    expect(await enqueueDailyChecklists(platform)).toBe(1);
    await waitFor(async () => {
      const latest = await latestChecklistRun(platform, h.server.firstKey!.projectId, id);
      return latest && latest.id !== before?.id;
    }, "a checklist run from the queue");
  });
});
