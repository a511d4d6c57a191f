/**
 * Scores predicted landmarks against the ground truth: NME, failure rate and AUC at 0.08 and
 * 0.1, the CED, and the WFLW per-subset table where the attributes are known. Reads every
 * format of `parseLandmarkFile` (NumPy `.npy` [N, K, 2], `.pts`, HRNet 300W CSV, WFLW lists,
 * COFW-68 text); prints the paper-style table, or JSON with `--json`; `--out DIR` writes the
 * CED figure (ced.svg, or ced.png with `--format png`) and ced.csv.
 *
 * Usage: `deno task eval --gt FILE --pred FILE [--norm inter-ocular] [--json] [--out DIR]`
 *
 * @module
 */
import { basename, join, resolve } from "node:path";
import {
  getLayout,
  type LandmarkFile,
  type LayoutName,
  parseLandmarkFile,
  WFLW_ATTRIBUTES,
  type WflwAttributeName,
  type WflwAttributes,
  wflwAttributesFromSubsets,
} from "../src/layouts/mod.ts";
import {
  cedCurve,
  evaluate,
  type Evaluation,
  formatEvaluation,
  type NmeNorm,
} from "../src/metrics/mod.ts";
import {
  checkOutDir,
  choiceFlag,
  CliError,
  failedOn,
  filesIn,
  numberListFlag,
  parseUsage,
  refuseOverwrite,
  runCli,
  stringFlag,
  UsageError,
  writeOutput,
} from "./_cli.ts";

const HELP = `Usage: deno task eval --gt FILE --pred FILE [options]

Scores predicted landmarks against the ground truth: mean NME, failure rate (FR) and AUC at
each threshold, the CED, and the WFLW per-subset table when the ground truth is a full WFLW
list (207 fields) or --subsets is given. FILE is a NumPy .npy [N, K, 2] (float32/float64,
little-endian, C order), a .pts file (one face), an HRNet 300W .csv, a WFLW list (.txt, 207
or 197 fields a line) or the COFW-68 text (209 fields a line). Faces are matched by order.

Options:
  --gt FILE            ground-truth landmarks (required)
  --pred FILE          predicted landmarks, same faces in the same order (required)
  --norm NAME          inter-ocular (default), inter-pupil, bbox-diagonal, bbox-sqrt-area,
                       bbox-max-side, or pair:I,J (distance of landmarks I and J)
  --layout NAME        300w, wflw or cofw (default: from the number of points)
  --thresholds LIST    FR and AUC thresholds, comma-separated, increasing (default: 0.08,0.1)
  --auc METHOD         exact (default) or simpson (PIPNet's grid of 1e-4)
  --subsets DIR        folder of the six WFLW subset lists (*largepose*.txt, *expression*.txt,
                       ...): rebuilds the per-face attributes of --gt
  --gt-origin 0|1      subtract 1 from 1-based ground truth (.pts, 300W CSV, COFW-68)
  --pred-origin 0|1    the same for the predictions
  --json               print the scores as JSON instead of the table
  --out DIR            write the CED figure and ced.csv to DIR (created when missing;
                       never over an input file)
  --format FMT         figure format: svg (default) or png
  -h, --help           print this help
`;

const NORMS = ["inter-ocular", "inter-pupil", "bbox-diagonal", "bbox-sqrt-area", "bbox-max-side"];
const SUBSET_FILES: Record<WflwAttributeName, string> = {
  pose: "largepose",
  expression: "expression",
  illumination: "illumination",
  makeup: "makeup",
  occlusion: "occlusion",
  blur: "blur",
};

function parseNorm(text: string): NmeNorm {
  if (NORMS.includes(text)) return text as NmeNorm;
  const m = /^pair:(\d+),(\d+)$/.exec(text);
  if (m !== null) return { pair: [Number(m[1]), Number(m[2])] };
  throw new UsageError(
    `--norm must be one of ${NORMS.join(", ")} or pair:I,J but it is ${JSON.stringify(text)}`,
  );
}

function parseOrigin(text: string | undefined, flag: string): 0 | 1 | undefined {
  if (text === undefined) return undefined;
  if (text === "0" || text === "1") return Number(text) as 0 | 1;
  throw new UsageError(`--${flag} must be 0 or 1 but it is ${JSON.stringify(text)}`);
}

async function readLandmarks(
  file: string,
  flag: string,
  origin: 0 | 1 | undefined,
): Promise<LandmarkFile> {
  const bytes = await Deno.readFile(file).catch((e: Error) => {
    throw failedOn(`--${flag}`, file, "cannot read", e);
  });
  return parseLandmarkFile(bytes, { name: basename(file), origin });
}

async function subsetAttributes(dir: string, gt: LandmarkFile): Promise<WflwAttributes[]> {
  if (gt.images === undefined || gt.numPoints !== 98) {
    throw new UsageError("--subsets needs a WFLW list as --gt (faces are matched by image)");
  }
  const names = [];
  try {
    for await (const entry of Deno.readDir(dir)) if (entry.isFile) names.push(entry.name);
  } catch (e) {
    throw failedOn("--subsets", dir, "cannot read", e);
  }
  const lists = {} as Record<WflwAttributeName, LandmarkFile>;
  for (const attr of WFLW_ATTRIBUTES) {
    const hits = names.filter((n) => n.endsWith(".txt") && n.includes(SUBSET_FILES[attr]));
    if (hits.length !== 1) {
      throw new CliError(
        `--subsets ${JSON.stringify(dir)} has ${hits.length} files named *${
          SUBSET_FILES[attr]
        }*.txt but needs one`,
      );
    }
    lists[attr] = await readLandmarks(join(dir, hits[0]!), "subsets", undefined);
  }
  const faces = (f: LandmarkFile) =>
    f.images!.map((image, i) => ({
      image,
      landmarks: f.landmarks.subarray(i * 196, (i + 1) * 196),
    }));
  const subsets = Object.fromEntries(
    WFLW_ATTRIBUTES.map((a) => [a, faces(lists[a])]),
  ) as unknown as Parameters<typeof wflwAttributesFromSubsets>[1];
  return wflwAttributesFromSubsets(faces(gt), subsets);
}

