import type { z } from "zod";
import type { StreamFaultSettings } from "../pubsub/stream-faults.ts";
import type { infoBody } from "./control-routes.ts";
import type { gapSpec, pubsubView, streamFaultSpec } from "./pubsub-routes.ts";
import type {
  appPatchSpec,
  appSpec,
  faultSpec,
  objectSpec,
  orgPatchSpec,
  permissionChangeSpec,
  permissionSetGroupPatchSpec,
  permissionSetGroupSpec,
  permissionSetSpec,
  quotaSpec,
  userPatchSpec,
  userSpec,
  validationRuleSpec,
} from "./specs.ts";

/** What `GET /__emulator/info` answers: URLs, the org id, every app with its secret and every user with a password. */
export type EmulatorInfo = ReturnType<typeof infoBody>;

/** A control-surface call the emulator refused: its status and Salesforce-shaped error body. */
export class ControlError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(method: string, path: string, status: number, body: unknown) {
    const detail = Array.isArray(body) ? (body[0] as { message?: string })?.message : undefined;
    super(`${method} /__emulator${path} answered ${status}${detail ? `: ${detail}` : ""}`);
    this.name = "ControlError";
    this.status = status;
    this.body = body;
  }
}

type In<T extends z.ZodType> = z.input<T>;

export interface PermissionSetGroupView {
  id: string;
  name: string;
  label: string;
  permissionSets: string[];
  mutingPermissionSet: string | null;
}

/**
 * A typed client for the emulator's control surface (`/__emulator/*` on the production login
 * host), over HTTP, so it drives an emulator in another process just as well as one in this one.
 * Every method is one documented endpoint (see the package README).
 */
export class ControlClient {
  readonly baseUrl: string;

  /** `loginUrl`: the production login host, the only one that serves the control surface. */
  constructor(loginUrl: string) {
    this.baseUrl = `${loginUrl.replace(/\/+$/, "")}/__emulator`;
  }

