#!/usr/bin/env node
import { parseArgs } from "node:util";

const USAGE = `Usage: forcelink <command> [options]

Commands:
  emulator   run a local Salesforce org (forcelink emulator --help)
  start      what npm start runs: the demo (today: the emulator with its demo org)
`;

/** The forcelink command line: each command loads only what it needs. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "emulator":
    case "start": {
      // The emulator is a development tool the CLI launches; the platform code never imports it.
      const { runEmulatorCli } = await import("@forcelink/emulator/cli");
      return runEmulatorCli(rest);
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      parseArgs({ args: [], options: {} });
      process.stderr.write(`Unknown command '${command}'.\n\n${USAGE}`);
      return 2;
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`forcelink: ${(error as Error).stack ?? error}\n`);
      process.exit(1);
    },
  );
}
