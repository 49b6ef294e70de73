import { z } from "zod";
import type { RequestContext } from "../http/context.ts";
import { ApiError } from "../http/errors.ts";
import { empty, json } from "../http/reply.ts";
import type { Router } from "../http/router.ts";
import { AdminError, OrgAdmin } from "../org/admin.ts";
import type { Org } from "../org/org.ts";
import { generateRecords } from "../seed/generator.ts";
import {
  addValidationRule,
  applyOrgPatch,
  applyPermissionChange,
  applyPermissionSetGroup,
  appView,
  assignGroups,
  changePermissionSetGroup,
  insertRawRecords,
  removeValidationRule,
  requireUser,
  settingsView,
} from "./apply.ts";
import { applyObjectSpec } from "./custom-schema.ts";
import { registerPubSubControlRoutes } from "./pubsub-routes.ts";
import {
  appPatchSpec,
  appSpec,
  faultSpec,
  objectSpec,
  orgPatchSpec,
  parseSpec,
  permissionChangeSpec,
  permissionSetGroupPatchSpec,
  permissionSetGroupSpec,
  permissionSetSpec,
  quotaSpec,
  SpecError,
  userPatchSpec,
  userSpec,
  validationRuleSpec,
} from "./specs.ts";

const control = { kind: "control", auth: "none" } as const;
export const CONTROL_PREFIX = "/__emulator";

export function adminIdOf(org: Org): string {
  return org.store.tableOrThrow("User").live().next().value?.Id ?? "";
}

/** Runs a control change, turning bad input into a 400 that says what to fix. */
async function change<T>(ctx: RequestContext, work: (admin: OrgAdmin) => T | Promise<T>) {
  try {
    return await work(new OrgAdmin(ctx.org));
  } catch (e) {
    if (e instanceof SpecError || e instanceof AdminError)
      throw new ApiError(400, "INVALID_CONTROL_REQUEST", e.message);
    throw e;
  }
}

export async function body<T extends z.ZodType>(ctx: RequestContext, spec: T, what: string): Promise<z.infer<T>> {
  const raw = (await ctx.text()).trim() === "" ? {} : await ctx.json();
  try {
    return parseSpec(spec, raw, what);
  } catch (e) {
    throw new ApiError(400, "INVALID_CONTROL_REQUEST", (e as Error).message);
  }
}

export function infoBody(org: Org) {
  return {
    baseUrl: org.loginUrl,
    loginUrl: org.urls.login,
    sandboxLoginUrl: org.urls.test,
    myDomainUrl: org.urls.myDomain,
    instanceUrl: org.urls.myDomain,
    organizationId: org.organizationId,
    isSandbox: org.isSandbox,
    myDomain: org.myDomain,
    apiVersion: "67.0",
    apps: [...org.apps.values()].map((a) => ({
      name: a.name,
      kind: a.kind,
      clientId: a.clientId,
      clientSecret: a.clientSecret,
      callbackUrls: a.callbackUrls,
      pkceRequired: a.pkceRequired,
      installed: a.installed,
    })),
    users: [...org.store.tableOrThrow("User").live()].map((u) => ({
      username: u.Username,
      password: org.passwords.get(u.Id) ?? null,
      profile: org.store.tableOrThrow("Profile").get(u.ProfileId as string)?.Name ?? null,
      active: u.IsActive,
      id: u.Id,
    })),
    control: `${org.urls.login}${CONTROL_PREFIX}`,
  };
}

function appByClientId(org: Org, clientId: string) {
  const app = org.appByClientId(clientId);
  if (!app)
    throw new ApiError(
      404,
      "NOT_FOUND",
      `no connected app with client id '${clientId}'; GET ${CONTROL_PREFIX}/apps lists them`,
    );
  return app;
}

/** A group as the control surface shows it: its permission sets and muting permission set, by name. */
function groupView(org: Org, name: string) {
  const wanted = name.toLowerCase();
  const group = [...org.store.tableOrThrow("PermissionSetGroup").live()].find(
    (g) => String(g.DeveloperName).toLowerCase() === wanted,
  );
  if (!group) throw new ApiError(404, "NOT_FOUND", `no permission set group named '${name}'`);
  const members = [...org.store.tableOrThrow("PermissionSetGroupComponent").live()]
    .filter((c) => c.PermissionSetGroupId === group.Id)
    .map((c) => org.store.find(c.PermissionSetId as string)?.record);
  return {
    id: group.Id,
    name: group.DeveloperName,
    label: group.MasterLabel,
    permissionSets: members.filter((m) => m?.Id.startsWith("0PS")).map((m) => m!.Name),
    mutingPermissionSet: members.find((m) => m?.Id.startsWith("0QM"))?.DeveloperName ?? null,
  };
}

