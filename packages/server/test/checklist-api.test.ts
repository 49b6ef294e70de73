import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { DEMO } from "@forcelink/emulator";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckResult, Verdict } from "../src/checklist/evaluate.ts";
import { VERDICT_WORDS } from "../src/checklist/verdict-words.ts";
import { CHECK_IDS, type CheckId } from "../src/remedies/checks.ts";
import { connections, projects } from "../src/store/schema.ts";
import { connectThroughPages, sessionStatus } from "./support/connect-pages.ts";
import { type Harness, startHarness } from "./support/harness.ts";

/** What the demo app's client-credentials user (the org's System Administrator) is asked for. */
const REQUIREMENTS = { objects: [{ name: "Account", access: ["read", "write"], fields: ["Industry"] }] };
const ADMIN_PROFILE = "System Administrator";
const ACCOUNT_ALL = ["Read", "Create", "Edit", "Delete", "ViewAllRecords", "ViewAllFields"] as const;

/** A healthy org: everything passes but IP relaxation, which Salesforce keeps out of the API. */
const HEALTHY = {
  ...(Object.fromEntries(CHECK_IDS.map((id) => [id, "pass"])) as Record<CheckId, Verdict>),
  "ip-relaxation": "unknown",
};

interface RunBody {
  id: string;
  connectionId: string;
  ranAt: string;
  passed: boolean;
  summary: Record<Verdict, number>;
  checks: CheckResult[];
  apiCalls: { api: number; oauth: number };
}

const verdicts = (run: RunBody) => Object.fromEntries(run.checks.map((c) => [c.id, c.verdict]));
const check = (run: RunBody, id: CheckId) => run.checks.find((c) => c.id === id)!;

/** The admin bypasses object permissions through Modify/View All Data: take those away first. */
function breakAccountAccess(h: Harness) {
  h.admin.setSystemPermissions(ADMIN_PROFILE, { ModifyAllData: false, ViewAllData: false });
  h.admin.setObjectPermissions(ADMIN_PROFILE, "Account", []);
}
function restoreAccountAccess(h: Harness) {
  h.admin.setObjectPermissions(ADMIN_PROFILE, "Account", [...ACCOUNT_ALL]);
  h.admin.setSystemPermissions(ADMIN_PROFILE, { ModifyAllData: true, ViewAllData: true });
}

