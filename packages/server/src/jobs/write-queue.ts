import type { Platform } from "../platform/platform.ts";

/**
 * TEMPORARY seam (helper API's branch only): helper EXEC's branch provides the write-run queue
 * under the same name, and this file is replaced by theirs.
 */
export async function enqueueWrite(_platform: Platform, _writeId: string, _startAfter?: Date): Promise<void> {}
