import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import "./_register.ts";

/** The folder holding the wasm backend's `.wasm` files: next to its bundle in the npm cache. */
function wasmFolder(): string | undefined {
  try {
    const url = new URL(".", import.meta.resolve("npm:@tensorflow/tfjs-backend-wasm@4.22.0"));
    return url.protocol === "file:" ? decodeURIComponent(url.pathname) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes the `wasm` backend of TensorFlow.js (XNNPACK, SIMD) the current backend, with the
 * kernels it lacks or runs slowly for training registered (`Conv2DBackpropFilter`, a faster
 * `Conv2DBackpropInput`, `MaxPoolGrad` and `ResizeNearestNeighborGrad`, and a batch-norm gradient
 * without `Tile`): many times faster than the `cpu` backend for training.
 *
 * The backend loads its `.wasm` files from Deno's npm cache and needs read permission there
 * (`--allow-read`); without it `tf.setBackend("wasm")` returns `false` silently, while this
 * function throws an error naming the folder to allow.
 *
 * Importing `@facealign/awing/tfjs` keeps `cpu` as the default backend.
 *
 * @example
 * ```ts
 * import { useWasmBackend } from "@facealign/awing/tfjs";
 * import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
 * import { equal } from "node:assert/strict";
 * await useWasmBackend();
 * equal(tf.getBackend(), "wasm");
 * await tf.setBackend("cpu");
 * ```
 *
 * @throws {Deno.errors.NotCapable} Without read permission on the backend's folder.
 * @throws {Error} When the backend fails to start for another reason.
 */
export async function useWasmBackend(): Promise<void> {
  const folder = wasmFolder();
  if (folder !== undefined) {
    const { state } = await Deno.permissions.query({ name: "read", path: folder });
    if (state !== "granted") {
      throw new Deno.errors.NotCapable(
        `Cannot use the wasm backend of TensorFlow.js: it needs read permission on "${folder}" to load its .wasm files, run again with --allow-read (or --allow-read=${folder})`,
      );
    }
  }
  if (!(await tf.setBackend("wasm"))) {
    throw new Error(
      `Cannot use the wasm backend of TensorFlow.js: it failed to start (see the warning above)`,
    );
  }
}
