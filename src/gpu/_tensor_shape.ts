// The batch shape of an operation on device tensors.
import { checkShape4 } from "../_validate.ts";
import type { Shape4 } from "../types.ts";
import type { DeviceTensor } from "./device_tensor.ts";

/**
 * `shape` when given, else the shape of `tensor` (named `name`), which must then be 4-D;
 * checked (see checkShape4), with its number of elements.
 */
export function tensorShape(
  tensor: DeviceTensor,
  shape: Shape4 | undefined,
  name: string,
  action: string,
): { shape: Shape4; size: number } {
  const resolved = shape ?? (tensor.shape as unknown as Shape4);
  const size = checkShape4(resolved, action, shape ? "shape" : `${name}.shape`);
  return { shape: resolved, size };
}
