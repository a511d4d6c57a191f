// Line charts of the loss curves: a vega-lite spec per figure, rendered to SVG by vega
// without a canvas (renderer "none"; vega estimates text widths).
import * as vega from "npm:vega@6.4.0";
import * as vl from "npm:vega-lite@6.5.0";

/** One sample of one curve, the long-format row of the CSV. */
export interface CurveRow {
  /** Curve name, also the legend label. */
  curve: string;
  /** Target value y of an AWing curve; null for the baselines, which depend on x alone. */
  y: number | null;
  /** The error x = y - y_hat. */
  x: number;
  /** The loss at x. */
  loss: number;
  /** The derivative of the loss with respect to x, i.e. -dL/dy_hat. */
  grad: number;
}

/** A curve's look: its legend label, colour and dash pattern ([] for solid). */
export interface CurveStyle {
  /** Curve name (legend label). */
  name: string;
  /** CSS colour. */
  color: string;
  /** SVG dash pattern; [] draws a solid line. */
  dash: number[];
}

/** A piece of a vega-lite spec, checked by vega-lite when compiled. */
type Spec = Record<string, unknown>;

/** One panel of a figure: what it shows and where. */
export interface PanelOptions {
  /** Panel title (insets); the figure's own title is in {@link ChartOptions}. */
  title?: string | undefined;
  /** Which value goes on the y axis. */
  field: "loss" | "grad";
  /** Y axis title. */
  yTitle: string;
  /** X axis domain. Defaults to [-1, 1]. */
  xDomain?: [number, number];
  /** A logarithmic x axis (for positive errors). Defaults to linear. */
  xLog?: boolean;
  /** Y axis domain; lines are clipped to it. */
  yDomain: [number, number];
  /** X positions of the vertical rules and their labels (theta). */
  rules: { x: number; label: string }[];
  /** Text labels placed in data coordinates, in the colour of their curve. */
  labels?: { x: number; y: number; text: string; curve: string }[];
  /** Panel size in pixels. Defaults to 560 x 380. */
  width?: number;
  height?: number;
}

/** What one figure shows: a main panel and optional insets (zoomed views) below it. */
export interface ChartOptions extends PanelOptions {
  /** Title and subtitle lines. */
  title: string;
  subtitle: string[];
  /** Curves in legend order. */
  styles: CurveStyle[];
}

/** An inset of {@link chartSpec}: a zoomed view with its own samples. */
export interface InsetOptions extends Omit<PanelOptions, "field" | "yTitle"> {
  /** The samples it draws (e.g. a finer grid near x = 0). */
  rows: readonly CurveRow[];
}

/** The powers of ten within `domain`. */
function decades([lo, hi]: [number, number]): number[] {
  const out: number[] = [];
  for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e++) out.push(10 ** e);
  return out;
}

