// Every script explains itself: --help prints its usage and exits 0 (with no permission at
// all), and a mistake is one line on stderr, exit 2 for usage and 1 otherwise, never a stack
// trace. The scripts run as subprocesses.
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseLandmarkFile } from "../src/layouts/mod.ts";
import { evaluate } from "../src/metrics/mod.ts";
import { HAS_DATA, read, SKIP, WFLW_SUBSET_FILES } from "./_data.ts";
import { npyBytes } from "./_npy.ts";
import { needs } from "./_permissions.ts";
import { rng } from "./_random.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const RUN = needs("run", "read", "write");
const SCRIPTS = [
  "ablation",
  "bench",
  "bench_data",
  "bench_heatmaps",
  "bench_tfjs",
  "bench_train",
  "build_cuda",
  "build_wasm",
  "curves",
  "evaluate",
  "gpu_bench",
  "predict",
  "render_faces",
  "train",
];

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function deno(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

/** Runs a script with the given permission flags and arguments. */
function script(
  name: string,
  flags: string[],
  args: string[],
  env: Record<string, string> = {},
): Promise<Outcome> {
  return deno(["run", "--quiet", ...flags, `scripts/${name}.ts`, ...args], env);
}

/** The outcome is exactly one line on stderr, with this exit code, and no stack trace. */
function oneLine(what: string, o: Outcome, code: number, pattern: RegExp): void {
  equal(o.code, code, `${what}: exit code (stderr: ${o.stderr})`);
  const lines = o.stderr.trimEnd().split("\n");
  equal(lines.length, 1, `${what}: one line, got ${JSON.stringify(o.stderr)}`);
  ok(!/\n\s+at /.test(o.stderr) && !o.stderr.includes("Uncaught"), `${what}: no stack trace`);
  match(lines[0]!, pattern, what);
}

Deno.test({
  name: `every script answers --help and exits 0, with no permission${RUN.why}`,
  ignore: RUN.ignore,
}, async () => {
  const outcomes = await Promise.all(SCRIPTS.map((s) => script(s, [], ["--help"])));
  for (const [i, o] of outcomes.entries()) {
    equal(o.code, 0, `${SCRIPTS[i]} --help: ${o.stderr}`);
    match(o.stdout, /^Usage: /, `${SCRIPTS[i]} prints its usage`);
    match(o.stdout, /-h, --help/, `${SCRIPTS[i]} lists --help`);
    equal(o.stderr, "", `${SCRIPTS[i]} --help writes nothing on stderr`);
    // no task writes into the checkout's tracked files unless told to: outputs go to out/, build/
    for (
      const [, flag, where] of o.stdout.matchAll(/^ +(--out|--work) .*\(default:? ([^)]+)\)/gm)
    ) {
      match(where!, /^(out|build)(\/|$)/, `${SCRIPTS[i]} ${flag} defaults to ${where}`);
    }
  }
  const sh = await new Deno.Command("bash", { args: ["scripts/gpu_check.sh", "--help"], cwd: ROOT })
    .output();
  equal(sh.code, 0);
  match(new TextDecoder().decode(sh.stdout), /^Usage: bash scripts\/gpu_check.sh/);
});

Deno.test({
  name:
    `the AssemblyScript toolchain stays out of deno.lock, so other tasks never fetch it${RUN.why}`,
  ignore: RUN.ignore,
}, async () => {
  // The tasks that use deno.lock install every npm package of it before they start: the
  // compiler (binaryen alone is 94 MB) has its own import map and lockfile, for build:wasm only.
  const lock = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.lock")));
  const locked = [...Object.keys(lock.npm), ...Object.keys(lock.specifiers)];
  for (const name of ["assemblyscript", "binaryen"]) {
    ok(!locked.some((p) => p.replace(/^npm:/, "").startsWith(name)), `${name} is in deno.lock`);
  }
  const toolchain = JSON.parse(await Deno.readTextFile(join(ROOT, "scripts", "toolchain.lock")));
  ok(Object.keys(toolchain.npm).some((p) => p.startsWith("assemblyscript@")));
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  for (const task of ["build:wasm", "check:wasm"]) {
    match(
      config.tasks[task].command,
      /--config=scripts\/toolchain\.json --lock=scripts\/toolchain\.lock --frozen scripts\/build_wasm\.ts/,
      task,
    );
  }
  // the staleness check needs neither the compiler nor the network
  const check = await deno(["task", "-q", "check:wasm"]);
  equal(check.code, 0, check.stderr);
  match(check.stdout, /is up to date/);
});

