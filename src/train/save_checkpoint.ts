import type * as tfl from "npm:@tensorflow/tfjs-layers@4.22.0";
import { _folderHandler } from "./_file_io.ts";

/**
 * Saves a model into a folder as `model.json` (topology, the options of
 * {@link createHeatmapModel} as user metadata, weights manifest) and a weights file named by
 * its hash (`weights-<hash>.bin`), the TensorFlow.js layers format; the folder is created if
 * needed. A checkpoint already in the folder is replaced without ever being half new: the new
 * weights file is written first, then `model.json` is replaced atomically (temporary file +
 * rename), then the old weights file is removed. {@link loadCheckpoint} reads it back.
 *
 * @example Save a model and load it again
 * ```ts
 * import { createHeatmapModel, loadCheckpoint, saveCheckpoint } from "@facealign/awing/train";
 * import { equal } from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const model = createHeatmapModel({ width: 4, levels: 1, numLandmarks: 5 });
 * await saveCheckpoint(model, dir);
 * const { model: again, options } = await loadCheckpoint(dir);
 * equal(again.countParams(), model.countParams());
 * equal(options.numLandmarks, 5);
 * model.dispose();
 * again.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param model The model (e.g. from {@link createHeatmapModel}).
 * @param dir The checkpoint folder.
 * @returns When the checkpoint is complete.
 */
export async function saveCheckpoint(model: tfl.LayersModel, dir: string): Promise<void> {
  await model.save(_folderHandler(dir));
}
