// Output tensors of the CUDA operations: either the caller's (checked) or new ones, which are
// recorded in `created` so that the operation can dispose them if it fails.
import { type NativeBuffer, ownedBuffer, withoutZeroFill } from "./_buffers.ts";
import { DeviceTensor } from "./device_tensor.ts";

/**
 * The caller's output tensor `given`, checked to hold `shape`'s number of elements on
 * `device` and to be none of `inputs`; or, when none is given, a new tensor of `shape`, not
 * zero-filled (the operation overwrites it whole).
 */
export function outputTensor(
  given: DeviceTensor | undefined,
  name: string,
  shape: readonly number[],
  device: number,
  action: string,
  created: DeviceTensor[],
  inputs: readonly NativeBuffer[] = [],
): DeviceTensor {
  if (given === undefined) {
    const t = new DeviceTensor(shape, withoutZeroFill({ device }));
    created.push(t);
    return t;
  }
  const buffer = ownedBuffer(given, name, action);
  const size = shape.reduce((a, b) => a * b, 1);
  if (given.size !== size) {
    throw new TypeError(
      `Cannot ${action}: "${name}" has ${given.size} elements but shape ${
        JSON.stringify(shape)
      } has ${size}`,
    );
  }
  if (given.device !== device) {
    throw new TypeError(
      `Cannot ${action}: "${name}" is on device ${given.device} but the inputs are on device ${device}`,
    );
  }
  if (inputs.includes(buffer)) {
    throw new TypeError(`Cannot ${action}: "${name}" must not be an input tensor`);
  }
  return given;
}
