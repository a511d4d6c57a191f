// Figures of the training pipeline: the learning curve of a run, the CED curves of an ablation.
import type * as vl from "npm:vega-lite@6.5.0";
import type { LogRow } from "../src/train/run_training.ts";
import { renderSvg } from "./_plot.ts";

const CONFIG = {
  font: "DejaVu Sans, Helvetica, Arial, sans-serif",
  axis: { labelFontSize: 12, titleFontSize: 13, gridColor: "#e6e6e6" },
  legend: { labelFontSize: 12 },
};

/** The learning curve of one run: training loss (log scale) and validation NME against step. */
export function learningCurveSvg(log: readonly LogRow[], title: string): Promise<string> {
  // at most ~400 loss points: a moving mean over blocks keeps the file small
  const block = Math.max(1, Math.ceil(log.length / 400));
  const loss = [];
  for (let i = 0; i < log.length; i += block) {
    const part = log.slice(i, i + block);
    loss.push({
      step: part.at(-1)!.step,
      loss: part.reduce((s, r) => s + r.loss, 0) / part.length,
    });
  }
  const val = log.filter((r) => !Number.isNaN(r.valNme)).map((r) => ({
    step: r.step,
    nme: 100 * r.valNme,
  }));
  const x = { field: "step", type: "quantitative" as const, title: "step" };
  const spec: vl.TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    background: "white",
    padding: 8,
    title: { text: title, anchor: "start", fontSize: 15 },
    config: CONFIG,
    hconcat: [
      {
        width: 360,
        height: 240,
        data: { values: loss },
        mark: { type: "line", strokeWidth: 1.5 },
        encoding: {
          x,
          y: {
            field: "loss",
            type: "quantitative",
            title: "training loss",
            scale: { type: "log" },
          },
        },
      },
      {
        width: 360,
        height: 240,
        data: { values: val },
        mark: { type: "line", point: true, color: "#d62728" },
        encoding: {
          x,
          y: {
            field: "nme",
            type: "quantitative",
            title: "validation NME (%)",
            scale: { zero: false },
          },
        },
      },
    ],
  };
  return renderSvg(spec);
}

/** Base64 of bytes (for data: URLs in SVG files). */
export function base64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/** One curve of {@link cedSvg}. */
export interface CedSeries {
  /** Legend label. */
  name: string;
  /** CED grid and values. */
  x: Float64Array;
  /** Fraction of faces with NME <= x. */
  y: Float64Array;
}

/** The CED curves of several configurations in one figure (NME in %). */
export function cedSvg(
  series: readonly CedSeries[],
  title: string,
  subtitle: string,
): Promise<string> {
  const values = series.flatMap((s) => {
    const step = Math.max(1, Math.floor(s.x.length / 200));
    const rows = [];
    for (let i = 0; i < s.x.length; i += step) {
      rows.push({ curve: s.name, x: 100 * s.x[i]!, y: s.y[i]! });
    }
    return rows;
  });
  const spec: vl.TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 480,
    height: 320,
    background: "white",
    padding: 8,
    title: { text: title, subtitle, anchor: "start", fontSize: 15 },
    config: CONFIG,
    data: { values },
    mark: { type: "line", strokeWidth: 1.8, interpolate: "step-after" },
    encoding: {
      x: { field: "x", type: "quantitative", title: "NME (%, inter-ocular)" },
      y: {
        field: "y",
        type: "quantitative",
        title: "fraction of test faces",
        scale: { domain: [0, 1] },
      },
      color: {
        field: "curve",
        type: "nominal",
        sort: series.map((s) => s.name),
        legend: { title: null, orient: "bottom-right", labelLimit: 260 },
      },
    },
  };
  return renderSvg(spec);
}

/** One validation curve of {@link validationCurvesSvg}. */
export interface ValidationCurve {
  /** The configuration (colour). */
  name: string;
  /** The seed (one line each). */
  seed: number;
  /** `[step, validation NME]`. */
  curve: readonly (readonly [number, number])[];
}

/** The validation curves of every run in one figure: NME in % (log scale) against step. */
export function validationCurvesSvg(
  runs: readonly ValidationCurve[],
  names: readonly string[],
  title: string,
  subtitle: string,
): Promise<string> {
  const values = runs.flatMap((r) =>
    r.curve.filter(([, v]) => Number.isFinite(v) && v > 0).map(([step, v]) => ({
      configuration: r.name,
      run: `${r.name} seed ${r.seed}`,
      step,
      nme: 100 * v,
    }))
  );
  const spec: vl.TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 560,
    height: 340,
    background: "white",
    padding: 8,
    title: { text: title, subtitle, anchor: "start", fontSize: 15 },
    config: CONFIG,
    data: { values },
    mark: { type: "line", strokeWidth: 1.4, opacity: 0.85 },
    encoding: {
      x: { field: "step", type: "quantitative", title: "step" },
      y: {
        field: "nme",
        type: "quantitative",
        title: "validation NME (%, log scale)",
        scale: { type: "log" },
      },
      color: {
        field: "configuration",
        type: "nominal",
        sort: [...names],
        scale: { domain: [...names], scheme: "tableau10" },
        legend: { title: null, orient: "top-right", labelLimit: 260 },
      },
      detail: { field: "run", type: "nominal" },
    },
  };
  return renderSvg(spec);
}

