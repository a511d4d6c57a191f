// The command-line conventions every script shares: `-h`/`--help` prints the usage and exits 0;
// a mistake in the command line is one line on stderr and exit 2; any other failure (missing
// permission, unreadable file, no GPU) is one line and exit 1. Never a stack trace.
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** A mistake in the command line (unknown flag, bad value): exit code 2. */
export class UsageError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Exit code 1 with this message and nothing else (the failure is not a usage mistake). */
export class CliError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

/** What {@link parseCli} returns: the flag values and the positional arguments. */
export interface ParsedCli {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/**
 * Parses `args` strictly (unknown flags and missing values are usage errors). `-h`/`--help`
 * prints `help` and returns undefined (the script then exits 0) before anything else is
 * looked at.
 */
export function parseCli(
  args: readonly string[],
  options: ParseArgsOptionsConfig,
  help: string,
  allowPositionals = false,
): ParsedCli | undefined {
  if (args.includes("-h") || args.includes("--help")) {
    console.log(help.trimEnd());
    return undefined;
  }
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options,
      allowPositionals,
      strict: true,
    });
    return { values: values as ParsedCli["values"], positionals };
  } catch (e) {
    // node's messages go on with advice on "--" that does not apply: keep the first sentence
    throw new UsageError((e as Error).message.split("\n")[0]!.split(". ")[0]!.replace(/\.$/, ""));
  }
}

/**
 * The flags a usage text documents, as {@link parseCli} takes them: each option line of `help`
 * (two spaces, then `--name` or `-x, --name`) declares `--name`, a string flag when a value
 * name follows it (`--out DIR`), else a boolean flag (`--json`). A script's usage text is
 * then the one place that lists its flags.
 */
export function flagsOfHelp(help: string): ParseArgsOptionsConfig {
  const options: ParseArgsOptionsConfig = {};
  for (const line of help.split("\n")) {
    const m = /^ {2}(?:-[A-Za-z], )?--([a-z][a-z0-9-]*)( \S+)?(?: {2,}|$)/.exec(line);
    if (m !== null) options[m[1]!] = { type: m[2] === undefined ? "boolean" : "string" };
  }
  return options;
}

/** {@link parseCli} with the flags that `help` documents (see {@link flagsOfHelp}). */
export function parseUsage(
  args: readonly string[],
  help: string,
  allowPositionals = false,
): ParsedCli | undefined {
  return parseCli(args, flagsOfHelp(help), help, allowPositionals);
}

/** A string flag's value (undefined when absent). */
export function stringFlag(values: ParsedCli["values"], name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

/** A numeric flag: undefined when absent, else a finite number within the bounds. */
export function numberFlag(
  values: ParsedCli["values"],
  name: string,
  check: { integer?: boolean; min?: number; above?: number } = {},
): number | undefined {
  const text = stringFlag(values, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  const kind = check.integer ? "an integer" : "a number";
  if (text.trim() === "" || !Number.isFinite(n) || (check.integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${kind} but it is ${JSON.stringify(text)}`);
  }
  if (check.min !== undefined && n < check.min) {
    throw new UsageError(`--${name} must be ${kind} >= ${check.min} but it is ${text}`);
  }
  if (check.above !== undefined && !(n > check.above)) {
    throw new UsageError(`--${name} must be ${kind} > ${check.above} but it is ${text}`);
  }
  return n;
}

/** A flag with a fixed set of values: `fallback` when absent. */
export function choiceFlag<T extends string>(
  values: ParsedCli["values"],
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const text = stringFlag(values, name);
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) {
    const list = `${choices.slice(0, -1).join(", ")} or ${choices[choices.length - 1]}`;
    throw new UsageError(`--${name} must be ${list} but it is ${JSON.stringify(text)}`);
  }
  return text as T;
}

/** A comma-separated list of finite numbers (each > `above` when given); undefined when absent. */
export function numberListFlag(
  values: ParsedCli["values"],
  name: string,
  above?: number,
): number[] | undefined {
  return stringFlag(values, name)?.split(",").map((t) => {
    const n = Number(t);
    if (t.trim() === "" || !Number.isFinite(n) || (above !== undefined && !(n > above))) {
      const what = above === undefined ? "numbers" : `numbers > ${above}`;
      throw new UsageError(`--${name} must be ${what} but it has ${JSON.stringify(t)}`);
    }
    return n;
  });
}

/**
 * Makes `dir` (and its parents) when missing and checks that it is a directory the script can
 * write to, before any work is done.
 */
export async function prepareOutDir(dir: string, flag = "--out"): Promise<void> {
  let info: Deno.FileInfo | undefined;
  try {
    info = await Deno.stat(dir);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (info !== undefined && !info.isDirectory) {
    throw new UsageError(`${flag} ${JSON.stringify(dir)} is not a directory`);
  }
  try {
    if (info === undefined) await Deno.mkdir(dir, { recursive: true });
    const probe = `${dir}/.awing-write-test-${Deno.pid}`;
    await Deno.writeFile(probe, new Uint8Array());
    await Deno.remove(probe);
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable) throw e;
    throw new CliError(
      `cannot write to ${flag} ${JSON.stringify(dir)}: ${(e as Error).message.split("\n")[0]}`,
    );
  }
}

/** The one line a failure prints, and its exit code. */
export function describeFailure(name: string, error: unknown): { line: string; code: number } {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split("\n")[0]!.trim();
  if (error instanceof UsageError) return { line: `${name}: ${first} (see --help)`, code: 2 };
  // missing permissions (Deno's own one-line message names the flag), I/O, bad data, no GPU
  return { line: `${name}: ${first}`, code: 1 };
}

/**
 * Runs a script's `main` and exits with its code (0 when it returns nothing); a thrown error
 * becomes one line on stderr and exit 2 (usage) or 1.
 */
export async function runCli(
  name: string,
  main: () => Promise<number | void> | number | void,
): Promise<never> {
  let code = 0;
  try {
    code = (await main()) ?? 0;
  } catch (e) {
    const failure = describeFailure(name, e);
    console.error(failure.line);
    code = failure.code;
  }
  Deno.exit(code);
}
