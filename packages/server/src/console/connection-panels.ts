import type { ConnectionRow } from "../connections/connection-store.ts";
import type { Platform } from "../platform/platform.ts";
import { activityPanel } from "./activity-panel.ts";
import { subscriptionsPanel } from "./subscriptions-panel.ts";

/**
 * Sections other capabilities add to the connection page, in order, each rendering escaped HTML.
 * Adding one (a subscription's state, say) is one entry here.
 */
export type ConnectionPanel = (platform: Platform, connection: ConnectionRow, csrf: string) => Promise<string>;

export const connectionPanels: readonly ConnectionPanel[] = [subscriptionsPanel, activityPanel];
