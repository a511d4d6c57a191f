import { checkOneOf, checkOptions, MAX_ELEMENTS } from "../_validate.ts";
/** Options of {@link coordChannels}. */
export interface CoordChannelsOptions {
  /** Append the radius channel r. Defaults to true. */
  withRadius?: boolean | undefined;
  /**
   * `"xy"` (default): channel 0 varies along the columns (x), channel 1 along the rows (y).
   * `"official"`: the order of the official `AddCoordsTh`, whose first channel "xx" varies
   * along the row index (its permute(0, 3, 2, 1) swaps the axes), i.e. [y, x, r].
   */
  order?: "xy" | "official" | undefined;
}

/**
 * The CoordConv channels of the AWing model (`core/coord_conv.py`, `AddCoordsTh`) for an
 * h x w feature map, as a Float32Array `[C, H, W]` with C = 3 (or 2 without the radius):
 * x = 2 j / (W - 1) - 1 and y = 2 i / (H - 1) - 1, both in [-1, 1], and
 * r = sqrt(x^2 + y^2) / max(r) in [0, 1] (max(r) = sqrt(2), at the corners).
 *
 * Beware the official naming: its "xx" channel is the one that varies along the row (H) index
 * after its permute, so the official channel order is [y, x, r] in this function's terms
 * (`order: "official"`). The boundary-coordinate channels of the later hourglasses are these
 * x and y multiplied by [B > 0.05], B the clamped boundary channel.
 *
 * @example Corners of a 64 x 64 map
 * ```ts
 * import { coordChannels } from "@facealign/awing/heatmap";
 * import { equal } from "node:assert/strict";
 * const c = coordChannels(64, 64);
 * equal(c.length, 3 * 64 * 64);
 * equal(c[63], 1); // x at (row 0, col 63)
 * equal(c[4096 + 63 * 64], 1); // y at (row 63, col 0)
 * equal(c[2 * 4096], 1); // r at the corner
 * ```
 *
 * @param h Rows H (at least 2).
 * @param w Columns W (at least 2).
 * @param options Radius channel and channel order.
 * @returns The channels, `[C, H, W]`.
 * @throws {RangeError} When h or w is not a whole number >= 2, or the channels would hold more
 * than 2^31 - 1 values (checked before allocating).
 * @throws {TypeError} For an unknown order.
 */
export function coordChannels(
  h: number,
  w: number,
  options: CoordChannelsOptions = {},
): Float32Array {
  const action = "compute coordinate channels";
  checkOptions(options, action);
  for (const [name, v] of [["h", h], ["w", w]] as const) {
    if (!(Number.isInteger(v) && v >= 2)) {
      throw new RangeError(
        `Cannot ${action} as ${name} must be a whole number >= 2: current value is ${v}`,
      );
    }
  }
  const withRadius = options.withRadius ?? true;
  const order = options.order ?? "xy";
  checkOneOf(order, "order", ["xy", "official"], action);
  const hw = h * w;
  const size = (withRadius ? 3 : 2) * hw;
  if (size > MAX_ELEMENTS) {
    throw new RangeError(
      `Cannot ${action}: h x w = ${h} x ${w} gives ${size} values, more than the limit of ${MAX_ELEMENTS}`,
    );
  }
  const out = new Float32Array(size);
  const xOff = order === "xy" ? 0 : hw, yOff = order === "xy" ? hw : 0;
  const rMax = Math.SQRT2;
  for (let i = 0; i < h; i++) {
    const y = (2 * i) / (h - 1) - 1;
    for (let j = 0; j < w; j++) {
      const x = (2 * j) / (w - 1) - 1;
      const p = i * w + j;
      out[xOff + p] = x;
      out[yOff + p] = y;
      if (withRadius) out[2 * hw + p] = Math.sqrt(x * x + y * y) / rMax;
    }
  }
  return out;
}
