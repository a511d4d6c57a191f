// Imported for its effects by every public module of the tfjs subpath: the cpu and wasm
// backends, every gradient of TensorFlow.js (registered by tfjs-layers, so that users need
// not import it themselves), the wasm backend's convolution, pooling and upsampling gradients and a
// batch-norm gradient without Tile.
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import "npm:@tensorflow/tfjs-backend-cpu@4.22.0";
import "npm:@tensorflow/tfjs-backend-wasm@4.22.0";
import "npm:@tensorflow/tfjs-layers@4.22.0";
import { registerWasmConvGradients } from "./_wasm_conv_grads.ts";
import { registerBatchNormGradient } from "./_batch_norm_grad.ts";
import { registerWasmResizeGradient } from "./_wasm_resize_grad.ts";
import { registerWasmMaxPoolGradient } from "./_wasm_max_pool_grad.ts";

registerWasmConvGradients();
registerBatchNormGradient();
registerWasmResizeGradient();
registerWasmMaxPoolGradient();

// The wasm backend registers itself above the cpu backend, so that the first synchronous op
// would throw "not yet initialized" (its start is asynchronous and needs read permission):
// it is registered again below cpu, to be chosen with useWasmBackend().
const wasmFactory = tf.findBackendFactory("wasm");
if (wasmFactory && tf.engine().registry["wasm"] === undefined) {
  tf.removeBackend("wasm");
  tf.registerBackend("wasm", wasmFactory, 0);
}

// The cpu backend prints a banner recommending tfjs-node (which does not run in Deno) on its
// first tensor: it is registered again with its instances marked as already used.
const cpuFactory = tf.findBackendFactory("cpu");
if (cpuFactory && tf.engine().registry["cpu"] === undefined) {
  tf.removeBackend("cpu");
  tf.registerBackend(
    "cpu",
    () => Object.assign(cpuFactory() as tf.KernelBackend, { firstUse: false }),
    1,
  );
}
