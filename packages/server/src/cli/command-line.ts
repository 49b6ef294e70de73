import { parseArgs } from "node:util";

/**
 * How the forcelink command line describes its commands. Parsing and `--help` are both derived
 * from one description per command, so the help can never list an option the parser refuses, or
 * leave out one it takes.
 */
export interface OptionSpec {
  type: "string" | "boolean";
  /** The value's placeholder in help (`ID`, `N`), for string options. */
  value?: string;
  help: string;
  /** The only values accepted. */
  choices?: readonly string[];
  /** A whole number within these bounds. */
  integer?: { min: number; max: number };
}

export interface ArgumentSpec {
  name: string;
  help: string;
}

export interface CommandSpec {
  /** The words that name it: `doctor`, `keys create`. */
  name: string;
  /** One line, for the list of commands. */
  summary: string;
  /** What it does, at more length, for its own help. */
  description?: string;
  args: readonly ArgumentSpec[];
  options: Readonly<Record<string, OptionSpec>>;
  /** Exit statuses other than 0 and 2, for its help. */
  exitCodes?: Readonly<Record<number, string>>;
  /** Hands the arguments to a program that parses them itself (and answers --help itself). */
  passThrough?: boolean;
  run(input: CommandInput): Promise<number>;
}

/** The arguments of a command, checked against its description. */
export interface CommandInput {
  positionals: string[];
  /** Arguments of a pass-through command, untouched. */
  raw: string[];
  string(name: string): string | undefined;
  flag(name: string): boolean;
  integer(name: string): number | undefined;
}

/** Exit statuses every command shares. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, bug: 70 } as const;

const HELP_OPTION: OptionSpec = { type: "boolean", help: "show this help" };

export type Parsed = { kind: "run"; input: CommandInput } | { kind: "help" } | { kind: "usage"; problem: string };

/** Reads a command's arguments; `usage` names the first problem found. */
export function parseCommand(spec: CommandSpec, argv: string[]): Parsed {
  if (spec.passThrough) return { kind: "run", input: inputOf([], {}, argv) };
  const { tokens } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.entries(spec.options).map(([name, o]) => [name, { type: o.type }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") positionals.push(token.value);
    if (token.kind !== "option") continue;
    if (token.name === "help" || token.rawName === "-h") return { kind: "help" };
    const option = spec.options[token.name];
    if (!option || token.rawName.length === 2) return { kind: "usage", problem: `Unknown option '${token.rawName}'.` };
    if (option.type === "boolean") {
      if (token.inlineValue) return { kind: "usage", problem: `Option '${token.rawName}' takes no value.` };
      values[token.name] = true;
      continue;
    }
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith("--")))
      return { kind: "usage", problem: `Option '${token.rawName}' needs a value (${option.value ?? "VALUE"}).` };
    const problem = valueProblem(token.rawName, option, token.value);
    if (problem) return { kind: "usage", problem };
    values[token.name] = token.value;
  }
  if (positionals.length < spec.args.length) {
    const missing = spec.args.slice(positionals.length).map((a) => a.name);
    return { kind: "usage", problem: `Missing ${missing.join(" and ")}.` };
  }
  if (positionals.length > spec.args.length)
    return { kind: "usage", problem: `Unexpected argument '${positionals[spec.args.length]}'.` };
  return { kind: "run", input: inputOf(positionals, values, argv) };
}

function valueProblem(rawName: string, option: OptionSpec, value: string): string | undefined {
  if (option.choices && !option.choices.includes(value))
    return `${rawName} takes ${listOf(option.choices)}; got '${value}'.`;
  if (option.integer) {
    const n = Number(value);
    const { min, max } = option.integer;
    if (!/^\d+$/.test(value) || n < min || n > max)
      return `${rawName} takes a whole number from ${min} to ${max}; got '${value}'.`;
  }
  return undefined;
}

function inputOf(positionals: string[], values: Record<string, string | boolean>, raw: string[]): CommandInput {
  return {
    positionals,
    raw,
    string: (name) => (typeof values[name] === "string" ? (values[name] as string) : undefined),
    flag: (name) => values[name] === true,
    integer: (name) => (typeof values[name] === "string" ? Number(values[name]) : undefined),
  };
}

function listOf(words: readonly string[]): string {
  return words.length === 1 ? words[0] : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/** `forcelink doctor CONNECTION_ID [options]` */
export function usageLine(spec: CommandSpec): string {
  const args = spec.args.map((a) => ` ${a.name}`).join("");
  return `forcelink ${spec.name}${args} [options]`;
}

/** The whole help of one command: usage, description, arguments, options, exit statuses. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: ${usageLine(spec)}`, "", spec.description ?? spec.summary];
  if (spec.args.length > 0) lines.push("", "Arguments:", ...table(spec.args.map((a) => [a.name, a.help])));
  const options: [string, OptionSpec][] = [...Object.entries(spec.options), ["help", HELP_OPTION]];
  lines.push(
    "",
    "Options:",
    ...table(
      options.map(([name, o]) => {
        const flag = name === "help" ? "-h, --help" : `--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`;
        const choices = o.choices ? ` (${o.choices.join(", ")})` : "";
        return [flag, `${o.help}${choices}`];
      }),
    ),
  );
  const exits: Record<number, string> = { [EXIT.ok]: "done", [EXIT.usage]: "usage error", ...spec.exitCodes };
  lines.push(
    "",
    "Exit status:",
    ...table(
      Object.entries(exits)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([code, meaning]) => [code, meaning]),
    ),
  );
  return lines.join("\n");
}

/** The list of commands, grouped under their first word when `group` is given. */
export function commandList(specs: readonly CommandSpec[], group?: string): string {
  const shown = group ? specs.filter((s) => s.name.split(" ")[0] === group) : specs;
  const title = group ? `Usage: forcelink ${group} <command> [options]` : "Usage: forcelink <command> [options]";
  return [
    title,
    "",
    "Commands:",
    ...table(shown.map((s) => [`${s.name}${s.args.map((a) => ` ${a.name}`).join("")}`, s.summary])),
    "",
    `Run 'forcelink ${group ? `${group} ` : ""}<command> --help' for a command's options.`,
  ].join("\n");
}

function table(rows: string[][]): string[] {
  const width = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}
