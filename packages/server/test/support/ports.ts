import { createServer } from "node:net";

/** A port free now, with the next two free as well when `run` is 3 (the emulator takes three in a row). */
export async function freePorts(run: number): Promise<number> {
  for (;;) {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const first = (probe.address() as { port: number }).port;
    probe.close();
    if (first + run > 65535) continue;
    const taken = await Promise.all(
      Array.from({ length: run }, (_, i) => {
        const s = createServer();
        return new Promise<boolean>((resolve) => {
          s.once("error", () => resolve(true));
          s.listen(first + i, "127.0.0.1", () => s.close(() => resolve(false)));
        });
      }),
    );
    if (!taken.includes(true)) return first;
  }
}
