import type { ActivityRecorder, Platform } from "../platform/platform.ts";
import { safeDetails, safeMessage } from "./activity-details.ts";
import type { ActivityEntry } from "./activity-kinds.ts";
import { insertActivity } from "./activity-store.ts";

/**
 * Records activity rows for every capability of the process (`platform.activity`, built by
 * openPlatform). Recording is a report, never a decision: a row that cannot be written is logged
 * and the operation it describes goes on as if nothing happened.
 */
export class StoreActivityRecorder implements ActivityRecorder {
  private readonly platform: Pick<Platform, "db" | "clock" | "logger">;

  constructor(platform: Pick<Platform, "db" | "clock" | "logger">) {
    this.platform = platform;
  }

  async record(entry: ActivityEntry): Promise<void> {
    const { db, clock, logger } = this.platform;
    try {
      await insertActivity(
        { db },
        {
          projectId: entry.projectId,
          connectionId: entry.connectionId ?? null,
          kind: entry.kind,
          level: entry.level,
          message: safeMessage(entry.message),
          details: safeDetails(entry.details),
          at: clock.now(),
        },
      );
    } catch (err) {
      logger.error({ err, kind: entry.kind, connectionId: entry.connectionId }, "could not record activity");
    }
  }
}
