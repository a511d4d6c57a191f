import * as tfl from "npm:@tensorflow/tfjs-layers@4.22.0";
import { join } from "node:path";
import { _readArtifacts } from "./_file_io.ts";
import { _AddCoords } from "./_add_coords.ts"; // also registers the layer for deserialisation
import { _modelShapes } from "./_model_shapes.ts";
import { _resolveModelOptions, type ResolvedModelOptions } from "./create_heatmap_model.ts";

/** What {@link loadCheckpoint} returns. */
export interface Checkpoint {
  /** The model with its saved weights. */
  model: tfl.LayersModel;
  /** The options it was created with (K, sizes, CoordConv, boundary channel). */
  options: ResolvedModelOptions;
}

/**
 * Loads a model saved by {@link saveCheckpoint} from a folder holding `model.json` and its
 * weights, with the options it was created with. The weights must hold exactly the bytes
 * their manifest describes (and match the SHA-256 that `saveCheckpoint` records), and the
 * options must describe the model (landmark and boundary channels, input size, stride,
 * CoordConv).
 *
 * @example
 * ```ts
 * import { createHeatmapModel, loadCheckpoint, saveCheckpoint } from "@facealign/awing/train";
 * import { equal } from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const model = createHeatmapModel({ width: 4, levels: 1, coordConv: true, boundary: true });
 * await saveCheckpoint(model, dir);
 * const { model: again, options } = await loadCheckpoint(dir);
 * equal(options.coordConv && options.boundary, true);
 * equal(again.outputs[0]!.shape[3], 69);
 * model.dispose();
 * again.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param dir The checkpoint folder.
 * @returns The model and its options.
 * @throws {Deno.errors.NotFound} When the folder has no `model.json`.
 * @throws {TypeError} When `model.json` is not a checkpoint of this package, its weights do not
 * match its manifest, or its options do not match its model.
 */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  const file = join(dir, "model.json");
  const artifacts = await _readArtifacts(dir);
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel({ load: () => Promise.resolve(artifacts) });
  } catch (e) {
    throw new TypeError(
      `Cannot load checkpoint: "${file}" is not a valid model (${(e as Error).message})`,
    );
  }
  try {
    const meta = model.getUserDefinedMetadata() as { awing?: ResolvedModelOptions } | undefined;
    if (meta?.awing === undefined) throw new TypeError("has no awing model options");
    let options: ResolvedModelOptions;
    try {
      options = _resolveModelOptions(meta.awing);
    } catch (e) {
      throw new TypeError(`has invalid awing model options (${(e as Error).message})`);
    }
    const { s, ci, h, w, c } = _modelShapes(model, "load checkpoint");
    const o = options, channels = o.numLandmarks + (o.boundary ? 1 : 0);
    const coords = model.layers.some((l) => l instanceof _AddCoords);
    const claims = `its options claim ${o.numLandmarks} landmarks${
      o.boundary ? " + a boundary channel" : ""
    }, ${o.inputSize} x ${o.inputSize} inputs, stride ${o.stride}${
      o.coordConv ? ", CoordConv" : ""
    }`;
    const is = `but its model maps [${s}, ${s}, ${ci}] to [${h}, ${w}, ${c}]${
      coords ? " with CoordConv" : ""
    }`;
    if (
      c !== channels || s !== o.inputSize || ci !== 3 || h !== s / o.stride || w !== h ||
      coords !== o.coordConv
    ) {
      throw new TypeError(`does not match its model: ${claims} ${is}`);
    }
    return { model, options };
  } catch (e) {
    model.dispose();
    throw new TypeError(`Cannot load checkpoint: "${file}" ${(e as Error).message}`);
  }
}
