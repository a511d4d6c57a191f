// The batch sources size every allocation before making it, and hold no state between them:
// a batch too large for memory is a RangeError naming the options, and two image sources
// with other options never share a decoded crop.
import { deepEqual, equal, notDeepEqual, rejects } from "node:assert/strict";
import { encode as encodePng } from "fast-png";
import { join } from "node:path";
import { createBatchSource, type FaceSet, loadPtsFolder } from "../src/data/mod.ts";
import { createImageBatchSource } from "../src/train/mod.ts";
import { needs } from "./_permissions.ts";
import { withTempDir } from "./_temp_dir.ts";

const FILES = needs("read", "write");

/** An oval 68-point face centred at (cx, cy). */
function oval(cx: number, cy: number, r: number): Float64Array {
  const lm = new Float64Array(136);
  for (let k = 0; k < 68; k++) {
    const t = (k / 68) * 2 * Math.PI;
    lm[2 * k] = cx + (k < 17 ? r : 0.5 * r) * Math.cos(t);
    lm[2 * k + 1] = cy + (k < 17 ? 1.2 * r : 0.5 * r) * Math.sin(t);
  }
  return lm;
}

const FACES: FaceSet = { landmarks: oval(100, 100, 40), count: 1, numPoints: 68, sources: ["a"] };

Deno.test("createBatchSource refuses a batch that cannot be allocated, naming the options", async () => {
  for (
    const options of [
      { batch: 65536, inputSize: 4096 },
      { batch: 20000, inputSize: 256 },
      { batch: 4096, inputSize: 64, heatmapSize: 1024 },
    ]
  ) {
    await rejects(createBatchSource({ faces: FACES, worker: false, ...options }), {
      name: "RangeError",
      message:
        /^Cannot create batch source as one batch must fit in 2 GiB: current value is batch \d+ x .* GiB \(lower "batch", "inputSize" or "heatmapSize"\)$/,
    });
  }
  // one batch of 1.5 GiB fits, 64 of them prepared ahead by the worker do not
  await rejects(
    createBatchSource({ faces: FACES, batch: 500, inputSize: 512, heatmapSize: 8, prefetch: 64 }),
    {
      name: "RangeError",
      message:
        /^Cannot create batch source as the prefetched batches must fit in 4 GiB: current value is prefetch 64 x 1\.47 GiB/,
    },
  );
  // the largest batch that fits is still made (lazily: only its first batch is checked here)
  const small = await createBatchSource({ faces: FACES, worker: false, batch: 4, inputSize: 32 });
  equal(small.shapes.images[0], 4);
  small.close();
});

Deno.test({
  name:
    `createImageBatchSource: a batch too large is refused, and sources share no crop${FILES.why}`,
  ignore: FILES.ignore,
}, async () => {
  await withTempDir("awing_limits_", async (dir) => {
    const w = 200, h = 200;
    const data = new Uint8Array(w * h * 3).map((_, i) => ((i * 2654435761) >>> 24) & 0xff);
    await Deno.writeFile(join(dir, "a.png"), encodePng({ width: w, height: h, data, channels: 3 }));
    const lm = oval(100, 100, 40);
    const rows = Array.from({ length: 68 }, (_, k) => `${lm[2 * k]! + 1} ${lm[2 * k + 1]! + 1}`);
    await Deno.writeTextFile(
      join(dir, "a.pts"),
      `version: 1\nn_points: 68\n{\n${rows.join("\n")}\n}\n`,
    );
    const faces = await loadPtsFolder(dir);
    await rejects(createImageBatchSource({ faces, batch: 65536, inputSize: 1024 }), {
      name: "RangeError",
      message: /^Cannot create image batch source as one batch must fit in 2 GiB/,
    });
    // two sources in this thread, then the second one's options in a worker (a fresh module)
    const base = { faces, batch: 2, augment: false, shuffle: false, seed: 1 } as const;
    const tight = await createImageBatchSource({
      ...base,
      inputSize: 32,
      enlarge: 1.1,
      worker: false,
    });
    const wide = await createImageBatchSource({
      ...base,
      inputSize: 48,
      enlarge: 3,
      worker: false,
    });
    const fresh = await createImageBatchSource({ ...base, inputSize: 48, enlarge: 3, prefetch: 1 });
    try {
      const a = tight.batchAt(0), b = wide.batchAt(0), c = await fresh.next();
      deepEqual(b.images, c.images);
      notDeepEqual(a.images.subarray(0, 32), b.images.subarray(0, 32));
    } finally {
      tight.close();
      wide.close();
      fresh.close();
    }
  });
});
