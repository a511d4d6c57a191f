// The scripts never overwrite a user's file and answer every usage mistake with one line and
// exit 2 before doing any work: predictions beside their images, an evaluation's CED over its
// ground truth, negative numbers, values the model cannot take, a file as --out or as
// --checkpoint, an unwritable --out. predict and train --data read a .pts of the wrong size
// the same way. The scripts run as subprocesses on temporary files.
import { encode } from "fast-png";
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { createHeatmapModel, saveCheckpoint } from "../src/train/mod.ts";
import { maxStepBatch, modelSizes } from "../scripts/_train_flags.ts";
import { needs, READ } from "./_permissions.ts";
import { withTempDir } from "./_temp_dir.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const RUN = needs("run", "read", "write", "env");

interface Outcome {
  code: number;
  out: string;
  err: string;
}

async function run(
  script: string,
  args: string[],
  flags = ["--allow-read", "--allow-write", "--allow-env"],
): Promise<Outcome> {
  const o = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, script, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const text = new TextDecoder();
  return { code: o.code, out: text.decode(o.stdout), err: text.decode(o.stderr).trim() };
}

/** Exactly one line on stderr, this exit code, this pattern. */
function oneLine(what: string, o: Outcome, code: number, pattern: RegExp): void {
  equal(o.code, code, `${what}: exit code (stderr: ${o.err})`);
  equal(o.err.split("\n").length, 1, `${what}: one line, got ${JSON.stringify(o.err)}`);
  ok(!o.err.includes("os error") || /--[a-z]/.test(o.err), `${what}: an OS error names its flag`);
  match(o.err, pattern, what);
}

/** Every file under `dir` (relative path -> bytes). */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    for await (const e of Deno.readDir(join(dir, rel))) {
      const name = join(rel, e.name);
      if (e.isDirectory) await walk(name);
      else if (e.isSymlink) files.set(name, `-> ${await Deno.readLink(join(dir, name))}`);
      else if (e.isFile) files.set(name, String(await Deno.readFile(join(dir, name))));
    }
  };
  await walk("");
  return files;
}

const PTS = (n: number): string =>
  `version: 1\nn_points: ${n}\n{\n${
    Array.from({ length: n }, (_, k) => `${20 + (k % 10) * 4} ${15 + Math.floor(k / 10) * 4}`)
      .join("\n")
  }\n}\n`;

/** A checkpoint and a folder of two images, a.png with its a.pts and an old a.svg, and b.png. */
async function setUp(dir: string): Promise<{ ckpt: string; images: string }> {
  const model = createHeatmapModel({ width: 4, levels: 1 });
  const ckpt = join(dir, "ckpt");
  await saveCheckpoint(model, ckpt);
  model.dispose();
  const images = join(dir, "images");
  await Deno.mkdir(images);
  const data = new Uint8Array(80 * 60 * 3).map((_, i) => (i * 37) % 251);
  const png = encode({ width: 80, height: 60, data, channels: 3 });
  await Deno.writeFile(join(images, "a.png"), png);
  await Deno.writeFile(join(images, "b.png"), png);
  await Deno.writeTextFile(join(images, "a.pts"), PTS(68));
  await Deno.writeTextFile(join(images, "a.svg"), "<svg>the user's own drawing</svg>");
  return { ckpt, images };
}

