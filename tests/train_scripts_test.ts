// The training scripts end to end: the quick ablation writes its files, train and predict
// answer bad input with one line, predict writes landmarks for a folder of images.
import { encode } from "fast-png";
import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { parsePts } from "../src/layouts/parse_pts.ts";
import { createHeatmapModel, saveCheckpoint } from "../src/train/mod.ts";
import { HAS_DATA, SKIP } from "./_data.ts";
import { needs } from "./_permissions.ts";

const ROOT = new URL("..", import.meta.url).pathname;

async function run(script: string, args: string[]): Promise<{ code: number; err: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", "--allow-env", "--allow-run", script, ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, err: new TextDecoder().decode(out.stderr).trim() };
}

/** The scripts run as subprocesses on temporary files. */
const RUN = needs("run", "read", "write");

Deno.test({
  name: `ablation --quick runs the sweep, the runs, the comparisons and the report, and resumes${
    RUN.why || SKIP
  }`,
  ignore: RUN.ignore || !HAS_DATA,
  async fn(): Promise<void> {
    const dir = await Deno.makeTempDir();
    const args = ["--quick", "--out", join(dir, "out"), "--work", join(dir, "runs")];
    const read = async (name: string) =>
      JSON.parse(await Deno.readTextFile(join(dir, "out", name)));
    try {
      const { code, err } = await run("scripts/ablation.ts", args);
      equal(code, 0, err);
      const records = await read("ablation.json");
      const names = ["mse", "wing", "awing-nomap", "awing", "awing+coord+boundary"];
      deepEqual(records.map((r: { name: string }) => r.name).sort(), [...names].sort());
      for (const r of records) {
        ok(r.steps >= 10 && r.nme > 0 && r.fr >= 0 && r.auc >= 0, r.name);
        equal(r.testNmes.length, 16);
        ok(r.valCurve.length >= 10);
        equal(r.evalSeed, records[0].evalSeed);
        equal(typeof r.flattened, "boolean");
      }
      // the sweep: at least 3 rates per loss, on seed 0
      const sweep = await read("sweep.json");
      for (const loss of ["mse", "wing", "awing-nomap", "awing"]) {
        ok(sweep.filter((r: { loss: string }) => r.loss === loss).length >= 3, loss);
      }
      const comparisons = await read("comparisons.json");
      deepEqual(
        comparisons.map((c: { a: string; b: string }) => `${c.a} ${c.b}`),
        ["mse awing-nomap", "awing-nomap awing", "awing awing+coord+boundary", "mse wing"],
      );
      for (const c of comparisons) {
        ok(c.ci95[0] <= c.meanDiff && c.meanDiff <= c.ci95[1]);
        ok(c.ci95Seeds[0] <= c.meanDiff && c.meanDiff <= c.ci95Seeds[1]);
      }
      const md = await Deno.readTextFile(join(dir, "out", "ablation.md"));
      ok(
        md.includes(
          "| configuration | lr | seeds | NME % | FR@0.1 % | AUC@0.1 | peak value | epochs |",
        ),
      );
      ok(md.includes("| awing − awing+coord+boundary |"));
      for (const f of ["ced.svg", "heatmaps.svg", "val_curves.svg", "peaks.svg"]) {
        ok((await Deno.readTextFile(join(dir, "out", f))).startsWith("<svg"), f);
      }
      // a second call trains nothing; other settings in the same folder are refused
      const again = await run("scripts/ablation.ts", args);
      equal(again.code, 0, again.err);
      ok(!again.err.includes("start "), again.err);
      deepEqual(await read("ablation.json"), records);
      const other = await run("scripts/ablation.ts", [...args, "--steps", "12"]);
      equal(other.code, 1);
      ok(other.err.includes("holds an ablation with other settings (steps, maxSteps, sweepSteps)"));
      // scoring the checkpoints again on the same evaluation faces gives the same NMEs
      const report = await run("scripts/ablation.ts", [...args, "--report", "--rescore"]);
      equal(report.code, 0, report.err);
      deepEqual(await read("ablation.json"), records);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: `ablation stopped with SIGTERM ends its training processes${RUN.why || SKIP}`,
  ignore: RUN.ignore || !HAS_DATA,
  async fn(): Promise<void> {
    const dir = await Deno.makeTempDir();
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        ...["run", "--allow-read", "--allow-write", "--allow-env", "--allow-run"],
        ...["scripts/ablation.ts", "--quick", "--steps", "100000", "--out", join(dir, "out")],
        ...["--work", join(dir, "runs")],
      ],
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
    }).spawn();
    /** Whether a process is there (signal 0 is not offered: SIGCONT leaves it running). */
    const alive = (pid: number) => {
      try {
        Deno.kill(pid, "SIGCONT");
        return true;
      } catch {
        return false;
      }
    };
    try {
      // the ablation names each training process it starts: wait for two
      const pids: number[] = [];
      let text = "";
      const decoder = new TextDecoder();
      for await (const chunk of child.stderr) {
        text += decoder.decode(chunk, { stream: true });
        pids.splice(
          0,
          pids.length,
          ...[...text.matchAll(/training process (\d+) in/g)].map((m) => Number(m[1])),
        );
        if (pids.length >= 2) break;
      }
      equal(pids.length, 2, text);
      ok(pids.every(alive));
      child.kill("SIGTERM");
      equal((await child.status).code, 143);
      const t0 = Date.now();
      while (pids.some(alive) && Date.now() - t0 < 5000) {
        await new Promise((r) => setTimeout(r, 100));
      }
      deepEqual(pids.filter(alive), []);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch {
        // ended
      }
      await child.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: `train answers an unknown loss and a missing data folder with one line${RUN.why}`,
  ignore: RUN.ignore,
}, async () => {
  let r = await run("scripts/train.ts", ["--loss", "hinge"]);
  equal(r.code, 2);
  equal(
    r.err,
    'train: unknown loss "hinge": expected one of mse, wing, awing-nomap, awing, l1, softwing (see --help)',
  );
  r = await run("scripts/train.ts", ["--steps", "two"]);
  equal(r.code, 2);
  equal(r.err.split("\n").length, 1);
  r = await run("scripts/train.ts", ["--data", "/no/such/folder"]);
  equal(r.code, 1);
  ok(/^train: Cannot load image folder "\/no\/such\/folder"/.test(r.err) && !r.err.includes("\n"));
});

Deno.test({
  name: `predict writes .pts and .svg files for a folder of images${RUN.why}`,
  ignore: RUN.ignore,
}, async () => {
  const dir = await Deno.makeTempDir();
  try {
    const model = createHeatmapModel({ width: 4, levels: 1 });
    await saveCheckpoint(model, join(dir, "ckpt"));
    model.dispose();
    await Deno.mkdir(join(dir, "images"));
    const data = new Uint8Array(80 * 60 * 3).map((_, i) => (i * 37) % 251);
    await Deno.writeFile(
      join(dir, "images", "a.png"),
      encode({ width: 80, height: 60, data, channels: 3 }),
    );
    await Deno.writeFile(
      join(dir, "images", "b.png"),
      encode({ width: 80, height: 60, data, channels: 3 }),
    );
    const box = Array.from(
      { length: 68 },
      (_, k) => `${20 + (k % 10) * 4} ${15 + Math.floor(k / 10) * 4}`,
    );
    await Deno.writeTextFile(
      join(dir, "images", "b.pts"),
      `version: 1\nn_points: 68\n{\n${box.join("\n")}\n}\n`,
    );
    const { code, err } = await run("scripts/predict.ts", [
      "--checkpoint",
      join(dir, "ckpt"),
      "--images",
      join(dir, "images"),
      "--out",
      join(dir, "out"),
    ]);
    equal(code, 0, err);
    for (const name of ["a", "b"]) {
      const points = parsePts(await Deno.readTextFile(join(dir, "out", `${name}.pts`)));
      equal(points.length, 136);
      ok(points.every(Number.isFinite));
      ok((await Deno.readTextFile(join(dir, "out", `${name}.svg`))).includes("<circle"));
    }
    const missing = await run("scripts/predict.ts", [
      "--checkpoint",
      join(dir, "nothing"),
      "--images",
      join(dir, "images"),
    ]);
    equal(missing.code, 1);
    ok(
      /^predict: --checkpoint ".*nothing": Cannot load checkpoint: no model.json in/.test(
        missing.err,
      ),
    );
    equal(missing.err.split("\n").length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
