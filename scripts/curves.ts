/**
 * Reproduces the paper's loss and gradient curves (Wang et al., ICCV 2019): the Adaptive Wing
 * loss for targets y = 0, 0.2, ..., 1 against the error x = y - y_hat in [-1, 1], beside MSE,
 * L1 and Wing (w = 10, epsilon = 2), which depend on x alone. Every value comes from the WASM
 * losses (`reduction: "none"`, `mapWeight: 0`, one batched call per curve). Writes
 * `loss.svg`, `gradient.svg` (vega-lite, rendered headless) and `curves.csv` (long format:
 * curve,y,x,loss,grad, where grad is dL/dx = -dL/dy_hat) to the output folder.
 *
 * Usage: `deno task curves [--out out/] [--points 2001] [--targets 0,0.2,0.4,0.6,0.8,1]
 * [--alpha 2.1] [--omega 14] [--epsilon 1] [--theta 0.5] [--wing-w 10] [--wing-epsilon 2]
 * [--loss-max N] [--grad-max N]`
 *
 * @module
 */
import { withAwingDefaults } from "../src/_awing_defaults.ts";
import { join, resolve } from "node:path";
import { awingLoss, l1Loss, mseLoss, wingLoss } from "../src/loss/mod.ts";
import type { LossResult } from "../src/loss/mod.ts";
import {
  checkOutDir,
  choiceFlag,
  numberFlag,
  numberListFlag,
  parseUsage,
  runCli,
  stringFlag,
  UsageError,
  writeOutput,
} from "./_cli.ts";
import { chartSpec, type FigureFormat, plasmaColors, renderFigure } from "./_plot.ts";
import type { CurveRow, CurveStyle } from "./_plot.ts";

export type { CurveRow } from "./_plot.ts";

/** Options of {@link computeCurves} and {@link renderCurves}; the defaults are the paper's. */
export interface CurvesOptions {
  /** Output folder, created when missing. Defaults to `"out"`. */
  out?: string | undefined;
  /** Figure format: `"svg"` (default) or `"png"` (rendered by resvg). */
  format?: FigureFormat | undefined;
  /** Grid size over x in [-1, 1]; odd, so that x = 0 is a grid point. Defaults to 2001. */
  points?: number | undefined;
  /** Targets y of the AWing curves. Defaults to 0, 0.2, 0.4, 0.6, 0.8, 1. */
  targets?: readonly number[] | undefined;
  /** AWing alpha. Defaults to 2.1. */
  alpha?: number | undefined;
  /** AWing omega. Defaults to 14. */
  omega?: number | undefined;
  /** AWing epsilon. Defaults to 1. */
  epsilon?: number | undefined;
  /** AWing theta, also where the vertical rules go. Defaults to 0.5. */
  theta?: number | undefined;
  /** Wing w. Defaults to 10. */
  wingW?: number | undefined;
  /** Wing epsilon. Defaults to 2. */
  wingEpsilon?: number | undefined;
  /** Top of the loss axis; curves are clipped. Defaults to the curves' maximum, rounded up. */
  lossMax?: number | undefined;
  /** Half-height of the gradient axis; curves are clipped. Defaults to the largest |dL/dx|. */
  gradMax?: number | undefined;
}

/** What {@link renderCurves} wrote. */
export interface CurvesResult {
  /** Absolute paths of the files written: loss.svg, gradient.svg (or .png) and curves.csv. */
  files: string[];
}

const ACTION = "draw curves";
const DEFAULT_TARGETS: readonly number[] = [0, 0.2, 0.4, 0.6, 0.8, 1];

function checkPositive(value: number | undefined, name: string): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`Cannot ${ACTION} as ${name} must be > 0: current value is ${value}`);
  }
}

function checkPoints(points: number): void {
  if (!Number.isInteger(points) || points < 3 || points % 2 === 0 || points > 1_000_001) {
    throw new RangeError(
      `Cannot ${ACTION} as points must be an odd integer in [3, 1000001] (x = 0 on the grid): ` +
        `current value is ${points}`,
    );
  }
}

/** Grid over [-1, 1] with x = 0 exactly at its centre (points is odd). */
function grid(points: number): Float64Array {
  const half = (points - 1) / 2;
  return Float64Array.from({ length: points }, (_, i) => (i - half) / half);
}

/** Curve name of the AWing curve for target y. */
function awingName(y: number): string {
  return `AWing (y = ${y})`;
}

function wingName(w: number, epsilon: number): string {
  return `Wing (w = ${w}, ε = ${epsilon})`;
}