export function registerControlRoutes(router: Router): void {
  const p = CONTROL_PREFIX;
  router.add("GET", `${p}/info`, control, (ctx) => json(infoBody(ctx.org)));

  router.add("GET", `${p}/org`, control, (ctx) => json(settingsView(ctx.org)));
  router.add("PATCH", `${p}/org`, control, async (ctx) => {
    const patch = await body(ctx, orgPatchSpec, "org settings");
    await change(ctx, () => applyOrgPatch(ctx.org, patch, adminIdOf(ctx.org)));
    return json(settingsView(ctx.org));
  });

  router.add("GET", `${p}/clock`, control, (ctx) =>
    json({ now: new Date(ctx.org.clock.now()).toISOString(), offsetMs: ctx.org.clock.offset }),
  );
  router.add("POST", `${p}/clock/advance`, control, async (ctx) => {
    const { seconds } = await body(ctx, z.object({ seconds: z.number().positive() }).strict(), "clock advance");
    ctx.org.clock.advance(seconds * 1000);
    return json({ now: new Date(ctx.org.clock.now()).toISOString(), offsetMs: ctx.org.clock.offset });
  });

  router.add("POST", `${p}/sessions/expire`, control, async (ctx) => {
    const { username } = await body(ctx, z.object({ username: z.string().optional() }).strict(), "session expiry");
    const userId = username ? (await change(ctx, () => requireUser(ctx.org, username))).Id : undefined;
    return json({ expired: ctx.org.sessions.expireAll((s) => !userId || s.userId === userId) });
  });
  router.add("POST", `${p}/sessions/revoke`, control, async (ctx) => {
    const spec = z.object({ username: z.string().optional(), clientId: z.string().optional() }).strict();
    const { username, clientId } = await body(ctx, spec, "token revocation");
    const userId = username ? (await change(ctx, () => requireUser(ctx.org, username))).Id : undefined;
    const appId = clientId ? appByClientId(ctx.org, clientId).id : undefined;
    const revokedGrants = ctx.org.sessions.revokeAllFor(
      (g) => (!userId || g.userId === userId) && (!appId || g.appId === appId),
    );
    let revokedSessions = 0;
    for (const s of ctx.org.sessions.sessions.values()) {
      if (!s.revoked && (!userId || s.userId === userId) && (!appId || s.appId === appId)) {
        s.revoked = true;
        revokedSessions++;
      }
    }
    return json({ revokedGrants, revokedSessions });
  });

  router.add("GET", `${p}/quota`, control, (ctx) =>
    json({ limit: ctx.org.apiUsage.limit, used: ctx.org.apiUsage.used() }),
  );
  router.add("PUT", `${p}/quota`, control, async (ctx) => {
    const q = await body(ctx, quotaSpec, "quota");
    if (q.limit !== undefined) ctx.org.apiUsage.limit = q.limit;
    if (q.used !== undefined) ctx.org.apiUsage.setUsed(q.used);
    return json({ limit: ctx.org.apiUsage.limit, used: ctx.org.apiUsage.used() });
  });

  router.add("GET", `${p}/faults`, control, (ctx) => json(ctx.org.faults.settings));
  router.add("PUT", `${p}/faults`, control, async (ctx) =>
    json(ctx.org.faults.configure(await body(ctx, faultSpec, "faults"))),
  );
  router.add("DELETE", `${p}/faults`, control, (ctx) => {
    ctx.org.faults.reset();
    return json(ctx.org.faults.settings);
  });

  router.add("GET", `${p}/counters`, control, (ctx) => json(ctx.org.counters.snapshot()));
  router.add("DELETE", `${p}/counters`, control, (ctx) => {
    ctx.org.counters.reset();
    return empty(204);
  });

  router.add("GET", `${p}/users`, control, (ctx) => json(infoBody(ctx.org).users));
  router.add("POST", `${p}/users`, control, async (ctx) => {
    const spec = await body(ctx, userSpec, "user");
    const user = await change(ctx, (admin) => {
      const created = admin.user(spec);
      assignGroups(admin, created.Id, spec.permissionSetGroups);
      return created;
    });
    return json({ id: user.Id, username: user.Username }, 201);
  });
  router.add("PATCH", `${p}/users/:username`, control, async (ctx) => {
    const patch = await body(ctx, userPatchSpec, "user change");
    await change(ctx, (admin) => {
      const user = requireUser(ctx.org, ctx.params.username);
      if (patch.active !== undefined) admin.setUserActive(user.Id, patch.active);
      if (patch.password) ctx.org.passwords.set(user.Id, patch.password);
      if (patch.profile) admin.changeProfile(user.Id, patch.profile);
      for (const name of patch.addPermissionSets ?? []) admin.assign(user.Id, admin.require("PermissionSet", name).Id);
      for (const name of patch.removePermissionSets ?? [])
        admin.unassign(user.Id, admin.require("PermissionSet", name).Id);
      assignGroups(admin, user.Id, patch.addPermissionSetGroups, patch.removePermissionSetGroups);
    });
    const user = await change(ctx, () => requireUser(ctx.org, ctx.params.username));
    return json(infoBody(ctx.org).users.find((u) => u.username === user.Username));
  });

  router.add("POST", `${p}/permission-sets`, control, async (ctx) => {
    const spec = await body(ctx, permissionSetSpec, "permission set");
    const ps = await change(ctx, (admin) => {
      const { name, label, ...rest } = spec;
      const created = admin.permissionSet(name, [], label ?? name);
      applyPermissionChange(admin, name, rest);
      return created;
    });
    return json({ id: ps.Id, name: ps.Name }, 201);
  });
  router.add("POST", `${p}/permission-set-groups`, control, async (ctx) => {
    const spec = await body(ctx, permissionSetGroupSpec, "permission set group");
    await change(ctx, (admin) => applyPermissionSetGroup(admin, spec));
    return json(groupView(ctx.org, spec.name), 201);
  });
  router.add("PATCH", `${p}/permission-set-groups/:name`, control, async (ctx) => {
    const patch = await body(ctx, permissionSetGroupPatchSpec, "permission set group change");
    await change(ctx, (admin) => changePermissionSetGroup(admin, ctx.params.name!, patch));
    return json(groupView(ctx.org, ctx.params.name!));
  });
  // Change a profile's, permission set's or muting permission set's system, object and field permissions, by its name.
  router.add("PATCH", `${p}/permissions/:holder`, control, async (ctx) => {
    const spec = await body(ctx, permissionChangeSpec, "permission change");
    await change(ctx, (admin) => applyPermissionChange(admin, ctx.params.holder, spec));
    return empty(204);
  });

  router.add("GET", `${p}/apps`, control, (ctx) => json([...ctx.org.apps.values()].map((a) => appView(a, ctx.org))));
  router.add("POST", `${p}/apps`, control, async (ctx) => {
    const spec = await body(ctx, appSpec, "connected app");
    if (ctx.org.appByClientId(spec.clientId))
      throw new ApiError(400, "DUPLICATE_VALUE", `an app with client id '${spec.clientId}' exists already`);
    const app = await change(ctx, (admin) => admin.app(spec));
    return json(appView(app, ctx.org), 201);
  });
  router.add("PATCH", `${p}/apps/:clientId`, control, async (ctx) => {
    const patch = await body(ctx, appPatchSpec, "connected app change");
    const app = appByClientId(ctx.org, ctx.params.clientId);
    await change(ctx, (admin) => admin.updateApp(app.id, patch));
    return json(appView(app, ctx.org));
  });

  router.add("POST", `${p}/objects`, control, async (ctx) => {
    const spec = await body(ctx, objectSpec, "object");
    await change(ctx, (admin) => applyObjectSpec(ctx.org, admin, { ...spec, fields: spec.fields ?? [] }));
    return json(
      { name: ctx.org.objectDef(spec.name)?.name, fields: ctx.org.objectDef(spec.name)?.fields.map((f) => f.name) },
      201,
    );
  });

  router.add("POST", `${p}/records/:object`, control, async (ctx) => {
    const spec = z.object({ records: z.array(z.record(z.string(), z.unknown())).min(1) }).strict();
    const { records } = await body(ctx, spec, "records");
    const inserted = await change(ctx, () => insertRawRecords(ctx.org, ctx.params.object, records, adminIdOf(ctx.org)));
    return json({ ids: inserted.map((r) => r.Id) }, 201);
  });
  router.add("POST", `${p}/generate/:object`, control, async (ctx) => {
    const { count } = await body(ctx, z.object({ count: z.number().int().min(1).max(5_000_000) }).strict(), "generate");
    if (!ctx.org.objectDef(ctx.params.object))
      throw new ApiError(404, "NOT_FOUND", `unknown object '${ctx.params.object}'`);
    // One transaction, as a data load is: past 100,000 records of a selected object, the
    // change events give way to an overflow event.
    ctx.org.store.transaction(() => generateRecords(ctx.org, ctx.org.objectDef(ctx.params.object)!.name, count));
    return json({ generated: count, total: ctx.org.store.tableOrThrow(ctx.params.object).size }, 201);
  });
  router.add("GET", `${p}/validation-rules`, control, (ctx) => json(ctx.org.validationRules.map((r) => r.rule)));
  router.add("POST", `${p}/validation-rules`, control, async (ctx) => {
    const rule = await body(ctx, validationRuleSpec, "validation rule");
    await change(ctx, () => addValidationRule(ctx.org, rule));
    return json(rule, 201);
  });
  router.add("DELETE", `${p}/validation-rules/:name`, control, (ctx) => {
    if (!removeValidationRule(ctx.org, ctx.params.name))
      throw new ApiError(404, "NOT_FOUND", `no validation rule named '${ctx.params.name}'`);
    return empty(204);
  });

  // The emulator process's memory and CPU time, for benchmarks (maxRSS is the peak since start).
  router.add("GET", `${p}/process`, control, () => {
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage();
    return json({
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    });
  });
  registerPubSubControlRoutes(router);
  router.add("POST", `${p}/recycle-bin/purge`, control, (ctx) =>
    json({ purged: ctx.org.store.purgeRecycleBin(ctx.org.clock.now()) }),
  );
}
