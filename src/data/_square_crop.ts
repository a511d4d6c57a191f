// The square crop shared by centerScaleAffine and faceBoxAffine.
import { checkFiniteResult, checkInt, checkRange, MAX_SIDE } from "./_check.ts";
import type { Affine } from "./types.ts";

/**
 * The image -> crop transform that maps the square of side `side` centred at (cx, cy),
 * turned by `rotation` degrees (positive: the content turns counter-clockwise on screen),
 * onto a size x size crop: the square's edges land on the crop's pixel edges -0.5 and
 * size - 0.5, so its centre lands on (size / 2 - 0.5, size / 2 - 0.5).
 */
export function squareCrop(
  cx: number,
  cy: number,
  side: number,
  size: number,
  rotation: number,
  action: string,
): Affine {
  checkRange(cx, "the centre x", -Number.MAX_VALUE, Number.MAX_VALUE, action);
  checkRange(cy, "the centre y", -Number.MAX_VALUE, Number.MAX_VALUE, action);
  if (!(Number.isFinite(side) && side > 0)) {
    throw new RangeError(`Cannot ${action} as the crop side must be > 0: current value is ${side}`);
  }
  checkInt(size, "size", 1, MAX_SIDE, action);
  checkRange(rotation, "rotation", -360, 360, action);
  const s = size / side;
  const rad = (rotation * Math.PI) / 180;
  const cos = Math.cos(rad) * s, sin = Math.sin(rad) * s;
  const t = size / 2 - 0.5;
  const m = [cos, sin, t - cos * cx - sin * cy, -sin, cos, t + sin * cx - cos * cy] as const;
  checkFiniteResult(m, action, `the crop of side ${side} at (${cx}, ${cy})`);
  return m;
}
