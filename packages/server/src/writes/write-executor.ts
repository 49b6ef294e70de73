import type { Platform } from "../platform/platform.ts";

/**
 * TEMPORARY seam (helper API's branch only): the route's sync path calls runWrite; helper EXEC's
 * branch provides the real executor under the same name, and this file is replaced by theirs.
 */
export async function runWrite(
  _platform: Platform,
  _writeId: string,
  _options?: { signal?: AbortSignal },
): Promise<void> {}
