import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ChannelSelectionFailed,
  fixedToken,
  InstancePools,
  listChannelMembers,
  type MemberStep,
  releaseChannelMembers,
  SalesforceApiError,
  SalesforceClient,
  selectChannelMembers,
} from "../src/index.ts";
import { connectUser, type DemoOrg, startDemoOrg, USERS } from "./support/demo-org.ts";

let demo: DemoOrg;
let pools: InstancePools;
let admin: SalesforceClient;
let integration: SalesforceClient;

beforeAll(async () => {
  demo = await startDemoOrg();
  pools = new InstancePools();
  const client = async (user: { username: string; password: string }) => {
    const t = await connectUser(demo, user);
    return new SalesforceClient({
      tokens: fixedToken({ accessToken: t.accessToken, instanceUrl: t.instanceUrl }),
      pools,
      sleep: async () => {},
    });
  };
  admin = await client(USERS.admin);
  integration = await client(USERS.integration);
});
afterAll(async () => {
  await pools.close();
  await demo?.close();
});
beforeEach(async () => {
  for (const m of await listChannelMembers(admin)) {
    await admin.request({
      method: "DELETE",
      path: `${admin.dataPath}/tooling/sobjects/PlatformEventChannelMember/${m.id}`,
    });
  }
});

const selected = async () => (await listChannelMembers(admin)).map((m) => m.selectedEntity).sort();

describe("channel members", () => {
  it("creates members step by step, recording each step, and the org's change events follow", async () => {
    const recorded: MemberStep[] = [];
    const steps = await selectChannelMembers(admin, ["AccountChangeEvent", "Invoice__ChangeEvent"], {
      onStep: (s) => void recorded.push(s),
    });
    expect(steps.map((s) => [s.selectedEntity, s.outcome])).toEqual([
      ["AccountChangeEvent", "created"],
      ["Invoice__ChangeEvent", "created"],
    ]);
    expect(recorded).toEqual(steps);
    expect(await selected()).toEqual(["AccountChangeEvent", "Invoice__ChangeEvent"]);
  });

  it("adopts a member that is already there instead of duplicating it, and releases only its own", async () => {
    const [theirs] = await selectChannelMembers(admin, ["AccountChangeEvent"]);
    const steps = await selectChannelMembers(admin, ["AccountChangeEvent", "ContactChangeEvent"]);
    expect(steps).toEqual([
      { selectedEntity: "AccountChangeEvent", memberId: theirs.memberId, outcome: "adopted" },
      { selectedEntity: "ContactChangeEvent", memberId: expect.any(String), outcome: "created" },
    ]);
    expect(await selected()).toEqual(["AccountChangeEvent", "ContactChangeEvent"]);
    await releaseChannelMembers(admin, steps);
    expect(await selected()).toEqual(["AccountChangeEvent"]);
    // Released twice (a retried uninstall): a member already gone counts as deleted.
    await releaseChannelMembers(admin, steps);
  });

  it("never duplicates a member when two installs select the same entity at once", async () => {
    const [a, b] = await Promise.all([
      selectChannelMembers(admin, ["AccountChangeEvent"]),
      selectChannelMembers(admin, ["AccountChangeEvent"]),
    ]);
    expect([a[0].outcome, b[0].outcome].sort()).toEqual(["adopted", "created"]);
    expect(a[0].memberId).toBe(b[0].memberId);
    expect(await selected()).toEqual(["AccountChangeEvent"]);
  });

  it("rolls back what it created when a later step fails", async () => {
    await selectChannelMembers(admin, ["AccountChangeEvent"]);
    const recorded: MemberStep[] = [];
    const failure = await selectChannelMembers(
      admin,
      ["AccountChangeEvent", "OpportunityChangeEvent", "CaseChangeEvent", "Nothing__ChangeEvent"],
      { onStep: (s) => void recorded.push(s) },
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ChannelSelectionFailed);
    const f = failure as ChannelSelectionFailed;
    expect(f.cause).toBeInstanceOf(SalesforceApiError);
    expect((f.cause as SalesforceApiError).code).toBe("FIELD_INTEGRITY_EXCEPTION");
    expect(f.rolledBack.map((s) => s.selectedEntity)).toEqual(["CaseChangeEvent", "OpportunityChangeEvent"]);
    expect(f.leftBehind).toEqual([]);
    expect(recorded.map((s) => s.outcome)).toEqual(["adopted", "created", "created"]);
    // The adopted member stays; the created ones are gone.
    expect(await selected()).toEqual(["AccountChangeEvent"]);
  });

  it("rolls back when the org's allocation is used up", async () => {
    await demo.emulator.control.updateOrg({ cdcEntityAllocation: 2 });
    try {
      const failure = await selectChannelMembers(admin, [
        "AccountChangeEvent",
        "ContactChangeEvent",
        "LeadChangeEvent",
      ]).catch((e: unknown) => e);
      expect((failure as ChannelSelectionFailed).cause).toMatchObject({ code: "LIMIT_EXCEEDED" });
      expect(await selected()).toEqual([]);
    } finally {
      await demo.emulator.control.updateOrg({ cdcEntityAllocation: 5 });
    }
  });

  it("fails without creating anything for a user who may not customize the org", async () => {
    const failure = await selectChannelMembers(integration, ["AccountChangeEvent"]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ChannelSelectionFailed);
    expect((failure as ChannelSelectionFailed).cause).toMatchObject({ status: 403 });
    expect(await selected()).toEqual([]);
  });
});