Deno.test({
  name: `predict never overwrites an image, an annotation or any file read${RUN.why}`,
  ignore: RUN.ignore,
}, async () => {
  await withTempDir("awing_safety_", async (dir) => {
    const { ckpt, images } = await setUp(dir);
    const before = await snapshot(dir);
    const predict = (out: string, extra: string[] = []) =>
      run("scripts/predict.ts", ["--checkpoint", ckpt, "--images", images, "--out", out, ...extra]);
    // the same folder, by another spelling, and through a symbolic link
    await Deno.symlink(images, join(dir, "link"));
    // an output folder whose a.pts is a link to the annotation (symbolic, then hard)
    await Deno.mkdir(join(dir, "sym"));
    await Deno.symlink(join(images, "a.pts"), join(dir, "sym", "a.pts"));
    await Deno.mkdir(join(dir, "hard"));
    await Deno.link(join(images, "a.pts"), join(dir, "hard", "a.pts"));
    const outcomes = await Promise.all([
      predict(images),
      predict(join(images, ".")),
      predict(join(dir, "link")),
      predict(join(dir, "sym")),
      predict(join(dir, "hard")),
    ]);
    for (const o of outcomes.slice(0, 3)) {
      oneLine(
        "--out = --images",
        o,
        2,
        /^predict: --out ".*" is the --images folder: .* \(see --help\)$/,
      );
    }
    for (const o of outcomes.slice(3)) {
      oneLine(
        "--out/a.pts is a link",
        o,
        2,
        /^predict: --out would overwrite the input ".*a\.pts"/,
      );
    }
    // nothing changed, nothing was added but the links made above
    const after = await snapshot(dir);
    for (const [name, bytes] of before) equal(after.get(name), bytes, name);
    deepEqual(
      [...after.keys()].filter((n) => !before.has(n)).sort(),
      ["hard/a.pts", "link", "sym/a.pts"],
    );
    // a separate folder works, and the annotations are still the user's
    const fine = await predict(join(dir, "out"));
    equal(fine.code, 0, fine.err);
    equal(await Deno.readTextFile(join(images, "a.pts")), PTS(68));
    equal(await Deno.readTextFile(join(images, "a.svg")), "<svg>the user's own drawing</svg>");
    ok((await Deno.readTextFile(join(dir, "out", "a.svg"))).includes("<circle"));
    // no temporary file is left beside the outputs
    deepEqual([...Deno.readDirSync(join(dir, "out"))].map((e) => e.name).sort(), [
      "a.pts",
      "a.svg",
      "b.pts",
      "b.svg",
    ]);
  });
});

Deno.test({
  name:
    `predict: --checkpoint naming model.json, --out naming a file, two images of one name${RUN.why}`,
  ignore: RUN.ignore,
}, async () => {
  await withTempDir("awing_safety_", async (dir) => {
    const { ckpt, images } = await setUp(dir);
    const file = join(dir, "a-file");
    await Deno.writeTextFile(file, "");
    const base = ["--checkpoint", ckpt, "--images", images];
    const [json, outFile, truncated] = await Promise.all([
      run("scripts/predict.ts", ["--checkpoint", join(ckpt, "model.json"), "--images", images]),
      run("scripts/predict.ts", [...base, "--out", file]),
      run("scripts/predict.ts", [...base, "--out", join(file, "x")]),
    ]);
    oneLine(
      "--checkpoint model.json",
      json,
      2,
      /^predict: --checkpoint ".*model\.json" is a file: pass the folder that holds model\.json and its weights \(".*ckpt"\) \(see --help\)$/,
    );
    oneLine("--out file", outFile, 2, /^predict: --out ".*a-file" is not a directory/);
    oneLine("--out under a file", truncated, 2, /^predict: --out ".*a-file\/x" is not a directory/);
    await Deno.writeFile(join(images, "b.jpg"), new Uint8Array([0xff, 0xd8, 0xff, 0xd9]));
    const twins = await run("scripts/predict.ts", [...base, "--out", join(dir, "o")]);
    oneLine("a.png and a.jpg", twins, 1, /"b\.jpg" and "b\.png", which would both write b\.pts/);
    // a truncated image: the whole reason on one line
    await Deno.remove(join(images, "b.jpg"));
    const png = await Deno.readFile(join(images, "b.png"));
    await Deno.writeFile(join(images, "b.png"), png.subarray(0, png.length - 30));
    const cut = await run("scripts/predict.ts", [...base, "--out", join(dir, "o")]);
    oneLine(
      "truncated",
      cut,
      1,
      /^predict: Cannot decode image ".*b\.png": the PNG data is cut short/,
    );
  });
});

