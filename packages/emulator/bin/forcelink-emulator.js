#!/usr/bin/env node
// `forcelink-emulator`: a local Salesforce org. The packed package runs its built JavaScript;
// inside the Forcelink repository the TypeScript sources run as they are (Node 22.19+ strips types).
import { existsSync } from "node:fs";

// A closed pipe (`forcelink-emulator | head`) ends the output, not the emulator with a stack trace.
process.stdout.on("error", (error) => {
  if (error.code !== "EPIPE") throw error;
});

const built = new URL("../dist/cli.js", import.meta.url);
const { runEmulatorCli } = await import(
  existsSync(built) ? built.href : new URL("../src/cli.ts", import.meta.url).href
);
process.exitCode = await runEmulatorCli(process.argv.slice(2));
