// Data-parallel training for trainModel: each Worker holds a replica of the model, computes
// the loss and gradients of its share of every batch, the main thread averages them and every
// replica applies the same Adam update, so that the replicas keep identical weights.
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import type * as tfl from "npm:@tensorflow/tfjs-layers@4.22.0";
import {
  _allFinite,
  _nonFiniteError,
  type _SampleSizes,
  _sizesOf,
  _stepAction,
  _stepError,
  type _Stepper,
} from "./_train_step.ts";
import type { _WorkerReply, _WorkerRequest } from "./_train_worker.ts";
import type { LossName } from "./types.ts";

const WORKER_URL = new URL("./_train_worker.ts", import.meta.url);

/** The error a Worker replied with, as the same class where it is a RangeError or TypeError. */
function replyError(name: string, message: string): Error {
  if (name === "RangeError") return new RangeError(message);
  if (name === "TypeError") return new TypeError(message);
  return new Error(message);
}

/** One training Worker: requests are answered in the order they were sent. */
class TrainWorker {
  readonly #worker: Worker;
  readonly #waiting: { resolve(r: _WorkerReply): void; reject(e: Error): void }[] = [];
  #failure: Error | null = null;

  constructor(index: number, action: string) {
    this.#worker = new Worker(WORKER_URL, { type: "module" });
    this.#worker.onmessage = (event: MessageEvent<_WorkerReply>) => {
      const r = event.data, p = this.#waiting.shift();
      if (r.kind === "error") p?.reject(replyError(r.name, r.message));
      else p?.resolve(r);
    };
    this.#worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#fail(new Error(`Cannot ${action}: worker ${index + 1} failed: ${event.message}`));
    };
  }

  request(msg: _WorkerRequest, transfer: Transferable[] = []): Promise<_WorkerReply> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#worker.postMessage(msg, transfer);
    });
  }

  terminate(): void {
    this.#worker.terminate();
    this.#fail(new Error("Cannot train: the worker has ended"));
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const p of this.#waiting.splice(0)) p.reject(this.#failure);
  }
}

/** The replies of `requests`, after all of them settled; throws the first failure. */
async function all(requests: Promise<_WorkerReply>[]): Promise<_WorkerReply[]> {
  const settled = await Promise.allSettled(requests);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  return settled.map((s) => (s as PromiseFulfilledResult<_WorkerReply>).value);
}

/**
 * Starts `n` Workers, each with a replica of `model` (rebuilt from its topology and weights, on
 * the wasm backend), and returns the steps that run on them. The model is brought up to date
 * by `sync`: trainable weights from the first replica (they are the same in all), and every
 * non-trainable weight (batch norm's moving statistics) averaged over the replicas.
 */