/** The peak value of every run (one point per seed) and the mean per configuration. */
export function peakValuesSvg(
  runs: readonly { name: string; seed: number; peak: number }[],
  names: readonly string[],
  title: string,
): Promise<string> {
  const y = { field: "configuration", type: "nominal" as const, sort: [...names], title: null };
  const x = {
    field: "peak",
    type: "quantitative" as const,
    title: "mean predicted value at the target peaks",
    scale: { domain: [0, 1] },
  };
  const spec: vl.TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 420,
    background: "white",
    padding: 8,
    title: { text: title, anchor: "start", fontSize: 15 },
    config: CONFIG,
    data: { values: runs.map((r) => ({ configuration: r.name, seed: r.seed, peak: r.peak })) },
    layer: [
      {
        mark: { type: "bar", color: "#c6dbef" },
        encoding: { y, x: { ...x, aggregate: "mean" } },
      },
      {
        mark: { type: "point", filled: true, color: "#08519c", size: 50 },
        encoding: { y, x },
      },
    ],
  };
  return renderSvg(spec);
}

/** A colour for a heatmap value (black - red - yellow - white, clamped to [0, 1]). */
function hot(v: number): [number, number, number] {
  const t = Math.min(1, Math.max(0, v)) * 3;
  return [Math.min(1, t), Math.min(1, Math.max(0, t - 1)), Math.max(0, t - 2)].map((c) =>
    Math.round(255 * c)
  ) as [number, number, number];
}

/** What {@link heatmapFigureSvg} shows: per face, the input and one heatmap per column. */
export interface HeatmapFigure {
  /** Input crops `[F, S, S, 3]` in [0, 1]. */
  images: Float32Array;
  /** Crop side S. */
  size: number;
  /** Columns after the input: a label and heatmaps `[F, C, h, h]` (max over the first K). */
  columns: { label: string; heatmaps: Float32Array; channels: number }[];
  /** Landmark channels K. */
  k: number;
  /** Heatmap side h. */
  h: number;
}

/**
 * A grid picture: one row per face, the input crop, then for each column the maximum over
 * the K landmark channels of its heatmaps, coloured black (0) to white (1). Returned as an
 * SVG with the PNG embedded and the column labels as text.
 */
export function heatmapFigureSvg(
  figure: HeatmapFigure,
  encodePng: (rgb: Uint8Array, w: number, h: number) => Uint8Array,
): string {
  const { images, size, columns, k, h } = figure;
  const cell = 96, gap = 4, faces = images.length / (size * size * 3);
  const cols = columns.length + 1;
  const w = cols * (cell + gap) - gap, hh = faces * (cell + gap) - gap;
  const rgb = new Uint8Array(w * hh * 3).fill(255);
  const put = (x: number, y: number, c: readonly number[]) => rgb.set(c, (y * w + x) * 3);
  for (let f = 0; f < faces; f++) {
    const y0 = f * (cell + gap);
    for (let y = 0; y < cell; y++) {
      for (let x = 0; x < cell; x++) {
        const sx = Math.floor((x * size) / cell), sy = Math.floor((y * size) / cell);
        const p = ((f * size + sy) * size + sx) * 3;
        put(
          x,
          y0 + y,
          [0, 1, 2].map((i) => Math.round(255 * Math.min(1, Math.max(0, images[p + i]!)))),
        );
      }
    }
    columns.forEach((col, ci) => {
      const x0 = (ci + 1) * (cell + gap);
      for (let y = 0; y < cell; y++) {
        for (let x = 0; x < cell; x++) {
          const sx = Math.floor((x * h) / cell), sy = Math.floor((y * h) / cell);
          let m = -Infinity;
          for (let j = 0; j < k; j++) {
            m = Math.max(m, col.heatmaps[((f * col.channels + j) * h + sy) * h + sx]!);
          }
          put(x0 + x, y0 + y, hot(m));
        }
      }
    });
  }
  const png = encodePng(rgb, w, hh);
  const top = 22;
  const labels = ["input", ...columns.map((c) => c.label)].map((label, i) =>
    `<text x="${
      i * (cell + gap) + cell / 2
    }" y="15" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-size="${
      Math.min(12, Math.floor((1.7 * cell) / label.length))
    }">${label}</text>`
  ).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${
    hh + top
  }" viewBox="0 0 ${w} ${
    hh + top
  }"><rect width="100%" height="100%" fill="white"/>${labels}<image x="0" y="${top}" width="${w}" height="${hh}" href="data:image/png;base64,${
    base64(png)
  }"/></svg>\n`;
}