Deno.test({
  name: `an unknown flag is one line and exit 2 in every script${RUN.why}`,
  ignore: RUN.ignore,
}, async () => {
  const outcomes = await Promise.all(SCRIPTS.map((s) => script(s, ["-A"], ["--no-such-flag"])));
  for (const [i, o] of outcomes.entries()) {
    oneLine(SCRIPTS[i]!, o, 2, /^[\w:]+: Unknown option '--no-such-flag' \(see --help\)$/);
  }
  const sh = await new Deno.Command("bash", {
    args: ["scripts/gpu_check.sh", "--no-such-flag"],
    cwd: ROOT,
    stdout: "null",
  }).output();
  equal(sh.code, 2);
  equal(
    new TextDecoder().decode(sh.stderr),
    "gpu_check: unknown argument '--no-such-flag' (see --help)\n",
  );
});

Deno.test({
  name: `bad values, a bad --out and missing permissions are one line${RUN.why}`,
  ignore: RUN.ignore,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "awing_scripts_" });
  try {
    const file = join(dir, "a-file");
    await Deno.writeTextFile(file, "");
    const rw = ["--allow-read", "--allow-write"];
    const cases: [string, Promise<Outcome>, number, RegExp][] = [
      [
        "curves --points",
        script("curves", rw, ["--points", "4"]),
        2,
        /^curves: Cannot draw curves as points must be an odd integer/,
      ],
      [
        "curves --alpha",
        script("curves", rw, ["--alpha", "x"]),
        2,
        /^curves: --alpha must be a number but it is "x"/,
      ],
      [
        "curves --format",
        script("curves", rw, ["--format", "gif"]),
        2,
        /^curves: --format must be svg or png/,
      ],
      [
        "curves --out file",
        script("curves", rw, ["--out", file]),
        2,
        /^curves: --out ".*a-file" is not a directory \(see --help\)$/,
      ],
      [
        "curves no write",
        script("curves", ["--allow-read"], ["--out", join(dir, "o")]),
        1,
        /^curves: Requires write access to .*--allow-write/,
      ],
      [
        "eval no --gt",
        script("evaluate", rw, ["--pred", file]),
        2,
        /^eval: --gt and --pred are required \(see --help\)$/,
      ],
      [
        "eval --norm",
        script("evaluate", rw, ["--gt", file, "--pred", file, "--norm", "iod"]),
        2,
        /^eval: --norm must be one of inter-ocular/,
      ],
      [
        "eval --thresholds",
        script("evaluate", rw, ["--gt", file, "--pred", file, "--thresholds", "0.1,-1"]),
        2,
        /^eval: --thresholds must be numbers > 0/,
      ],
      [
        "eval missing file",
        script("evaluate", rw, ["--gt", join(dir, "none.txt"), "--pred", file]),
        1,
        /^eval: cannot read --gt ".*none.txt": No such file/,
      ],
      [
        "eval empty file",
        script("evaluate", rw, ["--gt", file, "--pred", file]),
        1,
        /^eval: Cannot read landmarks "a-file": unknown format/,
      ],
      [
        "eval no read",
        script("evaluate", [], ["--gt", file, "--pred", file]),
        1,
        /^eval: Requires read access to .*--allow-read/,
      ],
      [
        "eval --out file",
        script("evaluate", rw, ["--gt", file, "--pred", file, "--out", file]),
        2,
        /is not a directory/,
      ],
      [
        "bench --reps",
        script("bench", ["-A"], ["--reps", "0"]),
        2,
        /^bench: --reps must be an integer >= 1 but it is 0/,
      ],
      [
        "bench --sizes",
        script("bench", ["-A"], ["--sizes", "8x68"]),
        2,
        /^bench: --sizes must list shapes NxKxH/,
      ],
      [
        "build_cuda --arch",
        script("build_cuda", ["-A"], ["--arch", "90"]),
        2,
        /^build:cuda: --arch must look like sm_90, not "90"/,
      ],
      [
        "gpu_bench shape",
        script("gpu_bench", ["-A"], ["3x4"]),
        2,
        /^bench:gpu: Cannot parse shape "3x4"/,
      ],
      [
        "build_wasm no read",
        script("build_wasm", [], ["--check"]),
        1,
        /^build:wasm: Requires read access/,
      ],
      [
        "gpu_bench without the CUDA library",
        script("gpu_bench", ["-A"], ["--reps", "1", "1x1x4x4"], {
          AWL_CUDA_LIB: join(dir, "no-such-lib.so"),
        }),
        1,
        /^bench:gpu: .*no-such-lib\.so/,
      ],
    ];
    if (Deno.build.os === "linux") {
      // a folder that cannot be made, even by root
      cases.push([
        "curves unwritable --out",
        script("curves", ["-A"], ["--out", "/proc/awing_out"]),
        1,
        /^curves: cannot write to --out "\/proc\/awing_out": /,
      ]);
    }
    const outcomes = await Promise.all(cases.map(([, o]) => o));
    for (const [i, [what, , code, pattern]] of cases.entries()) {
      oneLine(what, outcomes[i]!, code, pattern);
    }
    // nothing was written for the refused runs
    deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["a-file"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: `deno task eval scores a NumPy prediction as evaluate() does${SKIP || RUN.why}`,
  ignore: !HAS_DATA || RUN.ignore,
  async fn(): Promise<void> {
    const dir = await Deno.makeTempDir({ prefix: "awing_eval_" });
    try {
      const gtFile = join(dir, "wflw_blur.txt");
      await Deno.writeTextFile(gtFile, read(WFLW_SUBSET_FILES.blur));
      const gt = parseLandmarkFile(read(WFLW_SUBSET_FILES.blur), { name: "blur.txt" });
      const rand = rng(11);
      const pred = gt.landmarks.map((v) => v + (rand() - 0.5) * 8);
      const predFile = join(dir, "pred.npy");
      await Deno.writeFile(predFile, npyBytes(pred, [gt.count, 98, 2]));
      const out = join(dir, "figures");
      const flags = ["--allow-read", "--allow-write"];
      const args = ["--gt", gtFile, "--pred", predFile, "--json", "--out", out];
      const o = await script("evaluate", flags, args);
      equal(o.code, 0, o.stderr);
      const json = JSON.parse(o.stdout);
      const want = evaluate(Float32Array.from(pred), gt.landmarks, {
        layout: "wflw",
        norm: "inter-ocular",
      });
      equal(json.count, 773);
      ok(Math.abs(json.nme - want.nme) <= 1e-12 * want.nme, `${json.nme} vs ${want.nme}`);
      deepEqual(json.thresholds, want.thresholds);
      equal(json.nmes.length, 773);
      const svg = await Deno.readTextFile(join(out, "ced.svg"));
      ok(svg.startsWith("<svg") && svg.includes("Full (NME"));
      equal((await Deno.readTextFile(join(out, "ced.csv"))).split("\n")[0], "nme,fraction");
      // the table, by default
      const table = await script("evaluate", flags, ["--gt", gtFile, "--pred", predFile]);
      equal(table.code, 0);
      match(table.stdout, /^773 faces of 98 points, NME normalised by inter-ocular\n/);
      match(table.stdout, new RegExp(`NME \\(%\\) +${(100 * want.nme).toFixed(2)}\n`));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
