/**
 * Resolves on the first Ctrl+C (SIGINT) or SIGTERM. A second one while stopping ends the process
 * at once, for whoever will not wait for the requests in flight.
 */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const first = (signal: NodeJS.Signals) => {
      process.off("SIGINT", first);
      process.off("SIGTERM", first);
      process.once("SIGINT", () => process.exit(130));
      process.once("SIGTERM", () => process.exit(143));
      resolve(signal);
    };
    process.on("SIGINT", first);
    process.on("SIGTERM", first);
  });
}

/** What a stopping server says it waits for. */
export function reportWaiting(openRequests: number, graceMs: number): void {
  process.stderr.write(
    `Stopping: waiting for ${openRequests} open request${openRequests === 1 ? "" : "s"} to finish (at most ${graceMs / 1000} s; Ctrl+C again to stop now)…\n`,
  );
}
