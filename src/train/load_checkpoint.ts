import * as tfl from "npm:@tensorflow/tfjs-layers@4.22.0";
import { join } from "node:path";
import { _folderHandler } from "./_file_io.ts";
import "./_add_coords.ts"; // registers the CoordConv layer for deserialisation
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
 * weights, with the options it was created with.
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
 * @throws {TypeError} When `model.json` is not a checkpoint of this package.
 */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  const file = join(dir, "model.json");
  try {
    await Deno.stat(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`Cannot load checkpoint: no model.json in "${dir}"`);
    }
    throw e;
  }
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel(_folderHandler(dir));
  } catch (e) {
    throw new TypeError(
      `Cannot load checkpoint: "${file}" is not a valid model (${(e as Error).message})`,
    );
  }
  const meta = model.getUserDefinedMetadata() as { awing?: ResolvedModelOptions } | undefined;
  if (meta?.awing === undefined) {
    model.dispose();
    throw new TypeError(`Cannot load checkpoint: "${file}" has no awing model options`);
  }
  return { model, options: _resolveModelOptions(meta.awing) };
}
