// The face renderer, the "rendered 300W" split and the batch source (in thread and in its
// Worker): determinism, alignment of landmarks, images and targets, and bad input.
import { deepEqual, equal, notDeepEqual, ok, rejects, throws } from "node:assert/strict";
import {
  applyAffine,
  type Batch,
  createBatchSource,
  faceBoxAffine,
  type FaceSet,
  landmarksBox,
  loadRendered300w,
  renderFace,
} from "../src/data/mod.ts";
import { LAYOUT_300W, parse300wCsv } from "../src/layouts/mod.ts";
import { DATA, HAS_DATA, read, SKIP } from "./_data.ts";
import { READ } from "./_permissions.ts";

/** A few real faces when the shared data is there, else a synthetic oval face. */
function someFaces(count: number): FaceSet {
  if (HAS_DATA) {
    const recs = parse300wCsv(read("300w_public_challenge_68pt.csv"), { origin: 1 }).slice(
      0,
      count,
    );
    const landmarks = new Float64Array(count * 136);
    recs.forEach((r, i) => landmarks.set(r.landmarks, i * 136));
    return { landmarks, count, numPoints: 68, sources: recs.map((r) => r.image) };
  }
  const landmarks = new Float64Array(count * 136);
  for (let n = 0; n < count; n++) {
    for (let k = 0; k < 68; k++) {
      const t = (k / 68) * 2 * Math.PI + 0.1 * n;
      landmarks[n * 136 + 2 * k] = 200 + (k < 17 ? 80 : 40) * Math.cos(t);
      landmarks[n * 136 + 2 * k + 1] = 200 + (k < 17 ? 100 : 40) * Math.sin(t);
    }
  }
  return { landmarks, count, numPoints: 68, sources: Array.from({ length: count }, String) };
}

function cropped(face: Float64Array, size: number): Float64Array {
  return applyAffine(face, faceBoxAffine({ box: landmarksBox(face), size }));
}

Deno.test("renderFace: same seed same image, other seed other image, values in [0, 1]", () => {
  const lm = cropped(someFaces(1).landmarks, 64);
  const a = renderFace(lm, { size: 64, seed: 9 });
  deepEqual(renderFace(lm, { size: 64, seed: 9 }), a);
  notDeepEqual(renderFace(lm, { size: 64, seed: 10 }), a);
  ok(a.every((v) => v >= 0 && v <= 1));
  const out = new Float32Array(64 * 64 * 3);
  equal(renderFace(lm, { size: 64, seed: 9, out }), out);
  deepEqual(out, a);
});

Deno.test("renderFace: the face follows the landmarks (the mouth interior and the sclera sit inside their curves)", () => {
  // Without noise, blur or occluders, the face drawn for landmarks moved by (dx, dy) is the
  // same face moved by (dx, dy): compare a window around the eyes and mouth.
  const lm = cropped(someFaces(1).landmarks, 96);
  const opts = { size: 96, seed: 4, noise: 0, blur: 0, occlusion: 0 };
  const a = renderFace(lm, opts);
  const moved = lm.map((v, i) => v + (i % 2 === 0 ? 7 : -5));
  const b = renderFace(moved, opts);
  // the lighting gradient is fixed to the image, so compare colour ratios between features
  // and the skin just below the nose tip instead of raw values
  const at = (img: Float32Array, x: number, y: number): number[] => {
    const p = 3 * (Math.round(y) * 96 + Math.round(x));
    return [img[p]!, img[p + 1]!, img[p + 2]!];
  };
  let same = 0, total = 0;
  for (const k of [37, 38, 40, 41, 43, 44, 46, 47, 51, 57, 62, 66, 19, 24, 8]) {
    const x = lm[2 * k]!, y = lm[2 * k + 1]!;
    const pa = at(a, x, y), pb = at(b, x + 7, y - 5);
    total++;
    if (pa.every((v, c) => Math.abs(v - pb[c]!) < 0.12 * Math.max(v, 0.05) + 0.03)) same++;
  }
  ok(same >= total - 2, `${same} of ${total} feature pixels moved with the landmarks`);
});

