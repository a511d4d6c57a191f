// Batches of real images: each face's region is decoded once into a cached, pre-cropped
// 8-bit image (box-filtered first when the photo is much larger than the crop), and every
// sample warps that cache through its crop + augmentation affine. Exported through the
// `./train` graph (it needs the npm codecs).
import { oneLine } from "../_one_line.ts";
import { composeAffine } from "./compose_affine.ts";
import { decodeImage } from "./decode_image.ts";
import { faceBoxAffine } from "./face_box_affine.ts";
import { invertAffine } from "./invert_affine.ts";
import { landmarksBox } from "./landmarks_box.ts";
import { type Batch, makeBatchWith, type PlanBase } from "./_make_batch.ts";
import type { Affine, RasterImage } from "./types.ts";
import { warpAffine } from "./warp_affine.ts";

/** The plan of real-image batches. */
export interface ImagePlan extends PlanBase {
  /** The image file of each face. */
  readonly images: readonly string[];
  /** Face boxes `[N, 4]` (x, y, w, h) to crop from, or null for the landmarks' boxes. */
  readonly boxes: Float64Array | null;
  /** Budget of the crop cache in bytes. */
  readonly cacheBytes: number;
}

/** The cached crop covers MARGIN times the crop square, at RESOLUTION times its pixel size. */
const MARGIN = 2;
const RESOLUTION = 1.25;

interface Cached {
  readonly image: RasterImage & { readonly data: Uint8Array };
  /** Image -> cache transform. */
  readonly matrix: Affine;
}

/** The decoded crops of one source, least recently used first, and their bytes. */
interface CropCache {
  readonly crops: Map<string, Cached>;
  bytes: number;
}

/**
 * Each plan's own cache: a crop depends on the plan's options (input size, enlargement,
 * boxes), so two sources never share one. The worker keeps the plan it was sent, and the
 * calling thread the source's plan, so each source finds its cache again at every batch.
 */
const caches = new WeakMap<ImagePlan, CropCache>();

function cacheOf(plan: ImagePlan): CropCache {
  let c = caches.get(plan);
  if (c === undefined) {
    c = { crops: new Map(), bytes: 0 };
    caches.set(plan, c);
  }
  return c;
}

/** The face's box: given, or its landmarks' box. */
function faceBox(
  plan: ImagePlan,
  face: number,
  lm: Float64Array,
): [number, number, number, number] {
  if (plan.boxes === null) return landmarksBox(lm);
  const b = plan.boxes.subarray(4 * face, 4 * face + 4);
  return [b[0]!, b[1]!, b[2]!, b[3]!];
}

/** Averages f x f blocks (the last partial ones too): a cheap low-pass before shrinking. */
function shrink(image: RasterImage, f: number): RasterImage & { readonly data: Uint8Array } {
  const { width: w, height: h, channels: c, data } = image;
  const ow = Math.ceil(w / f), oh = Math.ceil(h / f);
  const sums = new Float64Array(ow * oh * c), counts = new Uint32Array(ow * oh);
  for (let i = 0; i < h; i++) {
    const oi = Math.floor(i / f) * ow;
    for (let j = 0; j < w; j++) {
      const o = oi + Math.floor(j / f), p = (i * w + j) * c;
      counts[o]!++;
      for (let ch = 0; ch < c; ch++) sums[o * c + ch] = sums[o * c + ch]! + data[p + ch]!;
    }
  }
  const out = new Uint8Array(ow * oh * c);
  for (let o = 0; o < ow * oh; o++) {
    for (let ch = 0; ch < c; ch++) out[o * c + ch] = Math.round(sums[o * c + ch]! / counts[o]!);
  }
  return { data: out, width: ow, height: oh, channels: c };
}

/** The cached crop of one face, decoded and cut on first use. */
function cached(plan: ImagePlan, face: number, lm: Float64Array): Cached {
  const path = plan.images[face]!;
  const key = `${face}\n${path}`;
  const cache = cacheOf(plan);
  const hit = cache.crops.get(key);
  if (hit !== undefined) {
    cache.crops.delete(key); // most recently used goes last
    cache.crops.set(key, hit);
    return hit;
  }
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound
      ? "it was not found"
      : e instanceof Deno.errors.NotCapable
      ? "reading it needs --allow-read"
      : oneLine(e);
    throw new Error(`Cannot read image "${path}": ${why}`);
  }
  let image: RasterImage = decodeImage(bytes, path);
  const side = Math.ceil(MARGIN * RESOLUTION * plan.inputSize);
  const [x, y, w, h] = faceBox(plan, face, lm);
  const toCache = faceBoxAffine({ box: [x, y, w, h], size: side, enlarge: MARGIN * plan.enlarge });
  const scale = Math.hypot(toCache[0], toCache[3]);
  let toImage: Affine = [1, 0, 0, 0, 1, 0];
  const f = Math.floor(1 / scale);
  if (f >= 2) {
    image = shrink(image, f);
    // a shrunk pixel j averages source pixels fj .. fj + f - 1, centred at fj + (f - 1) / 2
    toImage = [f, 0, (f - 1) / 2, 0, f, (f - 1) / 2];
  }
  const warped = warpAffine(image, composeAffine(toImage, toCache), {
    width: side,
    height: side,
    channels: image.channels === 1 ? 1 : 3,
  });
  const data = Uint8Array.from(warped.data, (v) => Math.round(v));
  const entry: Cached = {
    image: { data, width: side, height: side, channels: warped.channels },
    matrix: toCache,
  };
  cache.crops.set(key, entry);
  cache.bytes += data.length;
  for (const [k, v] of cache.crops) {
    if (cache.bytes <= plan.cacheBytes || k === key) break;
    cache.crops.delete(k);
    cache.bytes -= v.image.data.length;
  }
  return entry;
}

/** Builds batch `index` of real images. */
export function makeImageBatch(plan: ImagePlan, index: number): Batch {
  const s = plan.inputSize;
  return makeBatchWith(plan, index, (face, lm) => faceBox(plan, face, lm), (sample, out) => {
    const lm = plan.faces.subarray(
      sample.face * plan.numPoints * 2,
      (sample.face + 1) * plan.numPoints * 2,
    );
    const c = cached(plan, sample.face, lm);
    const cacheToCrop = composeAffine(invertAffine(c.matrix), sample.matrix);
    warpAffine(c.image, cacheToCrop, { width: s, height: s, channels: 3, scale: 1 / 255, out });
  });
}