function panelSpec(
  rows: readonly CurveRow[],
  o: PanelOptions,
  styles: CurveStyle[],
  field: "loss" | "grad",
): Spec {
  const values = rows.map((r) => ({ curve: r.curve, x: r.x, v: r[field] }));
  const names = styles.map((s) => s.name);
  const legend = {
    title: null,
    orient: "right" as const,
    symbolType: "stroke",
    symbolStrokeWidth: 2.5,
    labelLimit: 220,
  };
  const x = { field: "x", type: "quantitative" as const };
  const curveColor = { scale: { domain: names, range: styles.map((s) => s.color) }, legend };
  const layers: Spec[] = [
    {
      data: { values: o.rules },
      mark: { type: "rule", color: "#999999", strokeDash: [3, 3], strokeWidth: 1 },
      encoding: { x },
    },
    {
      data: { values: o.rules },
      mark: { type: "text", color: "#666666", align: "left", dx: 4, baseline: "top", fontSize: 12 },
      encoding: { x, y: { value: 4 }, text: { field: "label", type: "nominal" } },
    },
    {
      data: { values },
      mark: { type: "line", clip: true, strokeWidth: 1.8, interpolate: "linear" },
      encoding: {
        x: {
          ...x,
          title: "error x = y − ŷ (target minus prediction)",
          scale: {
            domain: o.xDomain ?? [-1, 1],
            nice: false,
            ...(o.xLog ? { type: "log" } : { zero: false }),
          },
          axis: o.xLog
            ? { labelFlush: false, format: "~e", values: decades(o.xDomain ?? [1e-6, 1]) }
            : { labelFlush: false, tickCount: 10 },
        },
        y: {
          field: "v",
          type: "quantitative",
          title: o.yTitle,
          scale: { domain: o.yDomain, nice: false, zero: false },
        },
        color: { field: "curve", type: "nominal", ...curveColor },
        strokeDash: {
          field: "curve",
          type: "nominal",
          scale: { domain: names, range: styles.map((s) => s.dash) },
          legend,
        },
        order: { field: "x", type: "quantitative" },
      },
    },
  ];
  if (o.labels !== undefined && o.labels.length > 0) {
    const colorOf = new Map(styles.map((st) => [st.name, st.color]));
    layers.push({
      data: { values: o.labels.map((l) => ({ ...l, color: colorOf.get(l.curve) ?? "#333333" })) },
      mark: { type: "text", align: "center", baseline: "middle", fontSize: 11 },
      encoding: {
        x,
        y: { field: "y", type: "quantitative" },
        text: { field: "text", type: "nominal" },
        // the curve's colour as a value: a second colour legend would conflict with the lines'
        color: { field: "color", type: "nominal", scale: null },
      },
    });
  }
  return {
    ...(o.title === undefined ? {} : { title: { text: o.title, fontSize: 13, anchor: "start" } }),
    width: o.width ?? 560,
    height: o.height ?? 380,
    layer: layers,
  };
}

/**
 * Builds the vega-lite spec of one figure over `rows`: the main panel, and below it the insets
 * (zoomed views, each with its own samples), side by side.
 */
export function chartSpec(
  rows: readonly CurveRow[],
  options: ChartOptions,
  insets: readonly InsetOptions[] = [],
): vl.TopLevelSpec {
  const { field, styles } = options;
  const main = panelSpec(rows, { ...options, title: undefined }, styles, field);
  const top = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    background: "white",
    padding: 8,
    title: {
      text: options.title,
      subtitle: options.subtitle,
      anchor: "start" as const,
      fontSize: 15,
    },
    config: {
      font: "DejaVu Sans, Helvetica, Arial, sans-serif",
      axis: { labelFontSize: 12, titleFontSize: 13, gridColor: "#e6e6e6" },
      legend: { labelFontSize: 12 },
    },
  };
  if (insets.length === 0) return { ...top, ...main } as unknown as vl.TopLevelSpec;
  const panels = insets.map((inset) =>
    panelSpec(inset.rows, { ...inset, field, yTitle: options.yTitle }, styles, field)
  );
  return { ...top, vconcat: [main, { hconcat: panels }] } as unknown as vl.TopLevelSpec;
}

