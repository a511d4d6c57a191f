import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import { basename, join } from "node:path";
import { computeCurves, renderCurves } from "../scripts/curves.ts";
import type { CurveRow } from "../scripts/curves.ts";
import { awingConstants, awingPixel, baselinePixel } from "../src/reference/mod.ts";
import type { Baseline } from "../src/reference/mod.ts";
import { at } from "./_assert.ts";
import { needs } from "./_permissions.ts";
import { withTempDir } from "./_temp_dir.ts";

const TARGETS = [0, 0.2, 0.4, 0.6, 0.8, 1];
const WING = "Wing (w = 10, ε = 2)";
const LABELS = [...TARGETS.map((y) => `AWing (y = ${y})`), "MSE", "L1", WING];
const BASELINES: Record<string, Baseline> = {
  MSE: { kind: "mse" },
  L1: { kind: "l1" },
  [WING]: { kind: "wing", w: 10, epsilon: 2 },
};
/** Errors checked one by one (x = 0 is checked on its own: its loss is 0). */
const XS = [-1, -0.75, -0.5, -0.3, -0.05, 0.02, 0.1, 0.25, 0.5, 0.9, 1];

/** The f64 reference at nominal (y, y_hat = y - x): the loss and dL/dx = -dL/dy_hat. */
function reference(curve: string, y: number | null, x: number): { loss: number; grad: number } {
  let r: { loss: number; grad: number };
  if (y === null) {
    const baseline = BASELINES[curve];
    ok(baseline, `${curve} is a baseline`);
    r = baselinePixel(-x, 0, baseline);
  } else r = awingPixel(y - x, y);
  return { loss: r.loss, grad: -r.grad };
}

function close(actual: number, expected: number, rel: number, abs = 0): boolean {
  return Math.abs(actual - expected) <= rel * Math.abs(expected) + abs;
}

/** Parses the CSV written by the script (quoted fields hold commas). */
function parseCsv(text: string): string[][] {
  return text.trimEnd().split("\n").map((line) =>
    [...line.matchAll(/"((?:[^"]|"")*)"|([^,]*)/g)]
      .filter((m) => m.index === 0 || line[m.index - 1] === ",")
      .map((m) => m[1] !== undefined ? m[1].replaceAll('""', '"') : at(m, 2))
  );
}

function checkRows(rows: readonly CurveRow[], points: number): void {
  equal(rows.length, LABELS.length * points);
  equal(new Set(rows.map((r) => r.curve)).size, LABELS.length);
  for (const [c, curve] of LABELS.entries()) {
    const block = rows.slice(c * points, (c + 1) * points);
    ok(block.every((r) => r.curve === curve), `rows of ${curve} are contiguous`);
    equal(block[0]?.x, -1);
    equal(block[(points - 1) / 2]?.x, 0);
    equal(block[points - 1]?.x, 1);
    for (const x of XS) {
      const row = block.find((r) => r.x === x);
      ok(row, `${curve}: x = ${x} is on the grid`);
      const ref = reference(curve, row.y, x);
      ok(close(row.loss, ref.loss, 1e-4), `${curve} loss at x = ${x}: ${row.loss} vs ${ref.loss}`);
      ok(close(row.grad, ref.grad, 1e-4), `${curve} grad at x = ${x}: ${row.grad} vs ${ref.grad}`);
    }
    // Every grid point, with a tiny absolute floor for the values that vanish at x -> 0.
    for (const r of block) {
      const ref = reference(curve, r.y, r.x);
      ok(close(r.loss, ref.loss, 1e-4, 1e-6), `${curve} loss at x = ${r.x}`);
      ok(close(r.grad, ref.grad, 1e-4, 1e-6), `${curve} grad at x = ${r.x}`);
    }
  }
  for (const y of TARGETS) {
    const zero = rows.find((r) => r.curve === `AWing (y = ${y})` && r.x === 0)!;
    equal(zero.y, y);
    equal(zero.grad, 0, `AWing (y = ${y}) has a zero gradient at x = 0`);
    ok(Math.abs(zero.loss) < 1e-30, `AWing (y = ${y}) loss at x = 0 is ${zero.loss}`);
  }
  for (const b of ["MSE", "L1", WING]) {
    ok(rows.filter((r) => r.curve === b).every((r) => r.y === null), `${b} has no y`);
  }
}

Deno.test("computeCurves() matches the f64 reference on the paper's grid", () => {
  checkRows(computeCurves(), 2001);
});

Deno.test("computeCurves() shows the paper's gradient shapes", () => {
  const rows = computeCurves({ points: 2001 });
  const rowAt = (curve: string, x: number): CurveRow =>
    rows.find((r) => r.curve === curve && r.x === x)!;
  // Wing jumps to +-w/epsilon = +-5 next to zero error; AWing (y = 0) is MSE-like, flat,
  ok(close(rowAt(WING, 0.001).grad, 10 / 2.001, 1e-5));
  ok(close(rowAt(WING, -0.001).grad, -10 / 2.001, 1e-5));
  // next to zero error (x = 0.001) while AWing (y = 1) is already L1-like there.
  ok(Math.abs(rowAt("AWing (y = 0)", 0.001).grad) < 0.02);
  ok(rowAt("AWing (y = 1)", 0.001).grad > 7);
  // Plateau at A(y) beyond theta, and the bump above it for y = 1 (peak near x = 0.123).
  ok(close(rowAt("AWing (y = 1)", 0.8).grad, 9.797850, 1e-5));
  ok(close(rowAt("AWing (y = 0)", -0.8).grad, -11.121422, 1e-5));
  ok(close(rowAt("AWing (y = 1)", 0.123).grad, 11.356, 1e-4));
  const y1 = rows.filter((r) => r.curve === "AWing (y = 1)");
  const peak = y1.reduce((a, b) => (b.grad > a.grad ? b : a));
  ok(Math.abs(peak.x - 0.123) < 0.002, `the y = 1 gradient peaks at x = ${peak.x}`);
  // For y = 0.6 < 0.717 the gradient rises monotonically to A(y) on (0, theta).
  const y06 = rows.filter((r) => r.curve === "AWing (y = 0.6)" && r.x >= 0 && r.x <= 0.5);
  ok(y06.every((r, i) => i === 0 || r.grad >= at(y06, i - 1).grad));
});

