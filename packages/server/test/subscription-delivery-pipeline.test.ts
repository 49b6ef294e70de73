import { describe, expect, it } from "vitest";
import { type BatchEnd, DeliveryPipeline, type GatheredRecords } from "../src/subscriptions/delivery-pipeline.ts";

/** A delivery the test ends by hand: what each batch held, in the order they were sent. */
function deliveries() {
  const sent: Array<{ ids: string[]; end: number; finish: (held: boolean | Error) => void }> = [];
  const send = (records: GatheredRecords, end: BatchEnd) =>
    new Promise<boolean>((resolve, reject) => {
      sent.push({
        ids: records.upserts.map((r) => String(r.Id)),
        end: end.replayId.readUInt8(0),
        finish: (held) => (held instanceof Error ? reject(held) : resolve(held)),
      });
    });
  return { sent, send };
}

const created = (id: string) => ({ kind: "records" as const, upserts: [{ Id: id, Name: id }], deletes: [] });
const end = (n: number) => ({ replayId: Buffer.from([n]), commitAt: new Date(n) });
const never = new Promise<never>(() => undefined);

describe("subscription deliveries", () => {
  it("sends one batch at a time in stream order; what arrives meanwhile goes out next, checkpointed at its last event", async () => {
    const { sent, send } = deliveries();
    const pipeline = new DeliveryPipeline(send);
    pipeline.add(created("001A"), end(1));
    pipeline.kick();
    pipeline.add(created("001B"), end(2));
    pipeline.add(created("001C"), end(3));
    pipeline.kick(); // one in flight: the second waits
    expect(sent.map((s) => s.ids)).toEqual([["001A"]]);
    const waiting = pipeline.alongside(never);
    sent[0].finish(true);
    await new Promise((r) => setImmediate(r));
    expect(sent.map((s) => [s.ids, s.end])).toEqual([
      [["001A"], 1],
      [["001B", "001C"], 3],
    ]);
    sent[1].finish(false); // the lease was lost
    expect(await waiting).toBe(false);
  });

  it("settles everything gathered, and a failed delivery fails the wait", async () => {
    const { sent, send } = deliveries();
    const pipeline = new DeliveryPipeline(send);
    pipeline.add(created("001A"), end(1));
    pipeline.kick();
    pipeline.add(created("001B"), end(2));
    const settled = pipeline.settle();
    sent[0].finish(true);
    await new Promise((r) => setImmediate(r));
    sent[1].finish(true);
    expect(await settled).toBe(true);
    expect(sent.map((s) => s.ids)).toEqual([["001A"], ["001B"]]);

    pipeline.add(created("001C"), end(3));
    pipeline.kick();
    const failing = pipeline.alongside(never);
    sent[2].finish(new Error("the destination refused the batch"));
    await expect(failing).rejects.toThrow("refused");
  });
});