Deno.test({
  name: `predict and train --data refuse a .pts of the wrong size with the same message${RUN.why}`,
  ignore: RUN.ignore,
}, async () => {
  await withTempDir("awing_safety_", async (dir) => {
    const { ckpt, images } = await setUp(dir);
    await Deno.writeTextFile(join(images, "b.pts"), PTS(5));
    const [predicted, trained] = await Promise.all([
      run("scripts/predict.ts", ["--checkpoint", ckpt, "--images", images, "--out", dir + "/o"]),
      run("scripts/train.ts", [
        "--data",
        images,
        "--out",
        join(dir, "t"),
        "--steps",
        "1",
        "--quiet",
      ]),
    ]);
    const message =
      `Cannot load image folder "${images}": Cannot parse PTS "b.pts": n_points is 5 but expected 68`;
    equal(predicted.err, `predict: ${message}`);
    equal(trained.err, `train: ${message}`);
    equal(predicted.code, 1);
    equal(trained.code, 1);
  });
});

Deno.test({
  name: `train: usage mistakes exit 2 naming the flag, before any work${RUN.why}`,
  ignore: RUN.ignore,
}, async () => {
  await withTempDir("awing_safety_", async (dir) => {
    const file = join(dir, "a-file");
    await Deno.writeTextFile(file, "");
    const out = ["--out", join(dir, "never")];
    const cases: [string[], RegExp][] = [
      [["--steps", "-5"], /^train: --steps must be an integer >= 1 but it is -5 \(see --help\)$/],
      [["--seed", "-1"], /^train: --seed must be an integer >= 0 but it is -1/],
      [["--lr", "-0.1"], /^train: --lr must be a number > 0 but it is -0\.1/],
      [["--steps", "20000000"], /^train: --steps must be an integer <= 10000000/],
      [["--stride", "3"], /^train: --stride must be 1, 2 or 4 but it is "3"/],
      [["--levels", "10"], /^train: --levels must be at most 5 with --stride 2 .* but it is 10/],
      [["--stride", "4", "--levels", "5"], /^train: --levels must be at most 4 with --stride 4/],
      [["--batch", "1000000"], /^train: --batch must be an integer <= \d+ but it is 1000000/],
      [["--batch", "2000"], /^train: --batch must be at most \d+ for this model .* but it is 2000/],
      [["--width", "0"], /^train: --width must be an integer >= 1 but it is 0/],
      [["--width", "100000"], /^train: --width must be an integer <= 1024/],
      [
        ["--width", "1024", "--levels", "5", "--stride", "1"],
        /^train: --width 1024, --levels 5 and --head 0 make a model too large to train/,
      ],
      [["--head", "-1"], /^train: --head must be an integer >= 0 but it is -1/],
      [["--sigma", "0"], /^train: --sigma must be a number >= 0\.001 but it is 0/],
      [["--sigma", "1e9"], /^train: --sigma must be a number <= 1000/],
      [["--faces", "0"], /^train: --faces must be an integer >= 1/],
      [["--out", file], /^train: --out ".*a-file" is not a directory \(see --help\)$/],
      [["--out", join(file, "sub")], /^train: --out ".*a-file\/sub" is not a directory/],
      [["--out", ""], /^train: --out must name a folder but it is empty/],
    ];
    const outcomes = await Promise.all(
      cases.map(([args]) =>
        run("scripts/train.ts", [...(args.includes("--out") ? [] : out), ...args])
      ),
    );
    for (const [i, [args, pattern]] of cases.entries()) {
      oneLine(args.join(" "), outcomes[i]!, 2, pattern);
    }
    if (Deno.build.os === "linux") {
      // found before the data is loaded or a model is trained (no output folder appears)
      const t = performance.now();
      // (Deno asks for --allow-all to touch /proc)
      const proc = await run("scripts/train.ts", ["--out", "/proc/awing_out", "--steps", "1"], [
        "-A",
      ]);
      oneLine("unwritable --out", proc, 1, /^train: cannot write to --out "\/proc\/awing_out": /);
      ok(performance.now() - t < 60_000);
    }
    deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["a-file"]);
  });
});

