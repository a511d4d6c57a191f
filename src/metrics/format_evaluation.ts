import type { WflwAttributeName } from "../layouts/wflw_attributes.ts";
import type { Evaluation, ScoreSummary } from "./evaluate.ts";

const COLUMNS: readonly [WflwAttributeName, string][] = [
  ["pose", "Pose"],
  ["expression", "Expr."],
  ["illumination", "Illum."],
  ["makeup", "Make-up"],
  ["occlusion", "Occl."],
  ["blur", "Blur"],
];

function percent(t: number): string {
  return `${Number((t * 100).toPrecision(6))}%`;
}

/**
 * Formats an {@linkcode evaluate} result as the table of face-alignment papers: one column for
 * the full set and, with attributes, one per WFLW subset; rows for the number of faces, NME
 * (%), the failure rate FR (%) and the AUC at each threshold. A subset with no face shows `-`.
 *
 * @param evaluation What {@linkcode evaluate} returned.
 * @returns The table, one line per row, columns aligned with spaces, no trailing newline.
 *
 * @example
 * ```ts
 * import { evaluate, formatEvaluation } from "@facealign/awing/metrics";
 * import { equal } from "node:assert/strict";
 *
 * const gt = new Float64Array([0, 0, 10, 0]);
 * const pred = new Float64Array([0.5, 0, 10, 0]);
 * const table = formatEvaluation(evaluate(pred, gt, { numPoints: 2, norm: { pair: [0, 1] } }));
 * const [header, faces, nmeRow] = table.split("\n");
 * equal(header!.trim(), "Full");
 * equal(faces, "Faces            1");
 * equal(nmeRow, "NME (%)       2.50"); // 0.5 / 2 points / 10
 * ```
 */
export function formatEvaluation(evaluation: Evaluation): string {
  const columns: [string, ScoreSummary | null][] = [["Full", evaluation]];
  const subsets = evaluation.subsets;
  if (subsets !== undefined) {
    for (const [name, label] of COLUMNS) columns.push([label, subsets[name]]);
  }
  const rows: [string, (s: ScoreSummary) => string][] = [
    ["Faces", (s) => String(s.count)],
    ["NME (%)", (s) => (100 * s.nme).toFixed(2)],
  ];
  evaluation.thresholds.forEach(({ threshold }, i) => {
    rows.push([
      `FR@${percent(threshold)} (%)`,
      (s) => (100 * s.thresholds[i]!.failureRate).toFixed(2),
    ]);
  });
  evaluation.thresholds.forEach(({ threshold }, i) => {
    rows.push([`AUC@${percent(threshold)}`, (s) => s.thresholds[i]!.auc.toFixed(4)]);
  });
  const cells = [
    ["", ...columns.map(([label]) => label)],
    ...rows.map((
      [label, cell],
    ) => [label, ...columns.map(([, s]) => (s === null ? "-" : cell(s)))]),
  ];
  const widths = cells[0]!.map((_, j) => Math.max(...cells.map((row) => row[j]!.length)));
  return cells
    .map((row) =>
      row.map((cell, j) => (j === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[j]! + 2)))
        .join("")
        .trimEnd()
    )
    .join("\n");
}
