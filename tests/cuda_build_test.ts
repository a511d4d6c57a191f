// The CUDA build knows what it built: its stamp's decision (targets, compiler, flags, sources,
// the library itself), the stamp of the library in build/ against the library's own report of
// its targets and the code its fat binaries carry, and, where nvcc is installed, an --arch build
// followed by a plain one, which must rebuild.
import { deepEqual, equal, match, throws } from "node:assert/strict";
import { join } from "node:path";
import {
  DEFAULT_TARGETS,
  staleReason,
  type Stamp,
  type StampInputs,
  stampPath,
  targetFlags,
} from "../scripts/build_cuda.ts";
import { describeFatbin, fatbinContents } from "../scripts/_fatbin.ts";
import { UsageError } from "../scripts/_cli.ts";
import { libraryPath, libraryTargets } from "../src/gpu/_ffi.ts";
import { closeCuda } from "../src/gpu/mod.ts";
import { cudaTestStatus } from "./_gpu.ts";
import { needs } from "./_permissions.ts";
import { withTempDir } from "./_temp_dir.ts";

const WANTED: StampInputs = {
  nvcc: "release 13.0, V13.0.88",
  targets: DEFAULT_TARGETS,
  flags: ["-O3", ...targetFlags(DEFAULT_TARGETS)],
  sources: { "src/cuda/kernels.cu": "aa", "src/cuda/awing.h": "bb" },
};

function stampText(changes: Partial<Stamp> = {}): string {
  const stamp: Stamp = { ...WANTED, runtime: "static", library: "11", carries: "", ...changes };
  return JSON.stringify(stamp);
}

Deno.test("the build stamp decides: any change of targets, compiler, flags or sources rebuilds", () => {
  equal(staleReason(WANTED, stampText(), "11"), undefined);
  equal(staleReason(WANTED, undefined, undefined), "there is no library");
  equal(staleReason(WANTED, undefined, "11"), "the library has no build stamp");
  equal(staleReason(WANTED, "{", "11"), "the build stamp is not JSON");
  equal(staleReason(WANTED, "null", "11"), "the build stamp is not an object");
  equal(staleReason(WANTED, stampText(), "12"), "the library is not the one its stamp describes");
  // an --arch sm_89 build, then a plain one
  const arch = { targets: ["sm_89"], flags: ["-O3", ...targetFlags(["sm_89"])] };
  equal(
    staleReason(WANTED, stampText(arch), "11"),
    'the targets differ (built: ["sm_89"]; wanted: ["sm_75","sm_80","sm_90","compute_75"])',
  );
  equal(staleReason({ ...WANTED, ...arch }, stampText(arch), "11"), undefined);
  match(staleReason(WANTED, stampText({ nvcc: "release 12.8" }), "11")!, /^the compilers differ/);
  match(staleReason(WANTED, stampText({ flags: ["-O2"] }), "11")!, /^the flags differ/);
  equal(
    staleReason(WANTED, stampText({ sources: { "src/cuda/kernels.cu": "ab" } }), "11"),
    "sources changed: src/cuda/awing.h, src/cuda/kernels.cu",
  );
  const extra = { ...WANTED.sources, "src/cuda/new.h": "cc" };
  equal(
    staleReason(WANTED, stampText({ sources: extra }), "11"),
    "sources changed: src/cuda/new.h",
  );
});

Deno.test("targets become -gencode flags and the macro the library reports them by", () => {
  deepEqual(targetFlags(["sm_89"]), [
    "-gencode",
    "arch=compute_89,code=sm_89",
    "-DAWL_TARGETS=sm_89",
  ]);
  deepEqual(targetFlags(DEFAULT_TARGETS), [
    "-gencode",
    "arch=compute_75,code=sm_75",
    "-gencode",
    "arch=compute_80,code=sm_80",
    "-gencode",
    "arch=compute_90,code=sm_90",
    "-gencode",
    "arch=compute_75,code=compute_75",
    "-DAWL_TARGETS=sm_75+sm_80+sm_90+compute_75",
  ]);
  deepEqual(targetFlags(["sm_90a"]).slice(0, 2), ["-gencode", "arch=compute_90a,code=sm_90a"]);
  throws(() => targetFlags(["90"]), UsageError);
  throws(() => targetFlags(["sm_90;rm"]), UsageError);
});

const { haveLib, noLib } = cudaTestStatus();
const STAMP = needs("read", "ffi");

Deno.test({
  name: `the library in build/ is what its stamp says: targets, code, checksum${noLib}`,
  ignore: !haveLib || STAMP.ignore,
}, async () => {
  const lib = libraryPath();
  let text: string;
  try {
    text = await Deno.readTextFile(stampPath(lib));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    console.log(
      `no build stamp beside ${lib} (a library not built by build:cuda): nothing to check`,
    );
    return;
  }
  const stamp = JSON.parse(text) as Stamp;
  const bytes = await Deno.readFile(lib);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  equal(Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""), stamp.library);
  try {
    equal(libraryTargets("read the targets"), stamp.targets.join(" "));
  } finally {
    closeCuda();
  }
  // the fat binaries carry exactly the machine code and PTX of the targets
  const carried = fatbinContents(bytes);
  const arch = (kind: string): number[] =>
    stamp.targets.filter((t) => t.startsWith(kind)).map((t) => Number(/\d+/.exec(t)![0]));
  deepEqual(carried.machine, arch("sm_"));
  deepEqual([...new Set(carried.ptx.map((p) => p.arch))], arch("compute_"));
  equal(describeFatbin(carried), stamp.carries);
});

const NVCC = needs("run", "read", "write", "env");

async function nvccInstalled(): Promise<boolean> {
  if (NVCC.ignore) return false;
  try {
    return (await new Deno.Command("nvcc", { args: ["--version"], stdout: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

const haveNvcc = await nvccInstalled();

Deno.test({
  name: `an --arch sm_75 build followed by a plain build rebuilds, then is up to date${
    NVCC.why || (haveNvcc ? "" : " (skipped: nvcc not found)")
  }`,
  ignore: !haveNvcc,
}, async () => {
  await withTempDir("awing_build_", async (dir) => {
    const out = join(dir, "lib.so");
    const build = async (...args: string[]): Promise<string> => {
      const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "scripts/build_cuda.ts", "--out", out, ...args],
        cwd: new URL("..", import.meta.url),
        env: { NO_COLOR: "1" },
        stdin: "null",
      }).output();
      const text = new TextDecoder().decode(stdout);
      equal(code, 0, new TextDecoder().decode(stderr));
      return text;
    };
    match(await build("--arch", "sm_75"), /building .*lib\.so: there is no library/);
    deepEqual(fatbinContents(await Deno.readFile(out)).machine, [75]);
    match(await build("--arch", "sm_75"), /lib\.so is up to date \(sm_75;/);
    const plain = await build();
    match(plain, /building .*lib\.so: the targets differ \(built: \["sm_75"\]; wanted: /);
    match(plain, /it carries sm_75, sm_80, sm_90 machine code; compute_75 PTX \(ISA \d+\.\d+\)/);
    const carried = fatbinContents(await Deno.readFile(out));
    deepEqual(carried.machine, [75, 80, 90]);
    deepEqual(carried.ptx.map((p) => p.arch), [75]);
    match(await build(), /lib\.so is up to date \(sm_75 sm_80 sm_90 compute_75;/);
  });
});
