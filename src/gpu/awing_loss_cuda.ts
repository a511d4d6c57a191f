import type { AWingLossOptions } from "../loss/awing_loss.ts";
import { AWING_DEFAULTS } from "../_awing_defaults.ts";
import {
  awingTargetCheck,
  checkLossSizes,
  checkLossTotal,
  checkLossValues,
  resolveAwingParams,
  resolveLossOptions,
} from "../loss/_options.ts";
import type { Shape4 } from "../types.ts";
import {
  copyToDevice,
  copyToHost,
  deviceStream,
  type NativeBuffer,
  ownedBuffer,
  scratchBuffer,
  workspaceBuffer,
} from "./_buffers.ts";
import { ffi, STATS_BYTES, unwrap } from "./_ffi.ts";
import type { DeviceTensor } from "./device_tensor.ts";
import { outputTensor } from "./_output_tensor.ts";
import { tensorShape } from "./_tensor_shape.ts";

/**
 * Options of {@link awingLossCuda}: those of `awingLoss` (`@facealign/awing/loss`), with the
 * shape taken from the tensors and device tensors as outputs.
 */
export interface AWingLossCudaOptions extends Omit<AWingLossOptions, "shape" | "out"> {
  /** Shape `[N, K, H, W]`; defaults to the shape of `pred`, which must then be 4-D. */
  shape?: Shape4 | undefined;
  /**
   * Caller-provided device outputs (N*K*H*W floats each, on the inputs' device), so that a
   * training loop allocates nothing: `grad` receives the gradient, `lossMap` the per-pixel
   * weighted losses when the reduction is `"none"`.
   */
  out?: { grad?: DeviceTensor | undefined; lossMap?: DeviceTensor | undefined } | undefined;
}

/**
 * What {@link awingLossCuda} returns: the loss on the host, the rest on the device. `Grad` is
 * `DeviceTensor` unless the options pass `gradient: false`.
 */
export interface DeviceLossResult<
  Grad extends DeviceTensor | undefined = DeviceTensor | undefined,
> {
  /** The reduced loss: mean or sum; with `"none"`, the sum of the per-pixel values. */
  loss: number;
  /** Gradient of `loss` with respect to `pred`, on the device (unless `gradient: false`). */
  grad: Grad;
  /** Per-pixel weighted losses on the device, only with the reduction `"none"`. */
  lossMap: DeviceTensor | undefined;
}

const ACTION = "compute loss";

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The Adaptive Wing loss of device tensors, its gradient and the paper's weighted loss map,
 * in one fused CUDA kernel: the same computation as `awingLoss` (`@facealign/awing/loss`) with
 * the same options and checks, on tensors that stay on the GPU. Only the loss comes back to
 * the host; the reduction over pixels is deterministic (fixed-order partial sums in double).
 *
 * With `validate` (the default) the kernel also reports NaN and infinite inputs and the
 * target's range, so the checks cost no extra pass; the offending index is located (by
 * copying the input back) only when a check fails.
 *
 * It is synchronous: it returns after the kernels have completed on this thread's stream (it
 * copies the 24-byte result back). Without `out.grad` the gradient is a new tensor: dispose it
 * each step and the next step reuses its memory (see {@link DeviceTensor}); the workspace is
 * kept between calls.
 *
 * @example A loss and its gradient on the GPU
 * ```ts ignore
 * import { awingLossCuda, closeCuda, DeviceTensor } from "@facealign/awing/gpu";
 * import { ok } from "node:assert/strict";
 * const shape = [1, 1, 64, 64] as const;
 * const target = new Float32Array(64 * 64);
 * target[32 * 64 + 32] = 1;
 * using p = DeviceTensor.from(new Float32Array(64 * 64), shape);
 * using t = DeviceTensor.from(target, shape);
 * const { loss, grad } = awingLossCuda(p, t);
 * ok(loss > 0 && grad.download()[32 * 64 + 32]! < 0);
 * grad.dispose();
 * closeCuda();
 * ```
 *
 * @param pred Predicted heatmaps, `[N, K, H, W]` on a device.
 * @param target Target heatmaps, same size and device; values must stay below alpha - 1.
 * @param options Loss parameters, loss map, reduction, landmark weights (a host array) and
 * device outputs.
 * @returns The loss, the gradient (unless `gradient: false`) and, for `"none"`, the per-pixel
 * losses, as device tensors that the caller disposes (unless they were given in `out`).
 * @throws {TypeError} When sizes, shapes, devices or buffers do not match, or a tensor was
 * disposed.
 * @throws {RangeError} For omega, epsilon or theta <= 0, a parameter (mapWeight and
 * mapThreshold too) that is not a normal float32, alpha <= 1 + max(target), NaN or infinite
 * inputs, losses that overflow float32 (with validation on), or an empty batch.
 * @throws {CudaError} When the library fails ({@link CudaOutOfMemoryError} for memory).
 */
