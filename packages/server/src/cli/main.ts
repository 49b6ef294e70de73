#!/usr/bin/env node
import { type CommandSpec, commandHelp, commandList, EXIT, parseCommand } from "./command-line.ts";
import { COMMANDS } from "./commands.ts";

const HELP = new Set(["--help", "-h", "help"]);

/** The forcelink command line: each command loads only what it needs. */
export async function main(argv: string[]): Promise<number> {
  const [first, second] = argv;
  if (first === undefined) {
    process.stderr.write(`${commandList(COMMANDS)}\n`);
    return EXIT.usage;
  }
  if (HELP.has(first)) return help(argv.slice(1));
  const spec = findCommand(argv);
  if (!spec) {
    const group = COMMANDS.some((s) => s.name.startsWith(`${first} `)) ? first : undefined;
    if (group && second !== undefined && HELP.has(second)) {
      console.log(commandList(COMMANDS, group));
      return EXIT.ok;
    }
    if (group && (second === undefined || second.startsWith("-")))
      return usage(group, `Name a command: ${subcommands(group).join(", ")}.`);
    const name = group ? `${group} ${second}` : first;
    return usage(group, `Unknown command '${name}'.`);
  }
  const parsed = parseCommand(spec, argv.slice(spec.name.split(" ").length));
  if (parsed.kind === "help") {
    console.log(commandHelp(spec));
    return EXIT.ok;
  }
  if (parsed.kind === "usage") return usage(spec.name, parsed.problem);
  try {
    return await spec.run(parsed.input);
  } catch (error) {
    return (await import("./failure-report.ts")).reportFailure(spec.name, error);
  }
}

function findCommand(argv: string[]): CommandSpec | undefined {
  const [first, second] = argv;
  return COMMANDS.find((s) => s.name === `${first} ${second}`) ?? COMMANDS.find((s) => s.name === first);
}

/** `forcelink help [command]`, `forcelink --help`. */
function help(rest: string[]): number {
  const spec = rest.length > 0 ? findCommand(rest) : undefined;
  if (spec && !spec.passThrough) console.log(commandHelp(spec));
  else if (rest.length > 0 && COMMANDS.some((s) => s.name.startsWith(`${rest[0]} `)))
    console.log(commandList(COMMANDS, rest[0]));
  else console.log(commandList(COMMANDS));
  return EXIT.ok;
}

function subcommands(group: string): string[] {
  return COMMANDS.filter((s) => s.name.startsWith(`${group} `)).map((s) => s.name.slice(group.length + 1));
}

/** One line saying what is wrong, and where the help is. */
function usage(command: string | undefined, problem: string): number {
  const where = command ? `forcelink ${command}` : "forcelink";
  process.stderr.write(`${where}: ${problem} See '${where} --help'.\n`);
  return EXIT.usage;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`forcelink: ${(error as Error).stack ?? error}\n`);
      process.exit(EXIT.bug);
    },
  );
}
