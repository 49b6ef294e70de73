import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoOrg, startDemoOrg } from "../src/testing/index.ts";

/**
 * Permission set groups: access granted only through a group works in SOQL, REST and Bulk; the
 * group's aggregate permission set reads as Salesforce exposes it; a muting permission set takes
 * away what the group's permission sets grant.
 */
const USER = "grouped@forcelink-demo.example";
let t: DemoOrg;

async function control(path: string, method: string, body?: unknown) {
  const res = await t.control(path, { method, body });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? {} : res.json()) as Promise<Record<string, unknown>>;
}

async function query(soql: string) {
  const res = await t.api(USER, `/query?q=${encodeURIComponent(soql)}`);
  return { status: res.status, body: (await res.json()) as { records?: Array<Record<string, unknown>> } & unknown[] };
}

beforeAll(async () => {
  t = await startDemoOrg({ generate: { Account: 3 } });
  await control("/users", "POST", {
    username: USER,
    password: "grouped-password-1",
    profile: "Minimum Access - API Only Integrations",
  });
  await control("/permission-sets", "POST", {
    name: "Account_Editors",
    objects: { Account: ["Read", "Create", "Edit"] },
    fields: { "Account.External_Id__c": "edit", "Account.Tier__c": "edit" },
  });
  await control("/permission-set-groups", "POST", {
    name: "Sales_Ops",
    label: "Sales Ops",
    permissionSets: ["Account_Editors"],
  });
});
afterAll(async () => {
  await t?.close();
});

describe("permission set groups", () => {
  it("grants nothing until the group is assigned", async () => {
    const { status, body } = await query("SELECT Id FROM Account");
    expect(status).toBe(400);
    expect((body as unknown as Array<{ errorCode: string }>)[0]!.errorCode).toBe("INVALID_TYPE");
  });

  it("grants access through the group alone, in SOQL, REST and Bulk", async () => {
    await control(`/users/${USER}`, "PATCH", { addPermissionSetGroups: ["Sales_Ops"] });
    expect((await query("SELECT Id FROM Account")).body.records).toHaveLength(3);
    const created = await t.api(USER, "/sobjects/Account", {
      method: "POST",
      body: { Name: "Through A Group", External_Id__c: "G-1" },
    });
    expect(created.status).toBe(201);

    const job = (await (
      await t.api(USER, "/jobs/ingest", { method: "POST", body: { object: "Account", operation: "insert" } })
    ).json()) as { id: string };
    const upload = await t.api(USER, `/jobs/ingest/${job.id}/batches`, {
      method: "PUT",
      body: "Name,Tier__c\nBulk Grouped,Gold\n",
      headers: { "content-type": "text/csv" },
    });
    expect(upload.status).toBe(201);
    await t.api(USER, `/jobs/ingest/${job.id}`, { method: "PATCH", body: { state: "UploadComplete" } });
    let state = "";
    for (let i = 0; i < 100 && state !== "JobComplete" && state !== "Failed"; i++) {
      state = ((await (await t.api(USER, `/jobs/ingest/${job.id}`)).json()) as { state: string }).state;
      if (state !== "JobComplete") await new Promise((r) => setTimeout(r, 20));
    }
    expect(state).toBe("JobComplete");
    const rows = await query("SELECT Tier__c FROM Account WHERE Name = 'Bulk Grouped'");
    expect(rows.body.records).toEqual([expect.objectContaining({ Tier__c: "Gold" })]);
  });

  it("reads as Salesforce exposes it: an assignment of the group's aggregate permission set of Type Group", async () => {
    const admin = (soql: string) =>
      t.api("admin@forcelink-demo.example", `/query?q=${encodeURIComponent(soql)}`).then((r) => r.json()) as Promise<{
        records: Array<Record<string, unknown>>;
      }>;
    const user = (await admin(`SELECT Id FROM User WHERE Username = '${USER}'`)).records[0]!;
    const assigned = await admin(
      `SELECT PermissionSetId, PermissionSetGroupId, PermissionSet.Type FROM PermissionSetAssignment WHERE AssigneeId = '${user.Id}' AND PermissionSet.Type = 'Group'`,
    );
    expect(assigned.records).toHaveLength(1);
    const group = (await admin("SELECT Id, DeveloperName, MasterLabel FROM PermissionSetGroup")).records[0]!;
    expect(group).toMatchObject({ DeveloperName: "Sales_Ops", MasterLabel: "Sales Ops" });
    expect(assigned.records[0]!.PermissionSetGroupId).toBe(group.Id);
    const perms = await admin(
      `SELECT SobjectType, PermissionsRead, PermissionsEdit FROM ObjectPermissions WHERE ParentId = '${assigned.records[0]!.PermissionSetId}'`,
    );
    expect(perms.records).toEqual([
      expect.objectContaining({ SobjectType: "Account", PermissionsRead: true, PermissionsEdit: true }),
    ]);
    const components = await admin(
      `SELECT PermissionSetId FROM PermissionSetGroupComponent WHERE PermissionSetGroupId = '${group.Id}'`,
    );
    expect(components.records).toHaveLength(1);
  });

  it("takes away what a muting permission set mutes: Edit on the object, then editing one field", async () => {
    const view = await control("/permission-set-groups/Sales_Ops", "PATCH", {
      muting: { name: "Mute_Account_Edit", objects: { Account: ["Edit"] } },
    });
    expect(view).toMatchObject({ permissionSets: ["Account_Editors"], mutingPermissionSet: "Mute_Account_Edit" });
    const id = (await query("SELECT Id FROM Account WHERE Name = 'Through A Group'")).body.records![0]!.Id as string;
    const update = await t.api(USER, `/sobjects/Account/${id}`, { method: "PATCH", body: { Name: "Renamed" } });
    expect(update.status).toBe(400);
    expect(((await update.json()) as Array<{ errorCode: string }>)[0]!.errorCode).toBe(
      "INSUFFICIENT_ACCESS_OR_READONLY",
    );
    expect((await query("SELECT Id FROM Account")).body.records!.length).toBeGreaterThan(0);

    await control("/permissions/Mute_Account_Edit", "PATCH", { objects: { Account: [] } });
    await control("/permissions/Mute_Account_Edit", "PATCH", { fields: { "Account.Tier__c": "edit" } });
    const describe = (await (await t.api(USER, "/sobjects/Account/describe")).json()) as {
      fields: Array<{ name: string; updateable: boolean }>;
    };
    expect(describe.fields.find((f) => f.name === "Tier__c")?.updateable).toBe(false);
    expect(describe.fields.find((f) => f.name === "External_Id__c")?.updateable).toBe(true);
    const renamed = await t.api(USER, `/sobjects/Account/${id}`, { method: "PATCH", body: { Name: "Renamed" } });
    expect(renamed.status).toBe(204);
  });

  it("refuses what a group cannot hold, with the reason", async () => {
    const res = await t.control("/permission-set-groups", {
      method: "POST",
      body: { name: "Bad", permissionSets: ["Standard User"] },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("a group holds permission sets");
  });
});
