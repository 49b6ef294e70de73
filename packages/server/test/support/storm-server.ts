/**
 * One Forcelink server process for the refresh-storm test, run as a child process:
 * `node storm-server.ts` with the server's configuration in its environment.
 *
 * - Prints `READY <url>` once it listens, `FAILED <message>` if it cannot start.
 * - Stops cleanly on SIGTERM (or when its parent goes away).
 * - Over the IPC channel, `{ type: "advance-clock", ms }` moves the server's clock forward and
 *   answers `{ type: "clock-advanced", offsetMs }`: the expiry-driven refresh path needs the server
 *   itself to believe hours have passed. The server runs on a test clock handed to `startServer`.
 */
import { parseConfig } from "../../src/config/config.ts";
import { TestClock } from "../../src/platform/clock.ts";
import { type RunningServer, startServer } from "../../src/server.ts";

const clock = new TestClock();

let server: RunningServer | undefined;
let stopping = false;

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const force = setTimeout(() => process.exit(code), 10_000);
  force.unref();
  try {
    await server?.close();
  } catch (e) {
    process.stderr.write(`close failed: ${(e as Error).stack ?? e}\n`);
  }
  process.exit(code);
}

process.on("SIGTERM", () => void stop(0));
process.on("SIGINT", () => void stop(0));
// The test process died without killing us: do not linger.
process.on("disconnect", () => void stop(0));

process.on("message", (message: unknown) => {
  const m = message as { type?: string; ms?: number };
  if (m?.type === "advance-clock" && typeof m.ms === "number") {
    const offsetMs = clock.advance(m.ms);
    process.send?.({ type: "clock-advanced", offsetMs });
  }
});

try {
  server = await startServer(parseConfig(process.env), { clock });
  process.stdout.write(`READY ${server.url}\n`);
} catch (e) {
  process.stdout.write(`FAILED ${((e as Error).message ?? String(e)).replace(/\n/g, " ")}\n`);
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
}
