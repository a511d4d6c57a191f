// Files of the training pipeline: a tf.io handler that saves a model as model.json + a weights
// file in a folder and reads it back with checks (Deno has no tfjs-node file:// handler).
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import { join } from "node:path";
import { _writeFileAtomic } from "../_write_file_atomic.ts";

/** Hex SHA-256 of bytes. */
async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** What model.json says of its weights file, beside the standard manifest. */
interface WeightsRecord {
  path: string;
  byteLength: number;
  sha256: string;
}

/** Bytes of one weight tensor as its manifest entry describes it. */
function specBytes(spec: tf.io.WeightsManifestEntry): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const size = { uint8: 1, int8: 1, bool: 1, uint16: 2, float16: 2 }[dtype as string] ?? 4;
  return spec.shape.reduce((n, d) => n * d, 1) * size;
}

const WEIGHTS = /^weights(-[0-9a-f]{16})?\.bin$/;

/**
 * Saves model artifacts into `dir` (created if needed) in an order that never leaves a
 * half-new checkpoint: the weights go to a new file named by their hash, then `model.json`
 * (which names that file, its length and its SHA-256) is replaced atomically, and only then
 * are the previous weights files removed. At every moment `model.json` names a complete file.
 */
async function saveArtifacts(dir: string, artifacts: tf.io.ModelArtifacts): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const bytes = new Uint8Array(
    artifacts.weightData === undefined
      ? new ArrayBuffer(0)
      : tf.io.CompositeArrayBuffer.join(artifacts.weightData),
  );
  const hash = await sha256(bytes);
  const weights: WeightsRecord = {
    path: `weights-${hash.slice(0, 16)}.bin`,
    byteLength: bytes.length,
    sha256: hash,
  };
  const json = {
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    modelTopology: artifacts.modelTopology,
    trainingConfig: artifacts.trainingConfig,
    userDefinedMetadata: artifacts.userDefinedMetadata,
    weightsManifest: [{ paths: [weights.path], weights: artifacts.weightSpecs ?? [] }],
    awingWeights: weights,
  };
  await _writeFileAtomic(join(dir, weights.path), bytes);
  await _writeFileAtomic(join(dir, "model.json"), JSON.stringify(json));
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && WEIGHTS.test(entry.name) && entry.name !== weights.path) {
      await Deno.remove(join(dir, entry.name)).catch(() => {});
    }
  }
}

/**
 * Reads the artifacts of a checkpoint folder, checking that the weights files exist and hold
 * exactly the bytes the manifest describes (and the recorded SHA-256, when there is one).
 * Throws a TypeError naming the file for anything else.
 */
export async function _readArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const file = join(dir, "model.json");
  let json: tf.io.ModelJSON & { awingWeights?: WeightsRecord };
  try {
    json = JSON.parse(await Deno.readTextFile(file));
    if (typeof json !== "object" || json === null || !Array.isArray(json.weightsManifest)) {
      throw new Error("no weights manifest");
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`Cannot load checkpoint: no model.json in "${dir}"`);
    }
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) throw e;
    throw new TypeError(
      `Cannot load checkpoint: "${file}" is not a valid model (${(e as Error).message})`,
    );
  }
  const bad = (what: string) => new TypeError(`Cannot load checkpoint: "${file}" ${what}`);
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const expected = specs.reduce((n, spec) => n + specBytes(spec), 0);
  const parts: Uint8Array[] = [];
  for (const path of json.weightsManifest.flatMap((group) => group.paths)) {
    if (typeof path !== "string" || path.includes("/") || path.includes("\\")) {
      throw bad(`names a weights file outside its folder: ${JSON.stringify(path)}`);
    }
    try {
      parts.push(await Deno.readFile(join(dir, path)));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) throw bad(`names a missing weights file "${path}"`);
      throw e;
    }
  }
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (bytes.set(p, at), at + p.length), 0);
  if (bytes.length !== expected) {
    throw bad(
      `describes ${expected} bytes of weights but its weights files hold ${bytes.length}`,
    );
  }
  const record = json.awingWeights;
  if (record !== undefined && (await sha256(bytes)) !== record.sha256) {
    throw bad(`records weights of SHA-256 ${record.sha256} but "${record.path}" differs`);
  }
  return await tf.io.getModelArtifactsForJSON(json, () => Promise.resolve([specs, bytes.buffer]));
}

/** The handler of a checkpoint folder (created on save); see {@link _readArtifacts}. */
export function _folderHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      await saveArtifacts(dir, artifacts);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    load: () => _readArtifacts(dir),
  };
}
