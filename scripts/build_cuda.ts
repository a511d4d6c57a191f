/**
 * Builds the awing CUDA library from `src/cuda/` with nvcc into `build/libawing_cuda.so`
 * (ignored by git), the library that `src/gpu/` loads through Deno FFI.
 *
 * Targets: sm_75, sm_80 (A100) and sm_90 (H100/H200) machine code plus compute_75 PTX, which
 * the driver compiles for newer GPUs at load time. The CUDA runtime is linked statically when
 * that works, so the library needs only the driver (libcuda.so) at run time. Building needs
 * no GPU.
 *
 * Usage: `deno task build:cuda [--force] [--arch sm_XX ...] [--nvcc PATH] [--out PATH]`.
 * `--arch` (repeatable) replaces the default targets, e.g. `--arch sm_89` for a local card;
 * the environment variable NVCC names the compiler too. Exits non-zero with a clear message
 * when nvcc is missing or the build fails.
 *
 * @module
 */
import { CliError, parseCli, runCli, UsageError } from "./_cli.ts";
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
const DEFAULT_GENCODE = [
  "-gencode",
  "arch=compute_75,code=sm_75",
  "-gencode",
  "arch=compute_80,code=sm_80",
  "-gencode",
  "arch=compute_90,code=sm_90",
  "-gencode",
  "arch=compute_75,code=compute_75",
];
const FLAGS = [
  "-std=c++17",
  "-O3",
  "-shared",
  "-Xcompiler",
  "-fPIC,-fvisibility=hidden,-Wall,-Wextra",
  "--threads",
  "0", // one host thread per target: the 3 targets compile in parallel
];

function fail(message: string): never {
  throw new CliError(message);
}

const HELP = `Usage: deno task build:cuda [--force] [--arch sm_XX ...] [--nvcc PATH] [--out PATH]

Builds the CUDA library from src/cuda/ with nvcc into build/libawing_cuda.so (sm_75, sm_80 and
sm_90 machine code plus compute_75 PTX; the CUDA runtime linked statically when possible).
Needs nvcc, not a GPU. Skips the build when the library is newer than its sources.

Options:
  --force              rebuild even when up to date
  --arch sm_XX         target architecture, repeatable, replacing the defaults (e.g. sm_89)
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

async function mtime(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).mtime?.getTime();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

async function upToDate(out: string, inputs: string[]): Promise<boolean> {
  const built = await mtime(out);
  if (built === undefined) return false;
  for (const input of [...inputs, fileURLToPath(import.meta.url)]) {
    const t = await mtime(input);
    if (t === undefined || t > built) return false;
  }
  return true;
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
  const nvcc = values.nvcc ?? Deno.env.get("NVCC") ??
    ((await mtime("/usr/local/cuda/bin/nvcc")) !== undefined && !(await onPath("nvcc"))
      ? "/usr/local/cuda/bin/nvcc"
      : "nvcc");
  const out = values.out ?? DEFAULT_OUT;
  const gencode = values.arch?.length
    ? values.arch.flatMap((a) => {
      const m = /^sm_(\d+a?)$/.exec(a);
      if (!m) throw new UsageError(`--arch must look like sm_90, not "${a}"`);
      return ["-gencode", `arch=compute_${m[1]},code=sm_${m[1]}`];
    })
    : DEFAULT_GENCODE;
  const { compile, all } = await listSources();
  if (compile.length === 0) fail(`no .cu or .cpp sources in ${SOURCES_DIR}`);
  if (!values.force && !values.arch && !values.out && await upToDate(out, all)) {
    console.log(`build:cuda: ${relative(ROOT, out)} is up to date (--force rebuilds)`);
    return;
  }
  const version = await nvccVersion(nvcc);
  console.log(`build:cuda: nvcc ${version}`);
  await Deno.mkdir(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${Deno.pid}`;
  const started = performance.now();
  const base = [...FLAGS, ...gencode, "-o", tmp, ...compile];
  let ok = await runNvcc(nvcc, ["-cudart", "static", ...base]);
  let runtime = "static";
  if (!ok) {
    console.error("build:cuda: linking the CUDA runtime statically failed; trying shared");
    ok = await runNvcc(nvcc, ["-cudart", "shared", ...base]);
    runtime = "shared (libcudart.so is needed at run time)";
  }
  if (!ok) {
    await Deno.remove(tmp).catch(() => {});
    fail("nvcc failed (see its output above)");
  }
  await Deno.rename(tmp, out);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`build:cuda: wrote ${relative(ROOT, out)} (CUDA runtime ${runtime}) in ${seconds} s`);
}

async function onPath(command: string): Promise<boolean> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir && (await mtime(join(dir, command))) !== undefined) return true;
  }
  return false;
}

if (import.meta.main) await runCli("build:cuda", () => main(Deno.args));