Deno.test("renderFace rejects bad input with clear errors", () => {
  const lm = new Float64Array(136).fill(32);
  throws(() => renderFace(new Float64Array(58), { size: 64, seed: 1 }), {
    name: "TypeError",
    message: 'Cannot render face: "landmarks" has 58 elements but 68 points (136) are expected',
  });
  throws(() => renderFace(lm, { size: 4, seed: 1 }), RangeError);
  throws(() => renderFace(lm, { size: 64, seed: 0.5 }), RangeError);
  throws(() => renderFace(lm.map((v, i) => (i === 7 ? NaN : v)), { size: 64, seed: 1 }), {
    name: "RangeError",
    message:
      "Cannot render face as landmarks must be finite and within 1024 px of the image: element 7 is NaN",
  });
  throws(() => renderFace(lm.map((v) => v + 1e12), { size: 64, seed: 1 }), RangeError);
  throws(() => renderFace(lm, { size: 64, seed: 1, out: new Float32Array(3) }), TypeError);
  throws(() => renderFace(lm, { size: 64, seed: 1, occlusion: 2 }), RangeError);
});

/** Checks the batch's internal consistency against the face set. */
function checkBatch(batch: Batch, faces: FaceSet, s: number, h: number, channels: number): void {
  const b = batch.faces.length;
  equal(batch.images.length, b * s * s * (channels === 69 ? 3 : 3));
  equal(batch.heatmaps.length, b * h * h * channels);
  for (let n = 0; n < b; n++) {
    const src = faces.landmarks.subarray(batch.faces[n]! * 136, (batch.faces[n]! + 1) * 136);
    const m = Array.from(batch.matrices.subarray(6 * n, 6 * n + 6)) as unknown as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const mapped = applyAffine(src, m);
    for (let k = 0; k < 68; k++) {
      const from = batch.flipped[n] ? LAYOUT_300W.flipPermutation[k]! : k;
      const x = batch.landmarks[(n * 68 + k) * 2]!, y = batch.landmarks[(n * 68 + k) * 2 + 1]!;
      ok(Math.abs(x - mapped[2 * from]!) < 1e-3 && Math.abs(y - mapped[2 * from + 1]!) < 1e-3);
      // the target of landmark k peaks next to the landmark (aligned convention)
      const hx = (x + 0.5) * (h / s) - 0.5, hy = (y + 0.5) * (h / s) - 0.5;
      if (hx < 0 || hy < 0 || hx > h - 1 || hy > h - 1) continue;
      let best = 0, arg = -1;
      for (let p = 0; p < h * h; p++) {
        const v = batch.heatmaps[(n * h * h + p) * channels + k]!;
        if (v > best) {
          best = v;
          arg = p;
        }
      }
      ok(
        Math.abs((arg % h) - hx) <= 0.5 + 1e-6 && Math.abs(Math.floor(arg / h) - hy) <= 0.5 + 1e-6,
      );
      ok(best > 0.6);
    }
  }
}