async function connect(h: Harness, endUserId: string): Promise<string> {
  const app = await h.demoProviderApp({
    // Must match the app's name in the org, or the installation check can only answer unknown.
    name: DEMO.app.name,
    clientCredentials: { enabled: true },
    requirements: REQUIREMENTS,
  });
  const res = await h.api("/v1/connections", {
    method: "POST",
    body: { flow: "client_credentials", providerAppId: app.id, endUserId, myDomain: "forcelink-demo" },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe("checklist API", () => {
  let h: Harness;
  let id: string;
  const run = async (connectionId = id) => {
    const res = await h.api(`/v1/connections/${connectionId}/checklist`, { method: "POST" });
    return { status: res.status, body: (await res.json()) as RunBody };
  };

  beforeAll(async () => {
    h = await startHarness();
    id = await connect(h, "checklist-user");
  });
  afterAll(async () => {
    await h?.close();
  });

  it("answers 404 with a remedy before the first run", async () => {
    const res = await h.api(`/v1/connections/${id}/checklist`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; remedy: string } };
    expect(body.error.code).toBe("not_found");
    expect(body.error.remedy).toContain(`POST /v1/connections/${id}/checklist`);
  });

  it("passes a healthy org, stores the run and shows it as the latest", async () => {
    const { status, body } = await run();
    expect(status).toBe(200);
    expect(body.id).toMatch(/^chk_/);
    expect(body.connectionId).toBe(id);
    expect(verdicts(body)).toEqual(HEALTHY);
    expect(body.passed).toBe(true);
    expect(body.summary).toEqual({ pass: CHECK_IDS.length - 1, fail: 0, warn: 0, unknown: 1 });
    expect(body.apiCalls.api).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toMatch(/token"\s*:/i);
    const latest = await h.api(`/v1/connections/${id}/checklist`);
    expect(latest.status).toBe(200);
    expect(await latest.json()).toEqual(body);
  });

  it("fails object access with its remedy when the user cannot read Account; GET shows that run", async () => {
    breakAccountAccess(h);
    try {
      const { status, body } = await run();
      expect(status).toBe(200);
      expect(verdicts(body)).toEqual({ ...HEALTHY, "object-access": "fail" });
      expect(body.passed).toBe(false);
      expect(body.summary.fail).toBe(1);
      const failing = check(body, "object-access");
      expect(failing.evidence).toMatchObject({ missing: { Account: expect.arrayContaining(["Read"]) } });
      expect(failing.remedy).toContain("Account: tick Read, Create, Edit, Delete.");
      const latest = (await (await h.api(`/v1/connections/${id}/checklist`)).json()) as RunBody;
      expect(latest.id).toBe(body.id);
      expect(latest.passed).toBe(false);
    } finally {
      restoreAccountAccess(h);
    }
    expect((await run()).body.passed).toBe(true);
  });

  it("fails field editability when a written field is read-only", async () => {
    h.admin.setFieldPermissions(ADMIN_PROFILE, "Account.Industry", "read");
    try {
      const { body } = await run();
      expect(verdicts(body)).toEqual({ ...HEALTHY, "field-editable": "fail" });
      expect(body.passed).toBe(false);
      expect(check(body, "field-editable").remedy).toContain(
        "Under Field Permissions tick Edit Access for: Account.Industry.",
      );
    } finally {
      h.admin.setFieldPermissions(ADMIN_PROFILE, "Account.Industry", "edit");
    }
  });

  it("answers 404 for an unknown connection and for another project's connection", async () => {
    for (const method of ["GET", "POST"]) {
      const res = await h.api("/v1/connections/conn_nope/checklist", { method });
      expect(res.status).toBe(404);
    }
    const db = h.server.platform.db;
    const [row] = await db.select().from(connections).where(eq(connections.id, id));
    await db.insert(projects).values({ id: "proj_other", name: "Other" });
    await db.insert(connections).values({ ...row, id: "conn_other", projectId: "proj_other" });
    for (const method of ["GET", "POST"]) {
      const res = await h.api("/v1/connections/conn_other/checklist", { method });
      expect(res.status).toBe(404);
    }
  });

  it("answers 409 with the remedy when the connection needs re-auth", async () => {
    const other = await connect(h, "reauth-user");
    await h.server.platform.db
      .update(connections)
      .set({
        status: "needs_reauth",
        reauth: { error: "invalid_grant", description: "expired access/refresh token", at: Date.now() },
      })
      .where(eq(connections.id, other));
    const res = await h.api(`/v1/connections/${other}/checklist`, { method: "POST" });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string; remedy: string } };
    expect(body.error.code).toBe("connection_needs_reauth");
    expect(body.error.remedy).toContain("/v1/connect-sessions");
  });
});

describe("forcelink doctor", () => {
  let h: Harness;
  let id: string;
  let env: Record<string, string>;
  // Async: the emulator answers from this process, so a synchronous spawn would wait forever.
  const doctor = (args: string[], extra: Record<string, string> = {}) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [new URL("../src/cli/main.ts", import.meta.url).pathname, "doctor", ...args],
        { env: { ...process.env, ...env, ...extra } },
      );
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => {
        out += d;
      });
      child.stderr.on("data", (d) => {
        err += d;
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, out, err }));
    });

  beforeAll(async () => {
    h = await startHarness();
    id = await connect(h, "doctor-user");
    // Embedded storage is locked by the server: stop it, keep the emulator.
    await h.server.close();
    env = {
      FORCELINK_DATA_DIR: h.dataDir,
      FORCELINK_LOG_LEVEL: "silent",
      FORCELINK_SALESFORCE_LOGIN_URL: h.emulator.urls.login,
      FORCELINK_SALESFORCE_SANDBOX_URL: h.emulator.urls.test,
      FORCELINK_SALESFORCE_MYDOMAIN_URL: h.emulator.urls.myDomain,
    };
  });
  afterAll(async () => {
    await h?.emulator.close();
    if (h) rmSync(h.dataDir, { recursive: true, force: true });
  });

  it("exits 1 on a broken org, naming the failing check and its remedy", async () => {
    breakAccountAccess(h);
    try {
      const r = await doctor([id]);
      expect(r.err).toBe("");
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/FAIL\s+object-access/);
      expect(r.out).toContain("FAIL object-access:");
      expect(r.out).toContain("1 failed");
      expect(r.out).not.toMatch(/\d+ failed, 0 warnings/);
      expect(r.out).toContain("Account: tick Read, Create, Edit, Delete.");
      expect(r.out).not.toContain("\x1b["); // stdout is a pipe: no colours
    } finally {
      restoreAccountAccess(h);
    }
  });

  it("exits 0 on a healthy org; --json prints the run", async () => {
    const r = await doctor([id]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/PASS\s+object-access/);
    expect(r.out).toMatch(/UNKNOWN\s+ip-relaxation/);
    // One vocabulary with the connect page: every row's verdict is one of its words, in capitals.
    const words = Object.values(VERDICT_WORDS).map((w) => w.toUpperCase());
    const rows = r.out.split("\n").filter((l) => / {2}[a-z-]+ {2}/.test(l) && !l.startsWith("VERDICT"));
    expect(rows.length).toBe(CHECK_IDS.length);
    for (const row of rows) expect(words).toContain(row.split(/\s+/)[0]);
    expect(r.out).toMatch(/\d+ passed/);
    const json = await doctor([id, "--json"]);
    expect(json.code).toBe(0);
    const body = JSON.parse(json.out) as RunBody;
    expect(verdicts(body)).toEqual(HEALTHY);
    expect(body.passed).toBe(true);
  });

  it("exits 2 for a bad argument or an unknown connection", async () => {
    expect((await doctor([])).code).toBe(2);
    expect((await doctor([id, "--nope"])).code).toBe(2);
    const unknown = await doctor(["conn_nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("No connection with id 'conn_nope'");
  });
});