function toJson(gtFile: string, predFile: string, norm: NmeNorm, ev: Evaluation): unknown {
  return {
    gt: gtFile,
    pred: predFile,
    norm,
    count: ev.count,
    nme: ev.nme,
    thresholds: ev.thresholds,
    subsets: ev.subsets ?? null,
    nmes: Array.from(ev.nmes),
    ced: { x: Array.from(ev.ced.x), y: Array.from(ev.ced.y) },
  };
}

/** The files --out receives: the CED figure and its table. */
function outputFiles(out: string, format: "svg" | "png"): [figure: string, csv: string] {
  return [join(out, `ced.${format}`), join(out, "ced.csv")];
}

async function writeFigure(
  out: string,
  format: "svg" | "png",
  ev: Evaluation,
  attributes: readonly WflwAttributes[] | undefined,
): Promise<string[]> {
  // imported here, through a variable that Deno does not follow ahead of time: vega (and the
  // rasteriser) are downloaded and loaded only when a figure is asked for
  const plot = "./_plot.ts";
  const { cedSpec, renderFigure } = await import(plot) as typeof import("./_plot.ts");
  const t = ev.thresholds[ev.thresholds.length - 1]!.threshold;
  const series = [{ name: `Full (NME ${(100 * ev.nme).toFixed(2)}%)`, ...ev.ced }];
  for (const attr of WFLW_ATTRIBUTES) {
    const s = ev.subsets?.[attr];
    if (s === undefined || s === null || attributes === undefined) continue;
    const nmes = ev.nmes.filter((_, i) => attributes[i]![attr]);
    const name = `${attr} (NME ${(100 * s.nme).toFixed(2)}%)`;
    series.push({ name, ...cedCurve(nmes, { threshold: t, steps: ev.ced.x.length - 1 }) });
  }
  const [figure, csv] = outputFiles(out, format);
  const bytes = await renderFigure(cedSpec(series, `Cumulative error distribution`), format);
  await writeOutput(figure, bytes);
  const rows = Array.from(ev.ced.x, (x, i) => `${x},${ev.ced.y[i]}`);
  await writeOutput(csv, ["nme,fraction", ...rows, ""].join("\n"));
  return [resolve(figure), resolve(csv)];
}

async function main(args: string[]): Promise<number> {
  const cli = parseUsage(args, HELP);
  if (cli === undefined) return 0;
  const { values } = cli;
  const gtFile = stringFlag(values, "gt"), predFile = stringFlag(values, "pred");
  if (gtFile === undefined || predFile === undefined) {
    throw new UsageError(`--gt and --pred are required`);
  }
  const norm = parseNorm(stringFlag(values, "norm") ?? "inter-ocular");
  const layoutName = stringFlag(values, "layout") === undefined
    ? undefined
    : choiceFlag(values, "layout", ["300w", "wflw", "cofw"] as const, "300w");
  const thresholds = numberListFlag(values, "thresholds", 0);
  const method = choiceFlag(values, "auc", ["exact", "simpson"] as const, "exact");
  const format = choiceFlag(values, "format", ["svg", "png"] as const, "svg");
  const gtOrigin = parseOrigin(stringFlag(values, "gt-origin"), "gt-origin");
  const predOrigin = parseOrigin(stringFlag(values, "pred-origin"), "pred-origin");
  const out = stringFlag(values, "out");
  const subsetsDir = stringFlag(values, "subsets");
  if (out !== undefined) {
    await checkOutDir(out);
    // ced.csv or ced.svg never replaces a file read (a ground truth named ced.csv, say)
    await refuseOverwrite(outputFiles(out, format), [
      gtFile,
      predFile,
      ...await filesIn(subsetsDir),
    ]);
  }

  const gt = await readLandmarks(gtFile, "gt", gtOrigin);
  const pred = await readLandmarks(predFile, "pred", predOrigin);
  if (pred.numPoints !== gt.numPoints || pred.count !== gt.count) {
    throw new CliError(
      `--pred has ${pred.count} faces of ${pred.numPoints} points but --gt has ${gt.count} of ${gt.numPoints}`,
    );
  }
  const attributes = subsetsDir !== undefined
    ? await subsetAttributes(subsetsDir, gt)
    : gt.attributes;
  let layout: LayoutName | number = gt.numPoints;
  if (layoutName !== undefined) layout = getLayout(layoutName).name;
  const ev = evaluate(pred.landmarks, gt.landmarks, {
    layout: typeof layout === "number" && ![68, 98, 29].includes(layout) ? undefined : layout,
    numPoints: gt.numPoints,
    norm,
    boxes: typeof norm === "string" && norm.startsWith("bbox") ? gt.boxes : undefined,
    thresholds,
    aucMethod: method,
    attributes,
  });
  if (values.json) console.log(JSON.stringify(toJson(gtFile, predFile, norm, ev)));
  else {
    const what = typeof norm === "string" ? norm : `pair ${norm.pair.join("-")}`;
    console.log(`${gt.count} faces of ${gt.numPoints} points, NME normalised by ${what}\n`);
    console.log(formatEvaluation(ev));
  }
  if (out !== undefined) {
    for (const f of await writeFigure(out, format, ev, attributes)) {
      (values.json ? console.error : console.log)(`wrote ${f}`);
    }
  }
  return 0;
}

if (import.meta.main) await runCli("eval", () => main(Deno.args));