/**
 * Computes every curve through the WASM losses: for each AWing target y, and for MSE, L1 and
 * Wing (at y = 0, since they depend on the error alone), the loss and its derivative with
 * respect to x = y - y_hat (that is, -dL/dy_hat) on the grid. Rows come curve by curve, x
 * ascending; a baseline's `y` is null.
 *
 * @example The AWing gradient vanishes at zero error, Wing's does not next to it
 * ```ts
 * import { computeCurves } from "./curves.ts";
 * import { equal, ok } from "node:assert/strict";
 * const rows = computeCurves({ points: 201 });
 * equal(rows.length, 9 * 201);
 * ok(rows.filter((r) => r.x === 0 && r.curve.startsWith("AWing")).every((r) => r.grad === 0));
 * const wing = rows.filter((r) => r.curve.startsWith("Wing"));
 * ok(Math.abs(wing[101]!.grad - 10 / 2.01) < 1e-4);
 * ```
 *
 * @param options Grid size, targets and loss parameters.
 * @returns The samples of every curve, in long format.
 * @throws {RangeError} For an even or too small grid, a target outside [0, 1], parameters out
 * of range, or alpha <= 1 + max(target).
 */
export function computeCurves(options: CurvesOptions = {}): CurveRow[] {
  const points = options.points ?? 2001;
  checkPoints(points);
  return sampleCurves(grid(points), options);
}

/**
 * The curves of {@link computeCurves} sampled at the errors `xs`. With `exact`, each row's x
 * is the error the float32 inputs really hold, y - fround(y - x), which differs from the
 * nominal x by up to half an ulp of y (6e-8 at y = 1).
 */
function sampleCurves(xs: Float64Array, options: CurvesOptions, exact = false): CurveRow[] {
  const points = xs.length;
  const targets = options.targets ?? DEFAULT_TARGETS;
  if (targets.length === 0) throw new RangeError(`Cannot ${ACTION}: "targets" is empty`);
  for (const y of targets) {
    if (!(y >= 0 && y <= 1)) {
      throw new RangeError(`Cannot ${ACTION} as targets must lie in [0, 1]: ${y} does not`);
    }
  }
  const { alpha, omega, epsilon, theta } = options;
  const wingW = options.wingW ?? 10;
  const wingEpsilon = options.wingEpsilon ?? 2;
  const shape = [1, 1, 1, points] as const;
  const common = { shape, reduction: "none", mapWeight: 0 } as const;
  const rows: CurveRow[] = [];
  const add = (curve: string, y: number | null, r: LossResult<Float32Array>): void => {
    const map = r.lossMap!, grad = r.grad;
    const y0 = Math.fround(y ?? 0);
    for (let i = 0; i < points; i++) {
      const x = exact ? y0 - Math.fround(y0 - xs[i]!) : xs[i]!;
      // dL/dx = -dL/dy_hat; `+ 0` turns -0 into 0.
      rows.push({ curve, y, x, loss: map[i]!, grad: -grad[i]! + 0 });
    }
  };
  for (const y of targets) {
    const target = new Float32Array(points).fill(y);
    const pred = Float32Array.from(xs, (x) => y - x);
    add(awingName(y), y, awingLoss(pred, target, { ...common, alpha, omega, epsilon, theta }));
  }
  const zero = new Float32Array(points);
  const pred = Float32Array.from(xs, (x) => -x);
  add("MSE", null, mseLoss(pred, zero, common));
  add("L1", null, l1Loss(pred, zero, common));
  add(
    wingName(wingW, wingEpsilon),
    null,
    wingLoss(pred, zero, { ...common, w: wingW, epsilon: wingEpsilon }),
  );
  return rows;
}

/**
 * Checks every option of {@link renderCurves} (grid, targets, loss parameters, axis limits,
 * format) without drawing anything.
 *
 * @param options The options to check.
 * @throws {RangeError} As {@link renderCurves}.
 */
export function checkCurvesOptions(options: CurvesOptions): void {
  checkPositive(options.lossMax, "lossMax");
  checkPositive(options.gradMax, "gradMax");
  if (options.format !== undefined && options.format !== "svg" && options.format !== "png") {
    throw new RangeError(
      `Cannot ${ACTION} as format must be "svg" or "png": current value is ${
        String(options.format)
      }`,
    );
  }
  checkPoints(options.points ?? 2001);
  sampleCurves(new Float64Array([-1, 0, 1]), options);
}

/**
 * The zoomed view near zero error spans x = 10^-ZOOM_DECADES to 1 (float32 targets of 1 hold
 * errors down to 6e-8).
 */
const ZOOM_DECADES = 7;