export function awingLossCuda(
  pred: DeviceTensor,
  target: DeviceTensor,
  options?: AWingLossCudaOptions & { gradient?: true | undefined },
): DeviceLossResult<DeviceTensor>;
/** {@link awingLossCuda} with `gradient: false`: `grad` is `undefined`. */
export function awingLossCuda(
  pred: DeviceTensor,
  target: DeviceTensor,
  options: AWingLossCudaOptions & { gradient: false },
): DeviceLossResult<undefined>;
/** {@link awingLossCuda} with `gradient` known only at run time. */
export function awingLossCuda(
  pred: DeviceTensor,
  target: DeviceTensor,
  options?: AWingLossCudaOptions,
): DeviceLossResult;
export function awingLossCuda(
  pred: DeviceTensor,
  target: DeviceTensor,
  options: AWingLossCudaOptions = {},
): DeviceLossResult {
  const { alpha, omega, epsilon, theta } = resolveAwingParams(options);
  const pb = ownedBuffer(pred, "pred", ACTION);
  const tb = ownedBuffer(target, "target", ACTION);
  const { shape, size } = tensorShape(pred, options.shape, "pred", ACTION);
  const [n, k, h, w] = shape;
  checkLossSizes(pred.size, target.size, shape, size, ACTION);
  if (options.shape === undefined && !sameShape(pred.shape, target.shape)) {
    throw new TypeError(
      `Cannot ${ACTION}: "pred" has shape ${JSON.stringify(pred.shape)} but "target" has ${
        JSON.stringify(target.shape)
      }`,
    );
  }
  const device = pred.device;
  if (target.device !== device) {
    throw new TypeError(
      `Cannot ${ACTION}: "target" is on device ${target.device} but "pred" is on device ${device}`,
    );
  }
  const { reduction, mapWeight, mapThreshold, landmarkWeights: lw, validate, gradient: wantGrad } =
    resolveLossOptions(options, n, k, AWING_DEFAULTS.mapWeight);

  const created: DeviceTensor[] = [];
  try {
    const grad = wantGrad
      ? outputTensor(options.out?.grad, "out.grad", shape, device, ACTION, created, [pb, tb])
      : undefined;
    const lossMap = reduction === "none"
      ? outputTensor(options.out?.lossMap, "out.lossMap", shape, device, ACTION, created, [pb, tb])
      : undefined;
    const gb = grad === undefined ? null : ownedBuffer(grad, "out.grad", ACTION);
    const lb = lossMap === undefined ? null : ownedBuffer(lossMap, "out.lossMap", ACTION);
    if (gb !== null && gb === lb) {
      throw new TypeError(`Cannot ${ACTION}: "out.grad" and "out.lossMap" must differ`);
    }

    const symbols = ffi();
    let chanW: NativeBuffer | null = null;
    if (lw !== undefined) {
      chanW = scratchBuffer(device, "landmark-weights", lw.byteLength, ACTION);
      copyToDevice(chanW, lw, 0, ACTION);
    }
    const workspace = workspaceBuffer(
      device,
      "awing-workspace",
      (bytes) => symbols.awl_awing_workspace_bytes(n, k, h, w, bytes),
      ACTION,
    )!; // never empty: it holds the stats
    unwrap(
      symbols.awl_awing(
        pb.handle,
        tb.handle,
        chanW?.handle ?? null,
        gb?.handle ?? null,
        lb?.handle ?? null,
        workspace.handle,
        n,
        k,
        h,
        w,
        alpha,
        omega,
        epsilon,
        theta,
        mapWeight,
        mapThreshold,
        reduction === "mean" ? 1 / size : 1,
        device,
        deviceStream(device, ACTION),
      ),
      ACTION,
    );
    const stats = new DataView(new ArrayBuffer(STATS_BYTES));
    copyToHost(stats, workspace, 0, ACTION);
    const total = stats.getFloat64(0, true);
    const flags = stats.getUint32(16, true);
    if (validate) {
      checkLossValues(
        flags === 0,
        stats.getFloat32(8, true),
        stats.getFloat32(12, true),
        awingTargetCheck(alpha),
        () => ({ pred: pred.download(), target: target.download() }),
      );
      checkLossTotal(total);
    }
    return { loss: reduction === "mean" ? total / size : total, grad, lossMap };
  } catch (error) {
    for (const t of created) t.dispose();
    throw error;
  }
}