export async function _startWorkers(
  model: tfl.LayersModel,
  n: number,
  loss: LossName,
  learningRate: number,
  sizes: _SampleSizes,
): Promise<_Stepper> {
  const action = `train with ${n} workers`;
  const local = WORKER_URL.protocol === "file:";
  const access: Deno.PermissionDescriptor = local
    ? { name: "read", path: WORKER_URL }
    : { name: "net", host: WORKER_URL.host };
  if (Deno.permissions.querySync(access).state !== "granted") {
    throw new Deno.errors.NotCapable(
      `Cannot ${action}: they need ${
        local ? "--allow-read" : "--allow-net"
      } to load ${WORKER_URL.href}${local ? " and the wasm backend's files" : ""}`,
    );
  }
  if (tf.getBackend() !== "wasm") {
    throw new Error(
      `Cannot ${action}: they train on the wasm backend of TensorFlow.js (useWasmBackend()), but the current backend is ${tf.getBackend()}`,
    );
  }
  const weights = model.weights;
  const allSizes = _sizesOf(weights);
  const trainableSize = _sizesOf(model.trainableWeights).reduce((s, v) => s + v, 0);
  const workers = Array.from({ length: n }, (_, i) => new TrainWorker(i, action));
  const close = () => workers.forEach((w) => w.terminate());
  try {
    const init: _WorkerRequest = {
      kind: "init",
      topology: model.toJSON(undefined, false),
      weights: weights.map((w) => w.read().dataSync() as Float32Array),
      loss,
      learningRate,
      sizes,
    };
    await all(workers.map((w) => w.request(init)));
  } catch (error) {
    close();
    if (!(error instanceof Error) || error.message.startsWith("Cannot ")) throw error;
    // e.g. tfjs-layers' "Unknown layer: X. This may be due to ..." (several lines)
    throw new Error(
      `Cannot ${action}: a Worker cannot rebuild the model, whose layers must be TensorFlow.js' own or awing's (${
        error.message.split(/\.\s/)[0]
      })`,
      { cause: error },
    );
  }
  const undoAll = (computed: (_WorkerReply | null)[]) =>
    Promise.allSettled(computed.map((r, i) => (r ? workers[i]!.request({ kind: "undo" }) : null)));

  return {
    step: async (images, heatmaps, b, lr, step) => {
      if (b < n) {
        throw new RangeError(
          `Cannot ${_stepAction(step)}: a batch of ${b} samples cannot be shared by ${n} workers`,
        );
      }
      const inSize = sizes.input[0] * sizes.input[1] * sizes.input[2];
      const outSize = sizes.output[0] * sizes.output[1] * sizes.output[2];
      const counts = workers.map((_, i) => Math.floor((b * (i + 1)) / n) - Math.floor((b * i) / n));
      let first = 0;
      const requests = workers.map((w, i) => {
        const [from, to] = [first, first += counts[i]!];
        const im = images.slice(from * inSize, to * inSize);
        const hm = heatmaps.slice(from * outSize, to * outSize);
        return w.request({ kind: "compute", images: im, heatmaps: hm, b: counts[i]! }, [
          im.buffer as ArrayBuffer,
          hm.buffer as ArrayBuffer,
        ]);
      });
      const settled = await Promise.allSettled(requests);
      const computed = settled.map((s) => (s.status === "fulfilled" ? s.value : null));
      const failed = settled.find((s) => s.status === "rejected");
      if (failed !== undefined) {
        await undoAll(computed);
        throw _stepError((failed as PromiseRejectedResult).reason, step);
      }
      const parts = computed as Extract<_WorkerReply, { kind: "computed" }>[];
      // the gradient of the batch's mean loss: the shares' gradients weighted by their sizes
      const grads = new Float32Array(trainableSize);
      let value = 0;
      parts.forEach((p, i) => {
        const weight = counts[i]! / b;
        value += weight * p.loss;
        for (let j = 0; j < grads.length; j++) grads[j]! += weight * p.grads[j]!;
      });
      if (!(Number.isFinite(value) && _allFinite(grads))) {
        await undoAll(computed);
        throw _nonFiniteError(value, step);
      }
      const missing = parts[0]!.missing;
      await all(workers.map((w, i) =>
        w.request(
          { kind: "apply", grads: i === n - 1 ? grads : grads.slice(), missing, lr },
          i === n - 1 ? [grads.buffer as ArrayBuffer] : [],
        )
      ));
      return value;
    },
    sync: async () => {
      const replies = (await all(workers.map((w) => w.request({ kind: "weights" })))) as Extract<
        _WorkerReply,
        { kind: "weights" }
      >[];
      const values = replies[0]!.values;
      for (let j = trainableSize; j < values.length; j++) {
        let sum = 0;
        for (const r of replies) sum += r.values[j]!;
        values[j] = sum / n;
      }
      let at = 0;
      const tensors = weights.map((w, i) => {
        const t = tf.tensor(values.subarray(at, at + allSizes[i]!), w.shape as number[]);
        at += allSizes[i]!;
        return t;
      });
      model.setWeights(tensors);
      tf.dispose(tensors);
    },
    close,
  };
}