Deno.test("the train script counts a model's parameters and activations as the model has them", () => {
  const configs = [
    { stride: 2, width: 16, levels: 3, head: 0, coordConv: false, boundary: false },
    { stride: 1, width: 4, levels: 0, head: 0, coordConv: true, boundary: true },
    { stride: 4, width: 3, levels: 4, head: 5, coordConv: false, boundary: true },
    { stride: 2, width: 5, levels: 2, head: 7, coordConv: true, boundary: false },
  ];
  for (const c of configs) {
    const model = createHeatmapModel({ ...c, inputSize: 64 });
    let activations = 0;
    for (const layer of model.layers) {
      const shape = layer.outputShape as number[];
      activations += shape.slice(1).reduce((a, d) => a * d, 1);
    }
    deepEqual(modelSizes(c), { params: model.countParams(), activations }, JSON.stringify(c));
    model.dispose();
  }
  // a model too large to be made at all is counted, not made
  const huge = modelSizes({
    stride: 1,
    width: 1024,
    levels: 5,
    head: 0,
    coordConv: false,
    boundary: false,
  });
  equal(maxStepBatch(huge), 0);
});

Deno.test({
  name: `train's help gives the largest batch of the default model${READ.why}`,
  ignore: READ.ignore,
}, () => {
  const max = maxStepBatch(
    modelSizes({ stride: 2, width: 16, levels: 3, head: 0, coordConv: false, boundary: false }),
  );
  const help = Deno.readTextFileSync(new URL("../scripts/train.ts", import.meta.url));
  ok(help.includes(`(about ${max} at the defaults)`), `about ${max}`);
});

Deno.test({
  name: `eval never writes its CED over an input; curves takes negative values${RUN.why}`,
  ignore: RUN.ignore,
}, async () => {
  await withTempDir("awing_safety_", async (dir) => {
    const gt = join(dir, "ced.csv");
    const header = ["image_name", "scale", "center_w", "center_h"].concat(
      Array.from({ length: 136 }, (_, i) => `${i % 2 ? "y" : "x"}${i >> 1}`),
    );
    const row = ["a.jpg", "1", "50", "50"].concat(Array.from({ length: 136 }, (_, i) => `${i}`));
    const text = `${header.join(",")}\n${row.join(",")}\n`;
    await Deno.writeTextFile(gt, text);
    const [same, neg, curves] = await Promise.all([
      run("scripts/evaluate.ts", ["--gt", gt, "--pred", gt, "--out", dir]),
      run("scripts/evaluate.ts", ["--gt", gt, "--pred", gt, "--thresholds", "-0.1"]),
      run("scripts/curves.ts", ["--alpha", "-1", "--out", join(dir, "c")]),
    ]);
    oneLine("eval --out over --gt", same, 2, /^eval: --out would overwrite the input ".*ced\.csv"/);
    equal(await Deno.readTextFile(gt), text);
    oneLine("eval negative", neg, 2, /^eval: --thresholds must be numbers > 0 but it has "-0\.1"/);
    oneLine(
      "curves negative",
      curves,
      2,
      /^curves: Cannot compute loss as alpha must be > 1 \+ max\(target\)/,
    );
    deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["ced.csv"]);
  });
});

Deno.test({
  name: `deno task ok --help prints its usage instead of running CI${RUN.why}`,
  ignore: RUN.ignore,
}, async () => {
  const t = performance.now();
  for (const flag of ["--help", "-h"]) {
    const o = await new Deno.Command("bash", { args: [".ci/run", flag], cwd: ROOT }).output();
    equal(o.code, 0);
    match(new TextDecoder().decode(o.stdout), /^Usage: deno task ok/);
  }
  const bad = await new Deno.Command("bash", { args: [".ci/run", "--fast"], cwd: ROOT }).output();
  equal(bad.code, 2);
  equal(new TextDecoder().decode(bad.stderr), "ci: unknown argument '--fast' (see --help)\n");
  ok(performance.now() - t < 10_000);
});
