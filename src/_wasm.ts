// Instantiation of the WASM core and the one memory arena the TypeScript side owns.
// The module is compiled synchronously from the inline bytes on first use, so importing the
// package needs no permission and costs nothing until a kernel runs.
import { WASM_BASE64 } from "./_wasm_bytes.ts";

/**
 * The raw exports of the WASM core (pointer ABI; see assembly/index.ts).
 * tests/wasm_exports_test.ts checks names and arities against the built module.
 */
export interface WasmCore {
  readonly memory: WebAssembly.Memory;
  /** The loss kinds of set_loss, as i32 globals (mirrored by {@link KIND}). */
  readonly KIND_AWING: WebAssembly.Global;
  readonly KIND_MSE: WebAssembly.Global;
  readonly KIND_L1: WebAssembly.Global;
  readonly KIND_WING: WebAssembly.Global;
  readonly KIND_SOFT_WING: WebAssembly.Global;
  heap_base(): number;
  set_loss(kind: number, p0: number, p1: number, p2: number, p3: number): void;
  /**
   * The selected loss over planes of h rows of w pixels of s channels (assembly/loss_batch.ts):
   * returns the weighted sum; halo takes {@link HALO} flags.
   */
  loss_batch(
    pred: number,
    target: number,
    grad: number,
    lmap: number,
    planes: number,
    h: number,
    w: number,
    s: number,
    halo: number,
    chanW: number,
    mapW: number,
    thr: number,
    gscale: number,
    scratch: number,
  ): number;
  /**
   * Address of loss_batch's fused input check: f32 (1 when every |pred - target| was
   * finite, else 0: rescan exactly), min target, max target.
   */
  check_out(): number;
  /** The halo flags of loss_batch and weight_maps, as i32 globals (mirrored by {@link HALO}). */
  readonly HALO_ABOVE: WebAssembly.Global;
  readonly HALO_BELOW: WebAssembly.Global;
  /** The weight maps of planes of h x w x s floats, as loss_batch's (assembly/weight_map.ts). */
  weight_maps(
    dst: number,
    target: number,
    planes: number,
    h: number,
    w: number,
    s: number,
    halo: number,
    mapW: number,
    thr: number,
    scratch: number,
  ): void;
  /** Scratch floats loss_batch and weight_maps need for planes of h x w x s floats. */
  scratch_floats(h: number, w: number, s: number): number;
  /** exp, log2, log1p, exp2 (kind 0..3) of n floats, for the accuracy tests. */
  math_f32(kind: number, src: number, dst: number, n: number): void;
  /** Separable Gaussian targets, 8 f32 parameters per channel (assembly/heatmap.ts). */
  gauss_channels(
    out: number,
    params: number,
    nch: number,
    h: number,
    w: number,
    scratch: number,
    packed: number,
  ): void;
  /**
   * First maximum per channel: (i32 index, f32 value) pairs (assembly/argmax.ts); returns the
   * first channel with a NaN or infinite value, or -1.
   */
  argmax_channels(src: number, nch: number, n: number, out: number): number;
  /** Zero-padded separable blur of one channel; returns the blurred maximum. */
  blur_channel(
    dst: number,
    src: number,
    h: number,
    w: number,
    kern: number,
    r: number,
    scratch: number,
  ): number;
  /** The blur of blur_channel at the 5 x 5 pixels around (x, y), 25 f32 to out. */
  blur_block5(
    src: number,
    h: number,
    w: number,
    kern: number,
    r: number,
    x: number,
    y: number,
    scratch: number,
    out: number,
  ): void;
  /**
   * Soft-argmax moments per channel: 4 f64 (sum p, sum p x, sum p y, max); returns the first
   * channel with a NaN or infinite value, or -1.
   */
  softargmax_channels(
    src: number,
    nch: number,
    h: number,
    w: number,
    beta: number,
    linear: number,
    out: number,
  ): number;
}

/** Loss kinds understood by `set_loss`: the values of the module's `KIND_*` globals. */
export const KIND = { awing: 0, mse: 1, l1: 2, wing: 3, softWing: 4 } as const;

/**
 * Halo flags of `loss_batch` and `weight_maps`: the values of the module's `HALO_*` globals.
 * The staged target holds one more row above / below a band of rows, for the weight map's
 * dilation.
 */
export const HALO = { above: 1, below: 2 } as const;

/** Largest arena, in bytes; batches are processed in chunks well below it. */
export const MAX_ARENA_BYTES = 1 << 30;
/** Floats per array per chunk: pred, target, grad and loss chunks stay cache-resident. */
export const CHUNK_FLOATS = 1 << 14;

const PAGE = 65536;
let core: WasmCore | undefined;
let base = 0;

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** The WASM core, instantiated on first use. */
export function wasm(): WasmCore {
  if (core === undefined) {
    const module = new WebAssembly.Module(decode(WASM_BASE64));
    core = new WebAssembly.Instance(module, {}).exports as unknown as WasmCore;
    base = core.heap_base();
  }
  return core;
}

/**
 * Lays out regions of the given byte sizes in the arena, each 16-byte aligned, growing the
 * memory when needed, and returns their addresses. Views into the memory must be derived
 * after this call (growth detaches old ones): use {@link f32At}.
 */
export function reserve<const S extends readonly number[]>(
  sizes: S,
  what: string,
): { [I in keyof S]: number } {
  const w = wasm();
  const ptrs: number[] = [];
  let end = base;
  for (const size of sizes) {
    ptrs.push(end);
    end += Math.ceil(size / 16) * 16;
  }
  if (end - base > MAX_ARENA_BYTES) {
    throw new RangeError(
      `Cannot ${what}: needs ${
        end - base
      } bytes of WASM memory but the limit is ${MAX_ARENA_BYTES}`,
    );
  }
  const have = w.memory.buffer.byteLength;
  if (end > have) w.memory.grow(Math.ceil((end - have) / PAGE));
  return ptrs as { [I in keyof S]: number };
}

/** A fresh Float32Array view of `length` floats at byte address `ptr` of the WASM memory. */
export function f32At(ptr: number, length: number): Float32Array {
  return new Float32Array(wasm().memory.buffer, ptr, length);
}

/**
 * Throws before any allocation when the arena regions `sizes` (bytes) that the smallest piece
 * of a call needs (one channel) exceed {@link MAX_ARENA_BYTES}, naming the shape.
 */
export function checkArena(sizes: readonly number[], shape: readonly number[], what: string): void {
  let need = 0;
  for (const size of sizes) need += Math.ceil(size / 16) * 16;
  if (need > MAX_ARENA_BYTES) {
    throw new RangeError(
      `Cannot ${what}: "shape" ${
        JSON.stringify(shape)
      } needs ${need} bytes of WASM memory for one channel, more than the limit of ${MAX_ARENA_BYTES}`,
    );
  }
}
