import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiWith } from "./support/api-client.ts";
import { FAST_DELIVERY, type ServerHarness, startHarness } from "./support/harness.ts";
import { type Receiver, startReceiver } from "./support/receiver.ts";
import { waitFor } from "./support/wait.ts";

/** POST /v1/webhooks/{id}/deliveries/{deliveryId}/redeliver: a failed delivery's event sent again. */

let t: ServerHarness;
let receiver: Receiver;
beforeAll(async () => {
  t = await startHarness({ emulator: false, delivery: FAST_DELIVERY });
  // Every attempt of the first delivery fails; the redelivery is accepted.
  receiver = await startReceiver((n) => (n < FAST_DELIVERY.maxAttempts! ? 503 : 200));
}, 120_000);
afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

interface Delivery {
  id: string;
  eventId: string;
  status: string;
}

const deliveries = async (endpointId: string) =>
  ((await (await t.api(`/v1/webhooks/${endpointId}/deliveries`)).json()) as { data: Delivery[] }).data;

describe("redelivery", () => {
  it("sends the same event again as a new delivery, and refuses another project's or endpoint's", async () => {
    const endpoint = (await (
      await t.api("/v1/webhooks", { method: "POST", body: { url: receiver.url, events: ["*"] } })
    ).json()) as { id: string };
    const other = (await (
      await t.api("/v1/webhooks", { method: "POST", body: { url: "https://example.com/other", events: ["*"] } })
    ).json()) as { id: string };
    await t.api(`/v1/webhooks/${endpoint.id}/test`, { method: "POST" });
    const failed = await waitFor(
      async () => (await deliveries(endpoint.id)).find((d) => d.status === "failed"),
      "the delivery to fail",
    );

    const wrongEndpoint = await t.api(`/v1/webhooks/${other.id}/deliveries/${failed.id}/redeliver`, { method: "POST" });
    expect(wrongEndpoint.status).toBe(404);
    const stranger = await t.addProject("stranger");
    const foreign = await apiWith(t.server.url, stranger.key)(
      `/v1/webhooks/${endpoint.id}/deliveries/${failed.id}/redeliver`,
      { method: "POST" },
    );
    expect(foreign.status).toBe(404);

    const res = await t.api(`/v1/webhooks/${endpoint.id}/deliveries/${failed.id}/redeliver`, { method: "POST" });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { deliveryId: string; redeliveryOf: string };
    expect(body.redeliveryOf).toBe(failed.id);
    const again = await waitFor(
      async () => (await deliveries(endpoint.id)).find((d) => d.id === body.deliveryId && d.status === "delivered"),
      "the redelivery to arrive",
    );
    expect(again.eventId).toBe(failed.eventId);
    expect(receiver.events.at(-1)?.id).toBe(failed.eventId);
  });
});
