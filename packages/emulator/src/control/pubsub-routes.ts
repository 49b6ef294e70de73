import { z } from "zod";
import { CHANGE_TYPES } from "../events/change-schema.ts";
import { replayIdBytes } from "../events/event-bus.ts";
import type { RequestContext } from "../http/context.ts";
import { ApiError } from "../http/errors.ts";
import { empty, json } from "../http/reply.ts";
import type { Router } from "../http/router.ts";
import { normalizeId } from "../ids.ts";
import { adminIdOf, body, CONTROL_PREFIX } from "./control-routes.ts";

const control = { kind: "control", auth: "none" } as const;

export const streamFaultSpec = z
  .object({
    dropRate: z.number().min(0).max(1).optional(),
    resetRate: z.number().min(0).max(1).optional(),
    delayMs: z.number().int().min(0).max(60_000).optional(),
    corruptReplayIds: z.number().int().min(0).optional(),
    gapEvents: z.number().int().min(0).optional(),
    seed: z.number().int().optional(),
  })
  .strict();

export const gapSpec = z
  .object({
    object: z.string().min(1),
    changeType: z.enum(CHANGE_TYPES.filter((t) => t.startsWith("GAP_")) as [string, ...string[]]),
    recordIds: z.array(z.string()).optional(),
  })
  .strict();

/** The Pub/Sub side of the org as the control surface shows it: endpoint, bus, counters, faults. */
export function pubsubView(ctx: RequestContext) {
  const { capture, pubsubEndpoint } = ctx.org;
  const latest = capture.bus.latestReplayId;
  return {
    endpoint: pubsubEndpoint?.endpoint ?? null,
    port: pubsubEndpoint?.port ?? null,
    tls: pubsubEndpoint?.tls ?? null,
    certificate: pubsubEndpoint?.certificate ?? null,
    retainedEvents: capture.bus.retained,
    latestReplayId: latest,
    /** The latest replay id as the 8 bytes of the wire, base64: what a client stores. */
    latestReplayIdBase64: replayIdBytes(latest).toString("base64"),
    counters: capture.bus.counters,
    faults: capture.faults.settings,
  };
}

export function registerPubSubControlRoutes(router: Router): void {
  const p = `${CONTROL_PREFIX}/pubsub`;
  router.add("GET", p, control, (ctx) => json(pubsubView(ctx)));
  router.add("PUT", `${p}/faults`, control, async (ctx) =>
    json(ctx.org.capture.faults.configure(await body(ctx, streamFaultSpec, "stream faults"))),
  );
  router.add("DELETE", `${p}/faults`, control, (ctx) => {
    ctx.org.capture.faults.reset();
    return json(ctx.org.capture.faults.settings);
  });
  router.add("DELETE", `${p}/counters`, control, (ctx) => {
    ctx.org.capture.bus.resetCounters();
    return empty(204);
  });
  // A gap event (GAP_CREATE…, header only, for records) or an overflow event (GAP_OVERFLOW, for an object).
  router.add("POST", `${p}/gap-events`, control, async (ctx) => {
    const spec = await body(ctx, gapSpec, "gap event");
    const def = ctx.org.objectDef(spec.object);
    if (!def) throw new ApiError(400, "INVALID_CONTROL_REQUEST", `unknown object '${spec.object}'`);
    if (ctx.org.capture.selection.channelsOf(def.name).size === 0)
      throw new ApiError(
        400,
        "INVALID_CONTROL_REQUEST",
        `${def.name} is not selected for Change Data Capture: create a PlatformEventChannelMember for it first`,
      );
    const overflow = spec.changeType === "GAP_OVERFLOW";
    const ids = (spec.recordIds ?? []).map((id) => normalizeId(id));
    if (!overflow && (ids.length === 0 || ids.some((id) => !id || id.slice(0, 3) !== def.keyPrefix)))
      throw new ApiError(
        400,
        "INVALID_CONTROL_REQUEST",
        `${spec.changeType} needs recordIds: ids of ${def.name} records (key prefix ${def.keyPrefix})`,
      );
    const changeType = spec.changeType as (typeof CHANGE_TYPES)[number];
    const replayId = ctx.org.capture.publishGap(def, changeType, overflow ? [] : (ids as string[]), adminIdOf(ctx.org));
    return json({ replayId }, 201);
  });

  // Restores records from the recycle bin, as undelete() does (SOAP API, Apex, the Recycle Bin page).
  router.add("POST", `${CONTROL_PREFIX}/records/:object/undelete`, control, async (ctx) => {
    const { ids } = await body(ctx, z.object({ ids: z.array(z.string()).min(1).max(200) }).strict(), "undelete");
    const def = ctx.org.objectDef(ctx.params.object);
    if (!def) throw new ApiError(404, "NOT_FOUND", `unknown object '${ctx.params.object}'`);
    const table = ctx.org.store.tableOrThrow(def.name);
    const results = ctx.org.store.transaction(() =>
      ids.map((given) => {
        const id = normalizeId(given);
        const record = id ? table.get(id) : undefined;
        if (record?.IsDeleted !== true)
          return {
            id: given,
            success: false,
            errors: [{ statusCode: "UNDELETE_FAILED", message: "Entity is not in the recycle bin" }],
          };
        ctx.org.store.undelete(def.name, record.Id, ctx.org.writeContext(adminIdOf(ctx.org)));
        return { id: record.Id, success: true, errors: [] };
      }),
    );
    return json(results);
  });
}