describe("a refresh the checklist triggers is refused", () => {
  let h: Harness;
  let providerAppId: string;
  beforeAll(async () => {
    h = await startHarness();
    providerAppId = (await h.demoProviderApp({ name: DEMO.app.name, requirements: REQUIREMENTS })).id;
  });
  afterAll(async () => {
    await h?.close();
  });

  const control = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${h.emulator.urls.login}/__emulator${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status, `${method} ${path}`).toBeLessThan(300);
  };
  let customers = 0;
  /** A browser-flow connection of the demo integration user, its session used once. */
  async function connectCustomer(): Promise<string> {
    const connected = await connectThroughPages(h, { providerAppId, endUserId: `refused-${++customers}` });
    expect(connected.result.status).toBe(200);
    const id = (await sessionStatus(h, connected.session.id)).connectionId!;
    expect((await h.api(`/v1/connections/${id}/checklist`, { method: "POST" })).status).toBe(200);
    return id;
  }
  /** Two runs in a row: both must be the 409 the README promises, with the reason and the check. */
  async function expectReauthTwice(id: string, checkId: string) {
    for (const attempt of [1, 2]) {
      const res = await h.api(`/v1/connections/${id}/checklist`, { method: "POST" });
      expect(res.status, `attempt ${attempt}`).toBe(409);
      const body = (await res.json()) as {
        error: { code: string; remedy: string; check?: { id: string; remedy: string[] }; details: { reauth: unknown } };
      };
      expect(body.error.code).toBe("connection_needs_reauth");
      expect(body.error.remedy).toContain("/v1/connect-sessions");
      expect(body.error.details.reauth).toMatchObject({ error: expect.any(String) });
      expect(body.error.check?.id, `attempt ${attempt}`).toBe(checkId);
    }
  }

  it("answers 409 with reauth and the check on the first call when the connected user was deactivated", async () => {
    const id = await connectCustomer();
    await control("PATCH", `/users/${DEMO.integration.username}`, { active: false });
    try {
      await control("POST", "/sessions/expire", {});
      await expectReauthTwice(id, "user-active");
    } finally {
      await control("PATCH", `/users/${DEMO.integration.username}`, { active: true });
    }
  });

  it("tells a grant an admin revoked from one the policy expired, and says so", async () => {
    const id = await connectCustomer();
    await control("POST", "/sessions/revoke", { username: DEMO.integration.username });
    await expectReauthTwice(id, "grant-revoked");
    const res = await h.api(`/v1/connections/${id}/checklist`, { method: "POST" });
    const { check } = ((await res.json()) as { error: { check: { reason: string; remedy: string[] } } }).error;
    expect(check.reason).toMatch(/valid until revoked, so this one was revoked/);
    expect(check.remedy.join(" ")).toMatch(/not to revoke the app's access/);
    expect(check.remedy.join(" ")).not.toMatch(/Refresh Token Policy/);
    // The connection's view and the proxy say the same as the checklist's 409.
    const view = (await (await h.api(`/v1/connections/${id}`)).json()) as { reauth: { check: { id: string } } };
    expect(view.reauth.check.id).toBe("grant-revoked");
    const proxied = await h.api(`/v1/connections/${id}/proxy/services/data/v67.0/limits`);
    expect(proxied.status).toBe(409);
    const proxiedError = ((await proxied.json()) as { error: { check: { id: string } } }).error;
    expect(proxiedError.check.id).toBe("grant-revoked");
  });

  it("answers 409 on the first call when an idle refresh-token policy expired the grant", async () => {
    await control("PATCH", `/apps/${DEMO.app.clientId}`, { refreshTokenPolicy: { type: "idle", seconds: 3600 } });
    try {
      const id = await connectCustomer();
      await control("POST", "/clock/advance", { seconds: 3 * 3600 });
      await expectReauthTwice(id, "refresh-token-policy");
      const res = await h.api(`/v1/connections/${id}/checklist`, { method: "POST" });
      const { check } = ((await res.json()) as { error: { check: { reason: string } } }).error;
      expect(check.reason).toMatch(/expired: the app's policy ends refresh tokens left unused for 1 hour\./);
    } finally {
      await control("PATCH", `/apps/${DEMO.app.clientId}`, { refreshTokenPolicy: { type: "until_revoked" } });
    }
  });
});