/** Advance widths, in em, of DejaVu Sans (the font the figures ask for), by character class. */
const WIDTH_CLASSES: [RegExp, number][] = [
  [/[il.,:;|!'Ij]/, 0.3],
  [/ /, 0.318],
  [/[ft()[\]]/, 0.38],
  [/r/, 0.41],
  [/[0-9]/, 0.636],
  [/[mW]/, 0.98],
  [/[wM]/, 0.85],
  [/[=+−<>~×]/, 0.84],
  [/[A-Z]/, 0.72],
];

/**
 * Text width in pixels, from the widths of DejaVu Sans. With no canvas vega estimates
 * 0.8 em per character, which leaves wide empty margins; this is close to what a viewer draws.
 */
function textWidth(
  item: { fontSize?: number; fontWeight?: string | number },
  text: unknown,
): number {
  const s = String(text ?? "");
  let em = 0;
  for (const ch of s) em += WIDTH_CLASSES.find(([re]) => re.test(ch))?.[1] ?? 0.6;
  const bold = item.fontWeight === "bold" || Number(item.fontWeight) >= 600;
  // 5% margin: viewers hint and kern differently.
  return 1.05 * em * (item.fontSize ?? 11) * (bold ? 1.12 : 1);
}

/** vega's text measurer (exported at runtime by vega-scenegraph, absent from the typings). */
const metrics = (vega as unknown as {
  textMetrics: { width: (item: object, text: unknown) => number };
}).textMetrics;

/** Renders a vega-lite spec to an SVG document, headless. */
export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const previous = metrics.width;
  metrics.width = textWidth;
  try {
    return await render(spec);
  } finally {
    metrics.width = previous;
  }
}

async function render(spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The figure formats {@link renderFigure} writes. */
export type FigureFormat = "svg" | "png";

/**
 * Renders a vega-lite spec to the bytes of an SVG or PNG file. The PNG rasteriser (resvg,
 * WebAssembly) is loaded only for a PNG, so SVG figures never download it.
 */
export async function renderFigure(
  spec: vl.TopLevelSpec,
  format: FigureFormat,
): Promise<Uint8Array> {
  const svg = await renderSvg(spec);
  if (format === "svg") return new TextEncoder().encode(svg);
  // a computed specifier keeps the rasteriser out of the static module graph
  const module = "./_png.ts";
  const { svgToPng } = await import(module) as typeof import("./_png.ts");
  return await svgToPng(svg);
}

/** `n` colours along the plasma scheme, dark to orange (its pale yellow end is left out). */
export function plasmaColors(n: number): string[] {
  const interpolate = vega.scheme("plasma") as (t: number) => string;
  return Array.from({ length: n }, (_, i) => interpolate(n === 1 ? 0 : (0.85 * i) / (n - 1)));
}

/** One CED curve of {@link cedSpec}: its legend label and its samples. */
export interface CedSeries {
  /** Legend label, e.g. `"Full (NME 4.36%)"`. */
  name: string;
  /** NME grid (fractions). */
  x: ArrayLike<number>;
  /** Fraction of faces with NME <= x. */
  y: ArrayLike<number>;
}

/** The vega-lite spec of a cumulative error distribution figure (NME in % on the x axis). */
export function cedSpec(series: readonly CedSeries[], title: string): vl.TopLevelSpec {
  const values = series.flatMap((s) =>
    Array.from(s.x, (x, i) => ({ curve: s.name, x: 100 * x, y: s.y[i]! }))
  );
  const names = series.map((s) => s.name);
  const xMax = 100 * Math.max(...series.map((s) => s.x[s.x.length - 1]!));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 520,
    height: 380,
    background: "white",
    padding: 8,
    title: { text: title, anchor: "start", fontSize: 15 },
    config: {
      font: "DejaVu Sans, Helvetica, Arial, sans-serif",
      axis: { labelFontSize: 12, titleFontSize: 13, gridColor: "#e6e6e6" },
      legend: { labelFontSize: 12 },
    },
    data: { values },
    mark: { type: "line", strokeWidth: 1.8, interpolate: "step-after" },
    encoding: {
      x: {
        field: "x",
        type: "quantitative",
        title: "NME (%)",
        scale: { domain: [0, xMax], nice: false },
      },
      y: {
        field: "y",
        type: "quantitative",
        title: "fraction of faces with NME ≤ x",
        scale: { domain: [0, 1] },
      },
      color: {
        field: "curve",
        type: "nominal",
        scale: { domain: names, scheme: "tableau10" },
        legend: { title: null, orient: "bottom-right", labelLimit: 260 },
      },
      order: { field: "x", type: "quantitative" },
    },
  };
}
