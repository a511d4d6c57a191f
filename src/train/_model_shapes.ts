import type * as tfl from "npm:@tensorflow/tfjs-layers@4.22.0";

/** The input `[S, S, Ci]` and output `[h, w, C]` sizes of a one-input one-output image model. */
export interface _ModelShapes {
  s: number;
  ci: number;
  h: number;
  w: number;
  c: number;
}

/** Reads the sizes of an image-to-heatmap model; throws a TypeError for another model. */
export function _modelShapes(model: tfl.LayersModel, action: string): _ModelShapes {
  const m = model as Partial<tfl.LayersModel> | null;
  if (
    typeof m !== "object" || m === null || !Array.isArray(m.inputs) || !Array.isArray(m.outputs)
  ) {
    throw new TypeError(`Cannot ${action}: "model" must be a tf.LayersModel`);
  }
  const input = model.inputs[0]?.shape, output = model.outputs[0]?.shape;
  const [, s, s2, ci] = input ?? [];
  const [, h, w, c] = output ?? [];
  for (const v of [s, s2, ci, h, w, c]) {
    if (typeof v !== "number") {
      throw new TypeError(
        `Cannot ${action}: the model must map [S, S, C] images to [h, w, K] heatmaps but it maps [${input}] to [${output}]`,
      );
    }
  }
  return { s: s as number, ci: ci as number, h: h as number, w: w as number, c: c as number };
}
