/**
 * Builds the awing CUDA library from `src/cuda/` with nvcc into `build/libawing_cuda.so`
 * (ignored by git), the library that `src/gpu/` loads through Deno FFI.
 *
 * Targets: sm_75, sm_80 (A100) and sm_90 (H100/H200) machine code plus compute_75 PTX, which
 * the driver compiles for newer GPUs at load time. The CUDA runtime is linked statically when
 * that works, so the library needs only the driver (libcuda.so) at run time. Building needs
 * no GPU.
 *
 * A build stamp beside the library (`libawing_cuda.so.stamp.json`) records what was built: the
 * compiler, the targets, the flags, a SHA-256 of every source and of the library itself, and
 * the code the library's fat binaries carry. A build is skipped only when all of them are what
 * this build would use, so that `--arch sm_89` followed by a plain build rebuilds.
 *
 * Usage: `deno task build:cuda [--force] [--arch sm_XX ...] [--nvcc PATH] [--out PATH]`.
 * `--arch` (repeatable) replaces the default targets, e.g. `--arch sm_89` for a local card;
 * the environment variable NVCC names the compiler too. Exits non-zero with a clear message
 * when nvcc is missing or the build fails.
 *
 * @module
 */
import { CliError, parseCli, runCli, UsageError } from "./_cli.ts";
import { describeFatbin, fatbinContents } from "./_fatbin.ts";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCES_DIR = join(ROOT, "src", "cuda");
const DEFAULT_OUT = join(ROOT, "build", "libawing_cuda.so");
/**
 * sm_80 (A100) and sm_90 (H100/H200) machine code, plus sm_75 (T4) and compute_75 PTX that
 * the driver compiles for any newer GPU: the kernels need nothing beyond sm_75, and a device
 * the library has no code for would otherwise be picked by "auto" and then fail.
 */
export const DEFAULT_TARGETS = ["sm_75", "sm_80", "sm_90", "compute_75"];
const FLAGS = [
  "-std=c++17",
  "-O3",
  "-shared",
  "-Xcompiler",
  "-fPIC,-fvisibility=hidden,-Wall,-Wextra",
  "--threads",
  "0", // one host thread per target: the targets compile in parallel
];

/** nvcc's -gencode arguments for targets such as `sm_90` (machine code) and `compute_75`
 * (PTX), and the macro by which the library reports them (`awl_build_targets`). */
export function targetFlags(targets: readonly string[]): string[] {
  const flags = targets.flatMap((t) => {
    const m = /^(sm|compute)_(\d+a?)$/.exec(t);
    if (!m) throw new UsageError(`--arch must look like sm_90, not "${t}"`);
    return ["-gencode", `arch=compute_${m[2]},code=${t}`];
  });
  return [...flags, `-DAWL_TARGETS=${targets.join("+")}`];
}

/** What a build is made from: a build is up to date only when all of it is unchanged. */
export interface StampInputs {
  /** nvcc's version line. */
  nvcc: string;
  /** The targets, such as `["sm_75", "sm_80", "sm_90", "compute_75"]`. */
  targets: string[];
  /** nvcc's flags but for the output and the sources. */
  flags: string[];
  /** SHA-256 of each source (`.cu`, `.cpp`, `.h`), by its path relative to the repository. */
  sources: Record<string, string>;
}

/** The build stamp: what the library was built from and what it is. */
export interface Stamp extends StampInputs {
  /** How the CUDA runtime is linked: `"static"`, or `"shared"` when static linking failed. */
  runtime: string;
  /** SHA-256 of the library file. */
  library: string;
  /** The code its fat binaries carry, in words. */
  carries: string;
}

/** The stamp file of a library. */
export function stampPath(library: string): string {
  return `${library}.stamp.json`;
}

function differs(what: string, built: unknown, wanted: unknown): string | undefined {
  const a = JSON.stringify(built), b = JSON.stringify(wanted);
  return a === b ? undefined : `the ${what} differ (built: ${a}; wanted: ${b})`;
}

/**
 * Why the library must be (re)built, or undefined when it is up to date: `stampText` is the
 * stamp file's text (undefined when there is none), `librarySha256` the SHA-256 of the library
 * file (undefined when there is none).
 */
export function staleReason(
  wanted: StampInputs,
  stampText: string | undefined,
  librarySha256: string | undefined,
): string | undefined {
  if (librarySha256 === undefined) return "there is no library";
  if (stampText === undefined) return "the library has no build stamp";
  let stamp: Partial<Stamp>;
  try {
    stamp = JSON.parse(stampText);
  } catch {
    return "the build stamp is not JSON";
  }
  if (typeof stamp !== "object" || stamp === null) return "the build stamp is not an object";
  if (stamp.library !== librarySha256) return "the library is not the one its stamp describes";
  const built = stamp.sources ?? {};
  const changed = Object.keys({ ...built, ...wanted.sources }).sort()
    .filter((path) => built[path] !== wanted.sources[path]);
  return differs("targets", stamp.targets, wanted.targets) ??
    differs("compilers", stamp.nvcc, wanted.nvcc) ??
    differs("flags", stamp.flags, wanted.flags) ??
    (changed.length === 0 ? undefined : `sources changed: ${changed.join(", ")}`);
}

function fail(message: string): never {
  throw new CliError(message);
}