/** The rows as CSV, long format, header curve,y,x,loss,grad (a baseline's y is empty). */
function toCsv(rows: readonly CurveRow[]): string {
  const quote = (s: string): string => /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  const num = (v: number): string => String(Number(v.toPrecision(8)));
  const lines = ["curve,y,x,loss,grad"];
  for (const r of rows) {
    lines.push(
      `${quote(r.curve)},${r.y === null ? "" : r.y},${r.x},${num(r.loss)},${num(r.grad)}`,
    );
  }
  return lines.join("\n") + "\n";
}

/** Rounds up to a readable axis end: whole units from 10 up, else 1, 2, 2.5, 4, 5, 6, 8 x 10^k. */
function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  if (v >= 10) return Math.ceil(v);
  const unit = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 4, 5, 6, 8, 10].map((m) => m * unit).find((m) => m >= v)!;
}

/**
 * Computes the curves ({@link computeCurves}) and writes `loss.svg`, `gradient.svg` and
 * `curves.csv` into `options.out` (created when missing).
 *
 * @example
 * ```ts ignore
 * import { renderCurves } from "./curves.ts";
 * const { files } = await renderCurves({ out: "out" });
 * console.log(files);
 * ```
 *
 * @param options Output folder, grid size, targets, loss parameters and axis limits.
 * @returns The absolute paths of the files written.
 * @throws {RangeError} As {@link computeCurves}, or for a non-positive axis limit.
 */
export async function renderCurves(options: CurvesOptions = {}): Promise<CurvesResult> {
  checkCurvesOptions(options);
  const rows = computeCurves(options);
  const targets = options.targets ?? DEFAULT_TARGETS;
  const { alpha, omega, epsilon, theta } = withAwingDefaults(options);
  const wingW = options.wingW ?? 10;
  const wingEpsilon = options.wingEpsilon ?? 2;

  const colors = plasmaColors(targets.length);
  const styles: CurveStyle[] = [
    ...targets.map((y, i) => ({ name: awingName(y), color: colors[i]!, dash: [] })),
    { name: "MSE", color: "#000000", dash: [6, 3] },
    { name: "L1", color: "#8c8c8c", dash: [2, 2] },
    { name: wingName(wingW, wingEpsilon), color: "#1a9e77", dash: [9, 3, 2, 3] },
  ];
  let maxLoss = 0, maxGrad = 0;
  for (const r of rows) {
    if (Number.isFinite(r.loss)) maxLoss = Math.max(maxLoss, r.loss);
    if (Number.isFinite(r.grad)) maxGrad = Math.max(maxGrad, Math.abs(r.grad));
  }
  // 8% headroom keeps the theta labels off the curves.
  const lossMax = options.lossMax ?? niceCeil(1.08 * maxLoss);
  const gradMax = options.gradMax ?? niceCeil(1.08 * maxGrad);
  // The figures need no more than about one sample per pixel: every `step`-th grid point (a
  // divisor of half the grid, so x = 0 and the ends stay), plus every point near x = 0, where
  // the y = 1 and Wing gradients jump. The CSV keeps the whole grid.
  const points = options.points ?? 2001;
  const half = (points - 1) / 2;
  let step = 1;
  for (let d = 1; half / d >= 280; d++) if (half % d === 0) step = d;
  const plotted = rows.filter((r, k) => (k % points) % step === 0 || Math.abs(r.x) <= 0.02);
  const rules = [{ x: -theta, label: "−θ" }, { x: theta, label: `θ = ${theta}` }];
  const params = `AWing: α = ${alpha}, ω = ${omega}, ε = ${epsilon}, θ = ${theta}; ` +
    `Wing: w = ${wingW}, ε = ${wingEpsilon}; MSE x²; L1 |x|`;
  const format = options.format ?? "svg";
  const lossFigure = await renderFigure(
    chartSpec(plotted, {
      title: "Adaptive Wing loss against the error, by target y",
      subtitle: [params, "Baselines depend on x alone; values from the WASM core"],
      field: "loss",
      yTitle: "loss L(x)",
      yDomain: [0, lossMax],
      rules,
      styles,
    }),
    format,
  );
  // Insets: near zero error on a log scale (the y = 1 gradient grows like x^0.1 from 0, the
  // y = 0 one like x^1.1; both are odd in x), and the plateaus beyond theta, some of which lie
  // within 0.05 of each other.
  const zoomRows = sampleCurves(
    Float64Array.from({ length: 401 }, (_, i) => 10 ** (ZOOM_DECADES * (i / 400 - 1))),
    options,
    true,
  ).filter((r) => r.x > 0);
  const awing = new Set(targets.map(awingName));
  const plateaus = rows.filter((r) => awing.has(r.curve) && r.x === 1);
  const lo = Math.min(...plateaus.map((r) => r.grad));
  const hi = Math.max(...plateaus.map((r) => r.grad));
  const pad = Math.max(0.1, 0.12 * (hi - lo));
  const plateauFrom = 0.6 * theta;
  const span = 1 - theta;
  const offset = 0.045 * (hi - lo + 2 * pad);
  const labels = plateaus.map((r, i) => {
    // staggered along x, and below its line when another plateau lies just above
    const crowded = plateaus.some((o) => o.grad > r.grad && o.grad - r.grad < 1.5 * offset);
    return {
      x: theta + span * (0.2 + (0.72 * i) / Math.max(1, plateaus.length - 1)),
      y: r.grad + (crowded ? -offset : offset),
      text: r.grad.toFixed(2),
      curve: r.curve,
    };
  });
  const gradFigure = await renderFigure(
    chartSpec(plotted, {
      title: "Gradient of the Adaptive Wing loss against the error, by target y",
      subtitle: [
        params,
        "Derivative with respect to x = y − ŷ, i.e. −∂L/∂ŷ; beyond ±θ AWing's is ±A(y)",
      ],
      field: "grad",
      yTitle: "gradient ∂L/∂x = −∂L/∂ŷ",
      yDomain: [-gradMax, gradMax],
      rules,
      styles,
    }, [
      {
        title: `Near zero error, log scale (x > 0; odd in x)`,
        rows: zoomRows,
        xDomain: [10 ** -ZOOM_DECADES, 1],
        xLog: true,
        yDomain: [0, gradMax],
        rules: [],
        width: 270,
        height: 260,
      },
      {
        title: "The plateaus A(y) beyond θ, with their values",
        rows: rows.filter((r) => awing.has(r.curve) && r.x >= plateauFrom),
        xDomain: [plateauFrom, 1],
        yDomain: [lo - pad, hi + pad],
        rules: [{ x: theta, label: `θ = ${theta}` }],
        labels,
        width: 270,
        height: 260,
      },
    ]),
    format,
  );

  const out = resolve(options.out ?? "out");
  const files = [
    join(out, `loss.${format}`),
    join(out, `gradient.${format}`),
    join(out, "curves.csv"),
  ];
  await writeOutput(files[0]!, lossFigure);
  await writeOutput(files[1]!, gradFigure);
  await writeOutput(files[2]!, toCsv(rows));
  return { files };
}