Deno.test("computeCurves() rejects bad options", () => {
  throws(() => computeCurves({ points: 2000 }), RangeError);
  throws(() => computeCurves({ points: 1 }), RangeError);
  throws(() => computeCurves({ points: 10.5 }), RangeError);
  throws(() => computeCurves({ targets: [] }), RangeError);
  throws(() => computeCurves({ targets: [0, 1.5] }), RangeError);
  throws(() => computeCurves({ targets: [NaN] }), RangeError);
  throws(() => computeCurves({ alpha: 1.9 }), RangeError);
  throws(() => computeCurves({ theta: 0 }), RangeError);
  throws(() => computeCurves({ omega: -1 }), RangeError);
  throws(() => computeCurves({ wingW: 0 }), RangeError);
});

const WRITE = needs("write");

Deno.test({
  name: `renderCurves() writes the two figures and the CSV${WRITE.why}`,
  ignore: WRITE.ignore,
  async fn(): Promise<void> {
    await withTempDir("awing_curves_", async (dir) => {
      const out = join(dir, "nested", "out");
      const { files } = await renderCurves({ out });
      const names = ["loss.svg", "gradient.svg", "curves.csv"];
      equal(files.length, 3);
      for (const [i, name] of names.entries()) {
        equal(files[i], join(out, name));
        ok(Deno.statSync(files[i]).isFile);
      }
      for (const svg of files.slice(0, 2).map((f) => Deno.readTextFileSync(f))) {
        ok(svg.startsWith("<svg") && svg.trimEnd().endsWith("</svg>"));
        equal(svg.match(/<svg\b/g)?.length, 1);
        const opened = svg.match(/<g\b[^>]*[^/]>|<g>/g)?.length;
        equal(opened, svg.match(/<\/g>/g)?.length, "balanced groups");
        for (const label of [...LABELS, "θ = 0.5", "−θ"]) {
          ok(svg.includes(`>${label}</text>`), `legend or rule label ${label}`);
        }
        ok(svg.includes("error x = y − ŷ"));
      }
      const gradient = Deno.readTextFileSync(at(files, 1));
      ok(gradient.includes("−∂L/∂ŷ"), "gradient axis names its sign");
      // the insets: a log-scale view near zero error and the plateaus with their values
      ok(gradient.includes(">Near zero error, log scale (x &gt; 0; odd in x)</text>"));
      for (const tick of ["1e-7", "1e-4", "1e+0"]) ok(gradient.includes(`>${tick}</text>`), tick);
      for (const y of TARGETS) {
        const a = awingConstants(y).A.toFixed(2);
        ok(gradient.includes(`>${a}</text>`), `plateau A(${y}) = ${a} is labelled`);
      }

      const table = parseCsv(Deno.readTextFileSync(at(files, 2)));
      equal(table[0]?.join(","), "curve,y,x,loss,grad");
      ok(table.every((r) => r.length === 5));
      const rows: CurveRow[] = table.slice(1).map((r) => {
        const y = at(r, 1);
        return {
          curve: at(r, 0),
          y: y === "" ? null : Number(y),
          x: Number(at(r, 2)),
          loss: Number(at(r, 3)),
          grad: Number(at(r, 4)),
        };
      });
      checkRows(rows, 2001);
    });
  },
});

Deno.test({
  name: `renderCurves() renders PNG through resvg${WRITE.why}`,
  ignore: WRITE.ignore,
  async fn(): Promise<void> {
    await withTempDir("awing_curves_png_", async (dir) => {
      const { files } = await renderCurves({ out: dir, format: "png", points: 201 });
      deepEqual(files.map((f) => basename(f)), ["loss.png", "gradient.png", "curves.csv"]);
      for (const file of files.slice(0, 2)) {
        const png = Deno.readFileSync(file);
        deepEqual(Array.from(png.subarray(0, 8)), [137, 80, 78, 71, 13, 10, 26, 10]);
        const view = new DataView(png.buffer, png.byteOffset);
        const width = view.getUint32(16), height = view.getUint32(20);
        ok(width > 1000 && height > 500, `${file}: ${width} x ${height}`);
        ok(png.length > 20_000, "the picture has content");
      }
      // the gradient figure is taller: it has the insets below the main panel
      const size = (f: string): number => new DataView(Deno.readFileSync(f).buffer).getUint32(20);
      ok(size(at(files, 1)) > 1.4 * size(at(files, 0)));
    });
  },
});

Deno.test("renderCurves() rejects bad axis limits before writing", async () => {
  await rejects(renderCurves({ out: "/nonexistent/never", format: "gif" as "png" }), RangeError);
  await rejects(renderCurves({ out: "/nonexistent/never", lossMax: 0 }), RangeError);
  await rejects(renderCurves({ out: "/nonexistent/never", gradMax: NaN }), RangeError);
  await rejects(renderCurves({ out: "/nonexistent/never", points: 4 }), RangeError);
});
