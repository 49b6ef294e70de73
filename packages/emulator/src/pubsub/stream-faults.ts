/** Faults a test asks the Pub/Sub server to inject into Subscribe streams. */
export interface StreamFaultSettings {
  /** Share (0..1) of event batches after which the stream is dropped (ends with UNAVAILABLE). */
  dropRate: number;
  /** Share (0..1) of event batches after which the stream is reset (ends with INTERNAL, as an RST_STREAM does). */
  resetRate: number;
  /** Milliseconds added before each batch of events is sent. */
  delayMs: number;
  /** The next N Subscribe calls that name a CUSTOM replay id are refused as if it were corrupted. */
  corruptReplayIds: number;
  /** The next N change events are sent as gap events (GAP_CREATE, GAP_UPDATE…): header only. */
  gapEvents: number;
  /** Seed for the fault dice, so a run can be repeated. */
  seed: number;
}

export const NO_STREAM_FAULTS: StreamFaultSettings = {
  dropRate: 0,
  resetRate: 0,
  delayMs: 0,
  corruptReplayIds: 0,
  gapEvents: 0,
  seed: 1,
};

export type StreamFault = "none" | "drop" | "reset";

/** Rolls seeded dice (mulberry32) for each batch a stream sends. */
export class StreamFaults {
  settings: StreamFaultSettings = { ...NO_STREAM_FAULTS };
  private state = NO_STREAM_FAULTS.seed;

  configure(patch: Partial<StreamFaultSettings>): StreamFaultSettings {
    this.settings = { ...this.settings, ...patch };
    if (patch.seed !== undefined) this.state = patch.seed;
    return this.settings;
  }

  reset(): void {
    this.settings = { ...NO_STREAM_FAULTS };
    this.state = NO_STREAM_FAULTS.seed;
  }

  /** What happens after a batch of events is sent. */
  afterBatch(): StreamFault {
    const { dropRate, resetRate } = this.settings;
    if (dropRate <= 0 && resetRate <= 0) return "none";
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const roll = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    if (roll < dropRate) return "drop";
    if (roll < dropRate + resetRate) return "reset";
    return "none";
  }

  /** Consumes one pending gap-event fault, if any is left. */
  takeGapEvent(): boolean {
    if (this.settings.gapEvents <= 0) return false;
    this.settings = { ...this.settings, gapEvents: this.settings.gapEvents - 1 };
    return true;
  }

  /** Consumes one pending corrupted-replay-id fault, if any is left. */
  takeCorruptReplayId(): boolean {
    if (this.settings.corruptReplayIds <= 0) return false;
    this.settings = { ...this.settings, corruptReplayIds: this.settings.corruptReplayIds - 1 };
    return true;
  }
}
