// A Worker of trainModel's data-parallel training: it holds a replica of the model, computes
// the loss and gradients of its share of each batch, and applies the averaged update.
// Every request gets exactly one reply, in order.
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import * as tfl from "npm:@tensorflow/tfjs-layers@4.22.0";
import { useWasmBackend } from "../tfjs/use_wasm_backend.ts";
import "./_add_coords.ts"; // the CoordConv layer, for modelFromJSON
import { _flatten, _Replica, type _SampleSizes, _sizesOf } from "./_train_step.ts";
import type { LossName } from "./types.ts";

/** What the main thread asks a training Worker. */
export type _WorkerRequest =
  | {
    kind: "init";
    topology: unknown;
    /** Every weight's values, in `model.weights` order (trainable first). */
    weights: Float32Array[];
    loss: LossName;
    learningRate: number;
    sizes: _SampleSizes;
  }
  | { kind: "compute"; images: Float32Array; heatmaps: Float32Array; b: number }
  | { kind: "apply"; grads: Float32Array; missing: number[]; lr: number }
  | { kind: "undo" }
  | { kind: "weights" };

/** A Worker's reply. */
export type _WorkerReply =
  | { kind: "computed"; loss: number; grads: Float32Array; missing: number[] }
  | { kind: "done" }
  | { kind: "weights"; values: Float32Array }
  | { kind: "error"; name: string; message: string };

let replica: _Replica | null = null;

async function handle(msg: _WorkerRequest): Promise<[_WorkerReply, Transferable[]]> {
  if (msg.kind === "init") {
    await useWasmBackend();
    const model = await tfl.models.modelFromJSON({ modelTopology: msg.topology } as never);
    const values = msg.weights.map((w, i) => tf.tensor(w, model.weights[i]?.shape as number[]));
    model.setWeights(values);
    tf.dispose(values);
    replica = new _Replica(model, msg.loss, msg.learningRate, msg.sizes);
    return [{ kind: "done" }, []];
  }
  const r = replica!;
  const trainable = r.model.trainableWeights;
  const sizes = _sizesOf(trainable);
  switch (msg.kind) {
    case "compute": {
      const { loss, grads } = r.compute(msg.images, msg.heatmaps, msg.b);
      const flat = _flatten(grads, sizes);
      const missing = grads.flatMap((g, i) => (g === null ? [i] : []));
      tf.dispose(grads.filter((g): g is tf.Tensor => g !== null));
      return [{ kind: "computed", loss, grads: flat, missing }, [flat.buffer as ArrayBuffer]];
    }
    case "apply": {
      let at = 0;
      const grads = trainable.map((w, i) => {
        const g = msg.missing.includes(i)
          ? null
          : tf.tensor(msg.grads.subarray(at, at + sizes[i]!), w.shape as number[], "float32");
        at += sizes[i]!;
        return g;
      });
      r.apply(grads, msg.lr);
      return [{ kind: "done" }, []];
    }
    case "undo":
      r.undo();
      return [{ kind: "done" }, []];
    case "weights": {
      const all = r.model.weights;
      const values = _flatten(all.map((w) => w.read()), _sizesOf(all));
      return [{ kind: "weights", values }, [values.buffer as ArrayBuffer]];
    }
  }
}

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<_WorkerRequest>) => void) | null;
  postMessage(message: _WorkerReply, transfer?: Transferable[]): void;
};
let queue: Promise<void> = Promise.resolve();
scope.onmessage = (event) => {
  queue = queue.then(async () => {
    try {
      const [reply, transfer] = await handle(event.data);
      scope.postMessage(reply, transfer);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      scope.postMessage({ kind: "error", name: error.name, message: error.message });
    }
  });
};
