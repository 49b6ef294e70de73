import type { ConnectionRow } from "../connections/connection-store.ts";
import type { Platform } from "../platform/platform.ts";

/**
 * Sections other capabilities add to the connection page, in order, each rendering escaped HTML.
 * The activity timeline (the `activity` capability, built beside the console) is meant to be one:
 * `connectionPanels.push(activityPanel)`. Until then the connection page has no timeline.
 */
export type ConnectionPanel = (platform: Platform, connection: ConnectionRow) => Promise<string>;

export const connectionPanels: ConnectionPanel[] = [];