Deno.test({
  name: `createBatchSource: the worker gives the same batches as the calling thread${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  const faces = someFaces(5);
  const options = { faces, batch: 3, inputSize: 32, heatmapSize: 16, sigma: 1, seed: 42 };
  const inThread = await createBatchSource({ ...options, worker: false });
  const worker = await createBatchSource({ ...options, worker: true, prefetch: 2 });
  try {
    for (let i = 0; i < 4; i++) {
      const [a, b] = await Promise.all([inThread.next(), worker.next()]);
      equal(a.index, i);
      deepEqual(b, a);
      deepEqual(inThread.batchAt(i), a);
      checkBatch(a, faces, 32, 16, 68);
    }
    // shuffled epochs: every face once per epoch (5 faces, 3 per batch: first 5 samples)
    const first = [...inThread.batchAt(0).faces, ...inThread.batchAt(1).faces].slice(0, 5);
    deepEqual([...first].sort(), [0, 1, 2, 3, 4]);
    const other = await createBatchSource({ ...options, seed: 43, worker: false });
    notDeepEqual(other.batchAt(0).images, inThread.batchAt(0).images);
    other.close();
  } finally {
    inThread.close();
    worker.close();
  }
  await rejects(worker.next(), /the batch source is closed/);
  await rejects(inThread.next(), /the batch source is closed/);
});

Deno.test({
  name: `createBatchSource: boundary and coord channels, channel-last${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  const faces = someFaces(2);
  const source = await createBatchSource({
    faces,
    batch: 2,
    inputSize: 32,
    heatmapSize: 8,
    boundary: true,
    coord: true,
    augment: false,
    shuffle: false,
    worker: false,
  });
  deepEqual(source.shapes, {
    images: [2, 32, 32, 6],
    heatmaps: [2, 8, 8, 69],
    landmarks: [2, 68, 2],
  });
  const batch = await source.next();
  equal(batch.images.length, 2 * 32 * 32 * 6);
  // x channel: -1 at column 0, 1 at column 31; y channel along rows
  equal(batch.images[3], -1);
  equal(batch.images[31 * 6 + 3], 1);
  equal(batch.images[31 * 32 * 6 + 4], 1);
  // the boundary channel has its ridge along the landmarks
  let peak = 0;
  for (let p = 0; p < 64; p++) peak = Math.max(peak, batch.heatmaps[p * 69 + 68]!);
  ok(peak > 0.5);
  deepEqual(Array.from(batch.faces), [0, 1]);
  deepEqual(Array.from(batch.flipped), [0, 0]);
  source.close();
});

Deno.test({
  name: `createBatchSource: unshuffled faces keep their image whatever the batch size${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  const faces = someFaces(3);
  const opts = { faces, inputSize: 32, augment: false, shuffle: false, worker: false, seed: 5 };
  const two = await createBatchSource({ ...opts, batch: 2 });
  const three = await createBatchSource({ ...opts, batch: 3 });
  const a = two.batchAt(1), b = three.batchAt(0);
  deepEqual(Array.from(a.faces), [2, 0]); // wraps around
  deepEqual(a.images.subarray(0, 32 * 32 * 3), b.images.subarray(2 * 32 * 32 * 3));
  equal(two.batchesPerEpoch, 2);
  two.close();
  three.close();
});

Deno.test({
  name: `createBatchSource and loadRendered300w: bad input and a missing folder${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  await rejects(createBatchSource({ dir: "/nonexistent/landmarks" }), {
    name: "Error",
    message:
      'Cannot load the rendered 300W split: /nonexistent/landmarks/300w_private_test_68pt.csv was not found (the shared annotation folder is needed; pass "dir")',
  });
  await rejects(createBatchSource({ split: "dev" as "val" }), TypeError);
  const faces = someFaces(1);
  await rejects(createBatchSource({ faces, batch: 0 }), RangeError);
  await rejects(createBatchSource({ faces, inputSize: 31.5 }), RangeError);
  await rejects(createBatchSource({ faces: { ...faces, numPoints: 98 } }), TypeError);
  await rejects(
    createBatchSource({ faces: { ...faces, landmarks: faces.landmarks.map(() => NaN) } }),
    RangeError,
  );
  await rejects(createBatchSource({ faces, augment: { rotation: -1 }, worker: false }), RangeError);
});

Deno.test(`loadRendered300w: the protocol's split sizes, disjoint and fixed${SKIP}`, {
  ignore: !HAS_DATA,
}, async () => {
  const a = await loadRendered300w({ dir: DATA });
  equal(a.train.count, 1118);
  equal(a.val.count, 124);
  equal(a.test.count, 554);
  const train = new Set(a.train.sources), val = new Set(a.val.sources);
  ok(a.val.sources.every((s) => !train.has(s)));
  ok(a.test.sources.every((s) => !train.has(s) && !val.has(s)));
  equal(train.size + val.size, 1242);
  // COFW-68 and both 300W files are represented in validation
  for (const file of ["300w_private", "300w_public_challenge", "cofw68"]) {
    ok(a.val.sources.some((s) => s.startsWith(file)), file);
  }
  const b = await loadRendered300w({ dir: DATA });
  deepEqual(b.val.sources, a.val.sources);
  deepEqual(b.train.landmarks, a.train.landmarks);
  // 0-based: the first test face is the CSV's first row minus 1
  const first = parse300wCsv(read("300w_public_common_68pt.csv"))[0]!;
  equal(a.test.landmarks[0], first.landmarks[0]! - 1);
});

Deno.test("loadRendered300w: a folder that is not local is a clear error", async () => {
  await rejects(loadRendered300w({ dir: new URL("https://example.com/landmarks/") }), {
    message:
      'Cannot load the rendered 300W split: https://example.com/landmarks/ is not a local folder (outside a checkout, pass "dir")',
  });
});