const HELP = `Usage: deno task curves [options]

Reproduces the Adaptive Wing paper's loss and gradient curves (AWing for y = 0, 0.2, ..., 1
beside MSE, L1 and Wing) over the error x = y - y_hat in [-1, 1], computed by the WASM losses.
Writes loss.svg, gradient.svg and curves.csv (curve,y,x,loss,grad; grad = dL/dx = -dL/dy_hat).

Options:
  --out DIR            output folder, created when missing (default: out)
  --format FMT         figure format: svg (default) or png (rendered by resvg)
  --points N           odd grid size over [-1, 1] (default: 2001)
  --targets LIST       AWing targets y, comma-separated (default: 0,0.2,0.4,0.6,0.8,1)
  --alpha A            AWing alpha (default: 2.1)
  --omega W            AWing omega (default: 14)
  --epsilon E          AWing epsilon (default: 1)
  --theta T            AWing theta, also the vertical rules (default: 0.5)
  --wing-w W           Wing w (default: 10)
  --wing-epsilon E     Wing epsilon (default: 2)
  --loss-max L         top of the loss axis, curves clipped (default: curves' maximum)
  --grad-max G         gradient axis is [-G, G], curves clipped (default: largest |dL/dx|)
  -h, --help           print this help
`;

async function main(args: string[]): Promise<number> {
  const cli = parseUsage(args, HELP);
  if (cli === undefined) return 0;
  const { values } = cli;
  const num = (name: string): number | undefined => numberFlag(values, name);
  const format = choiceFlag(values, "format", ["svg", "png"] as const, "svg");
  const options: CurvesOptions = {
    out: stringFlag(values, "out"),
    format,
    points: numberFlag(values, "points", { integer: true }),
    targets: numberListFlag(values, "targets"),
    alpha: num("alpha"),
    omega: num("omega"),
    epsilon: num("epsilon"),
    theta: num("theta"),
    wingW: num("wing-w"),
    wingEpsilon: num("wing-epsilon"),
    lossMax: num("loss-max"),
    gradMax: num("grad-max"),
  };
  try {
    // every value is checked before anything is written
    checkCurvesOptions(options);
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) throw new UsageError(e.message);
    throw e;
  }
  await checkOutDir(options.out ?? "out");
  const { files } = await renderCurves(options);
  for (const f of files) console.log(`wrote ${f}`);
  return 0;
}

if (import.meta.main) await runCli("curves", () => main(Deno.args));
