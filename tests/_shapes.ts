// Batch shapes [N, K, H, W] with every kind of tail, for the tests of the WASM kernels that
// stage pixels in blocks of 4 and planes in blocks of channels.

/**
 * Odd sizes: single pixels, H = 1 or W = 1, K not a multiple of 4, H * W with every remainder
 * mod 4 and tails of 1 to 9 pixels, several faces, and a few large maps (many channels, one
 * large plane).
 */
export const ODD_SHAPES: readonly [n: number, k: number, h: number, w: number][] = [
  [1, 1, 1, 1],
  [1, 3, 1, 1],
  [1, 3, 1, 5],
  [1, 1, 2, 3],
  [2, 3, 3, 2],
  [1, 4, 5, 3],
  [1, 4, 6, 4],
  [1, 5, 7, 5],
  [1, 5, 8, 6],
  [1, 5, 6, 7],
  [1, 5, 9, 8],
  [1, 5, 10, 9],
  [2, 5, 1, 7],
  [2, 7, 6, 1],
  [1, 1, 13, 1],
  [2, 3, 5, 7],
  [3, 2, 5, 7],
  [1, 2, 9, 11],
  [1, 6, 9, 11],
  [1, 98, 8, 9],
  [2, 68, 16, 16],
  [1, 9, 33, 47],
  [2, 2, 64, 64],
  [2, 17, 64, 64],
];
