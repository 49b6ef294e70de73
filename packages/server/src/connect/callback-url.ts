import type { Platform } from "../platform/platform.ts";

/** The one callback URL of this Forcelink: what builders paste into their Salesforce app. */
export function callbackUrl(platform: Platform): string {
  return `${platform.config.publicUrl}/oauth/callback`;
}
