// The command-line conventions every script shares: `-h`/`--help` prints the usage and exits 0;
// a mistake in the command line is one line on stderr and exit 2; any other failure (missing
// permission, unreadable file, no GPU) is one line and exit 1. Never a stack trace.
import { dirname, join, resolve } from "node:path";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { oneLine } from "../src/_one_line.ts";
import { _writeFileAtomic } from "../src/_write_file_atomic.ts";

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
 * `--steps -5` as `--steps=-5`: node's parser takes a value that starts with a dash for a
 * flag ("argument is ambiguous"); a string flag followed by a negative number takes it as its
 * value, so that the number's own check answers (`--steps must be an integer >= 1`).
 */
function joinNegativeValues(args: readonly string[], options: ParseArgsOptionsConfig): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!, next = args[i + 1];
    if (arg === "--") {
      out.push(...args.slice(i));
      break;
    }
    const name = arg.startsWith("--") && !arg.includes("=") ? arg.slice(2) : undefined;
    if (
      name !== undefined && options[name]?.type === "string" && next !== undefined &&
      /^-(?:\d|\.\d|Infinity|NaN)/.test(next)
    ) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
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
      args: joinNegativeValues(args, options),
      options,
      allowPositionals,
      strict: true,
    });
    return { values: values as ParsedCli["values"], positionals };
  } catch (e) {
    const message = (e as Error).message;
    const ambiguous = /^Option '(--[^']+)' argument is ambiguous/.exec(message);
    if (ambiguous !== null) {
      // a value that starts with a dash (negative numbers are joined above)
      const flag = ambiguous[1];
      throw new UsageError(
        `${flag} needs a value, or takes one that starts with a dash as ${flag}=-VALUE`,
      );
    }
    // node's other messages go on with advice on "--" that does not apply: the first sentence
    throw new UsageError(message.split("\n")[0]!.split(". ")[0]!.replace(/\.$/, ""));
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
  check: { integer?: boolean; min?: number; above?: number; max?: number } = {},
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
  if (check.max !== undefined && n > check.max) {
    throw new UsageError(`--${name} must be ${kind} <= ${check.max} but it is ${text}`);
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
 * Checks, before any work and without making anything, that the script can write into `dir`:
 * a folder, or a path whose nearest existing parent is a folder it may write to (the folders
 * are made when the first file is written). A file in the way is a usage error; a folder that
 * cannot be written to is one line naming the flag.
 */
export async function checkOutDir(dir: string, flag = "--out"): Promise<void> {
  if (dir.trim() === "") throw new UsageError(`${flag} must name a folder but it is empty`);
  let at = resolve(dir);
  for (;;) {
    let info: Deno.FileInfo | undefined;
    try {
      info = await Deno.stat(at);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory)) {
        throw failedOn(flag, dir, "cannot write to", e);
      }
    }
    if (info !== undefined) {
      if (!info.isDirectory) {
        const where = at === resolve(dir) ? "" : ` (${JSON.stringify(at)} is a file)`;
        throw new UsageError(`${flag} ${JSON.stringify(dir)} is not a directory${where}`);
      }
      break;
    }
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  try {
    const probe = join(at, `.awing-write-test-${Deno.pid}-${crypto.randomUUID()}`);
    await Deno.writeFile(probe, new Uint8Array(), { createNew: true });
    await Deno.remove(probe);
  } catch (e) {
    throw failedOn(flag, dir, "cannot write to", e);
  }
}

/**
 * One line for an I/O failure on the path a flag gave: `cannot write to --out "x": Permission
 * denied (os error 13)`. A missing permission stays Deno's own error (its message names the
 * permission flag).
 */
export function failedOn(flag: string, path: string, what: string, e: unknown): Error {
  if (e instanceof Deno.errors.NotCapable) return e;
  return new CliError(`${what} ${flag} ${JSON.stringify(path)}: ${oneLine(e)}`);
}

/**
 * `e` itself, unless it is an operating-system error (a Deno I/O error other than a missing
 * permission): then {@link failedOn}'s line naming the flag.
 */
export function osErrorOn(flag: string, path: string, what: string, e: unknown): unknown {
  const os = Object.values(Deno.errors).some((E) => e instanceof E);
  return os ? failedOn(flag, path, what, e) : e;
}

/** Identity of an existing file (device and inode), or undefined when there is none. */
async function fileIdentity(path: string): Promise<string | undefined> {
  try {
    const info = await Deno.stat(path);
    if (info.dev !== null && info.ino !== null) return `${info.dev}:${info.ino}`;
    return `path:${await Deno.realPath(path)}`;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw e;
  }
}

/** True when both paths name the same existing file or folder (through links too). */
export async function sameFile(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([fileIdentity(a), fileIdentity(b)]);
  return x !== undefined && x === y;
}

/**
 * Refuses, before any work, a run whose outputs would replace one of its inputs: an output
 * path that is an input file, or that reaches one through a symbolic or hard link. A user's
 * files are never overwritten: the message names the input and the flag to change.
 */
export async function refuseOverwrite(
  outputs: readonly string[],
  inputs: readonly string[],
  flag = "--out",
): Promise<void> {
  const ids = new Map<string, string>();
  for (const input of inputs) {
    const id = await fileIdentity(input);
    if (id !== undefined) ids.set(id, input);
  }
  for (const output of outputs) {
    const id = await fileIdentity(output);
    const input = id === undefined ? undefined : ids.get(id);
    if (input !== undefined) {
      throw new UsageError(
        `${flag} would overwrite the input ${JSON.stringify(input)} (as ${
          JSON.stringify(output)
        }): outputs never replace an input; choose another ${flag}`,
      );
    }
  }
}

/**
 * The files directly in `dir`, as paths to pass to {@link refuseOverwrite}: none when `dir` is
 * undefined or cannot be listed (the script's reading of it then says why).
 */
export async function filesIn(dir: string | undefined): Promise<string[]> {
  const files: string[] = [];
  if (dir === undefined) return files;
  try {
    for await (const e of Deno.readDir(dir)) if (e.isFile) files.push(join(dir, e.name));
  } catch {
    // reported where the folder is read
  }
  return files;
}

/**
 * Writes an output file atomically (a temporary file beside it, then a rename: a reader sees
 * the old file or the new one, never half of one), making its folder when missing; a failure
 * is one line naming the flag the path came from.
 */
export async function writeOutput(
  path: string,
  data: Uint8Array | string,
  flag = "--out",
): Promise<void> {
  try {
    await Deno.mkdir(dirname(path), { recursive: true });
    await _writeFileAtomic(path, data);
  } catch (e) {
    throw failedOn(flag, path, "cannot write", e);
  }
}

/** The one line a failure prints, and its exit code. */
export function describeFailure(name: string, error: unknown): { line: string; code: number } {
  // the whole message (and its causes) on one line: nothing is cut off after a line break
  const text = oneLine(error);
  if (error instanceof UsageError) return { line: `${name}: ${text} (see --help)`, code: 2 };
  // missing permissions (Deno's own one-line message names the flag), I/O, bad data, no GPU
  return { line: `${name}: ${text}`, code: 1 };
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
