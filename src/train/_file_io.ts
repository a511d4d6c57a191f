// A tf.io handler that saves a model as model.json + weights.bin in a folder and loads it
// again (Deno has no tfjs-node file:// handler).
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import { join } from "node:path";

const WEIGHTS = "weights.bin";

/** The handler of a checkpoint folder (created on save). */
export function _folderHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      await Deno.mkdir(dir, { recursive: true });
      const data = artifacts.weightData === undefined
        ? new ArrayBuffer(0)
        : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const json = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        modelTopology: artifacts.modelTopology,
        trainingConfig: artifacts.trainingConfig,
        userDefinedMetadata: artifacts.userDefinedMetadata,
        weightsManifest: [{ paths: [WEIGHTS], weights: artifacts.weightSpecs ?? [] }],
      };
      await Deno.writeFile(join(dir, WEIGHTS), new Uint8Array(data));
      await Deno.writeTextFile(join(dir, "model.json"), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = JSON.parse(await Deno.readTextFile(join(dir, "model.json"))) as tf.io.ModelJSON;
      return await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers = [];
        for (const group of manifest) {
          for (const path of group.paths) {
            buffers.push((await Deno.readFile(join(dir, path))).slice().buffer);
          }
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}
