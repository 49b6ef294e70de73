import type { Config } from "../config/config.ts";
import type { Platform } from "../platform/platform.ts";

export type SyncSettings = Config["sync"];

/** The sync's tunables, from configuration (FORCELINK_SYNC_*). */
export function syncSettings(platform: Pick<Platform, "config">): SyncSettings {
  return platform.config.sync;
}