const HELP = `Usage: deno task build:cuda [--force] [--arch sm_XX ...] [--nvcc PATH] [--out PATH]

Builds the CUDA library from src/cuda/ with nvcc into build/libawing_cuda.so (sm_75, sm_80 and
sm_90 machine code plus compute_75 PTX; the CUDA runtime linked statically when possible).
Needs nvcc, not a GPU. A stamp beside the library (.stamp.json) records the compiler, targets,
flags and sources it was built from; the build is skipped only when all are unchanged.

Options:
  --force              rebuild even when up to date
  --arch sm_XX         target architecture, repeatable, replacing the defaults (e.g. sm_89;
                       compute_XX embeds PTX)
  --nvcc PATH          the compiler (default: $NVCC, else nvcc on PATH or /usr/local/cuda/bin)
  --out PATH           the library file (default: build/libawing_cuda.so)
  -h, --help           print this help
`;

async function listSources(): Promise<{ compile: string[]; all: string[] }> {
  const compile: string[] = [], all: string[] = [];
  for await (const entry of Deno.readDir(SOURCES_DIR)) {
    if (!entry.isFile) continue;
    const path = join(SOURCES_DIR, entry.name);
    if (/\.(cu|cpp)$/.test(entry.name)) compile.push(path);
    if (/\.(cu|cpp|h)$/.test(entry.name)) all.push(path);
  }
  return { compile: compile.sort(), all: all.sort() };
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The SHA-256 of a file, or undefined when it does not exist. */
async function fileSha256(path: string): Promise<string | undefined> {
  try {
    return await sha256(await Deno.readFile(path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function nvccVersion(nvcc: string): Promise<string> {
  try {
    const { success, stdout } = await new Deno.Command(nvcc, { args: ["--version"] }).output();
    if (!success) fail(`"${nvcc} --version" failed`);
    const text = new TextDecoder().decode(stdout);
    return /release [^\n]*/.exec(text)?.[0] ?? text.trim().split("\n").at(-1) ?? "";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      fail(
        `nvcc not found ("${nvcc}"): install the CUDA toolkit (12.x or 13.x) and put nvcc on ` +
          "PATH, or name it with --nvcc PATH or the NVCC environment variable. The CUDA " +
          "library is optional: without it the package runs on WASM",
      );
    }
    throw error;
  }
}

async function runNvcc(nvcc: string, args: string[]): Promise<boolean> {
  console.log(`build:cuda: ${nvcc} ${args.map((a) => relative(ROOT, a) || a).join(" ")}`);
  const { success } = await new Deno.Command(nvcc, {
    args,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  return success;
}

async function main(args: string[]): Promise<void> {
  const cli = parseCli(args, {
    force: { type: "boolean", default: false },
    arch: { type: "string", multiple: true },
    nvcc: { type: "string" },
    out: { type: "string" },
  }, HELP);
  if (cli === undefined) return;
  const values = cli.values as unknown as {
    force: boolean;
    arch?: string[];
    nvcc?: string;
    out?: string;
  };
  const targets = values.arch?.length ? values.arch : DEFAULT_TARGETS;
  const flags = [...FLAGS, ...targetFlags(targets)];
  const nvcc = values.nvcc ?? Deno.env.get("NVCC") ??
    (await exists("/usr/local/cuda/bin/nvcc") && !(await onPath("nvcc"))
      ? "/usr/local/cuda/bin/nvcc"
      : "nvcc");
  const out = values.out ?? DEFAULT_OUT;
  const { compile, all } = await listSources();
  if (compile.length === 0) fail(`no .cu or .cpp sources in ${SOURCES_DIR}`);
  const sources: Record<string, string> = {};
  for (const path of all) {
    sources[relative(ROOT, path)] = (await fileSha256(path))!;
  }
  const wanted: StampInputs = { nvcc: await nvccVersion(nvcc), targets, flags, sources };
  const inRepo = relative(ROOT, out);
  const name = inRepo.startsWith("..") ? out : inRepo;
  const stale = values.force
    ? "--force"
    : staleReason(wanted, await readText(stampPath(out)), await fileSha256(out));
  if (stale === undefined) {
    console.log(`build:cuda: ${name} is up to date (${targets.join(" ")}; --force rebuilds)`);
    return;
  }
  console.log(`build:cuda: building ${name}: ${stale}`);
  console.log(`build:cuda: nvcc ${wanted.nvcc}`);
  await Deno.mkdir(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${Deno.pid}`;
  const started = performance.now();
  const base = [...flags, "-o", tmp, ...compile];
  let ok = await runNvcc(nvcc, ["-cudart", "static", ...base]);
  let runtime = "static";
  if (!ok) {
    console.error("build:cuda: linking the CUDA runtime statically failed; trying shared");
    ok = await runNvcc(nvcc, ["-cudart", "shared", ...base]);
    runtime = "shared";
  }
  if (!ok) {
    await Deno.remove(tmp).catch(() => {});
    fail("nvcc failed (see its output above)");
  }
  const library = await Deno.readFile(tmp);
  const carries = describeFatbin(fatbinContents(library));
  const stamp: Stamp = { ...wanted, runtime, library: await sha256(library), carries };
  // the library first: a stamp that does not describe it (an interrupted build) means stale
  await Deno.writeTextFile(`${tmp}.stamp`, JSON.stringify(stamp, null, 2) + "\n");
  await Deno.rename(tmp, out);
  await Deno.rename(`${tmp}.stamp`, stampPath(out));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const linked = runtime === "static" ? "static" : "shared (libcudart.so is needed at run time)";
  console.log(`build:cuda: wrote ${name} (CUDA runtime ${linked}) in ${seconds} s`);
  console.log(`build:cuda: it carries ${carries}`);
}

async function onPath(command: string): Promise<boolean> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir && await exists(join(dir, command))) return true;
  }
  return false;
}

if (import.meta.main) await runCli("build:cuda", () => main(Deno.args));