  info(): Promise<EmulatorInfo> {
    return this.call("GET", "/info");
  }
  org(): Promise<Record<string, unknown>> {
    return this.call("GET", "/org");
  }
  updateOrg(patch: In<typeof orgPatchSpec>): Promise<Record<string, unknown>> {
    return this.call("PATCH", "/org", patch);
  }
  clock(): Promise<{ now: string; offsetMs: number }> {
    return this.call("GET", "/clock");
  }
  advanceClock(seconds: number): Promise<{ now: string; offsetMs: number }> {
    return this.call("POST", "/clock/advance", { seconds });
  }
  expireSessions(filter: { username?: string } = {}): Promise<{ expired: number }> {
    return this.call("POST", "/sessions/expire", filter);
  }
  revokeTokens(filter: { username?: string; clientId?: string } = {}): Promise<{
    revokedGrants: number;
    revokedSessions: number;
  }> {
    return this.call("POST", "/sessions/revoke", filter);
  }
  quota(): Promise<{ limit: number; used: number }> {
    return this.call("GET", "/quota");
  }
  setQuota(quota: In<typeof quotaSpec>): Promise<{ limit: number; used: number }> {
    return this.call("PUT", "/quota", quota);
  }
  faults(): Promise<Required<In<typeof faultSpec>>> {
    return this.call("GET", "/faults");
  }
  setFaults(faults: In<typeof faultSpec>): Promise<Required<In<typeof faultSpec>>> {
    return this.call("PUT", "/faults", faults);
  }
  clearFaults(): Promise<Required<In<typeof faultSpec>>> {
    return this.call("DELETE", "/faults");
  }
  /** Calls served so far, by kind and by route. */
  counters(): Promise<Record<string, unknown>> {
    return this.call("GET", "/counters");
  }
  resetCounters(): Promise<void> {
    return this.call("DELETE", "/counters");
  }
  users(): Promise<EmulatorInfo["users"]> {
    return this.call("GET", "/users");
  }
  createUser(user: In<typeof userSpec>): Promise<{ id: string; username: string }> {
    return this.call("POST", "/users", user);
  }
  updateUser(username: string, patch: In<typeof userPatchSpec>): Promise<EmulatorInfo["users"][number]> {
    return this.call("PATCH", `/users/${encodeURIComponent(username)}`, patch);
  }
  createPermissionSet(spec: In<typeof permissionSetSpec>): Promise<{ id: string; name: string }> {
    return this.call("POST", "/permission-sets", spec);
  }
  createPermissionSetGroup(spec: In<typeof permissionSetGroupSpec>): Promise<PermissionSetGroupView> {
    return this.call("POST", "/permission-set-groups", spec);
  }
  changePermissionSetGroup(
    name: string,
    patch: In<typeof permissionSetGroupPatchSpec>,
  ): Promise<PermissionSetGroupView> {
    return this.call("PATCH", `/permission-set-groups/${encodeURIComponent(name)}`, patch);
  }
  /** Changes a profile's, permission set's or muting permission set's permissions, by its name. */
  changePermissions(holder: string, change: In<typeof permissionChangeSpec>): Promise<void> {
    return this.call("PATCH", `/permissions/${encodeURIComponent(holder)}`, change);
  }
  apps(): Promise<Record<string, unknown>[]> {
    return this.call("GET", "/apps");
  }
  createApp(app: In<typeof appSpec>): Promise<Record<string, unknown>> {
    return this.call("POST", "/apps", app);
  }
  updateApp(clientId: string, patch: In<typeof appPatchSpec>): Promise<Record<string, unknown>> {
    return this.call("PATCH", `/apps/${encodeURIComponent(clientId)}`, patch);
  }
  createObject(spec: In<typeof objectSpec>): Promise<{ name: string; fields: string[] }> {
    return this.call("POST", "/objects", spec);
  }
  /** Inserts records as they are (no validation, no triggers): for setting up a test. */
  insertRecords(object: string, records: Record<string, unknown>[]): Promise<{ ids: string[] }> {
    return this.call("POST", `/records/${encodeURIComponent(object)}`, { records });
  }
  generate(object: string, count: number): Promise<{ generated: number; total: number }> {
    return this.call("POST", `/generate/${encodeURIComponent(object)}`, { count });
  }
  validationRules(): Promise<In<typeof validationRuleSpec>[]> {
    return this.call("GET", "/validation-rules");
  }
  addValidationRule(rule: In<typeof validationRuleSpec>): Promise<In<typeof validationRuleSpec>> {
    return this.call("POST", "/validation-rules", rule);
  }
  removeValidationRule(name: string): Promise<void> {
    return this.call("DELETE", `/validation-rules/${encodeURIComponent(name)}`);
  }
  /** The emulator process's memory (peakRssBytes is the peak since it started) and CPU time so far. */
  process(): Promise<{ rssBytes: number; heapUsedBytes: number; peakRssBytes: number; cpuSeconds: number }> {
    return this.call("GET", "/process");
  }
  purgeRecycleBin(): Promise<{ purged: number }> {
    return this.call("POST", "/recycle-bin/purge");
  }

  /** The Pub/Sub API: its endpoint and certificate, the event bus, events delivered, stream faults. */
  pubsub(): Promise<ReturnType<typeof pubsubView>> {
    return this.call("GET", "/pubsub");
  }
  setStreamFaults(faults: In<typeof streamFaultSpec>): Promise<StreamFaultSettings> {
    return this.call("PUT", "/pubsub/faults", faults);
  }
  clearStreamFaults(): Promise<StreamFaultSettings> {
    return this.call("DELETE", "/pubsub/faults");
  }
  resetPubSubCounters(): Promise<void> {
    return this.call("DELETE", "/pubsub/counters");
  }
  /** Publishes a gap event for records (GAP_CREATE…) or an overflow event for an object (GAP_OVERFLOW). */
  publishGapEvent(event: In<typeof gapSpec>): Promise<{ replayId: number }> {
    return this.call("POST", "/pubsub/gap-events", event);
  }
  /** Restores records from the recycle bin (undelete), each with its own result. */
  undelete(
    object: string,
    ids: string[],
  ): Promise<Array<{ id: string; success: boolean; errors: Array<{ statusCode: string; message: string }> }>> {
    return this.call("POST", `/records/${encodeURIComponent(object)}/undelete`, { ids });
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed: unknown = text === "" ? undefined : JSON.parse(text);
    if (!response.ok) throw new ControlError(method, path, response.status, parsed);
    return parsed as T;
  }
}
