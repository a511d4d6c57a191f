// Real images: decoding JPEG and PNG, the .pts folder and WFLW loaders, and the image batch
// source (alignment of marks drawn at landmarks through crop, shrink and augmentation; the
// worker against the calling thread; one-line errors). Every file is written here, in a
// temporary folder.
import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import { encode as encodePng } from "fast-png";
import jpeg from "jpeg-js";
import { join } from "node:path";
import { loadPtsFolder, loadWflwFolder } from "../src/data/mod.ts";
import { createImageBatchSource, decodeImage } from "../src/train/mod.ts";
import { LAYOUT_300W } from "../src/layouts/mod.ts";
import { needs } from "./_permissions.ts";
import { rng } from "./_random.ts";
import { withTempDir } from "./_temp_dir.ts";

/** These tests write images to a temporary folder and read them back. */
const FILES = needs("read", "write");

function ptsText(lm: ArrayLike<number>, origin = 1): string {
  const rows = [];
  for (let k = 0; k < lm.length / 2; k++) {
    rows.push(`${lm[2 * k]! + origin} ${lm[2 * k + 1]! + origin}`);
  }
  return `version: 1\nn_points: ${lm.length / 2}\n{\n${rows.join("\n")}\n}\n`;
}

Deno.test("decodeImage reads PNG exactly (grey, grey + alpha, RGB, RGBA, 16-bit, palette) and JPEG closely", () => {
  const next = rng(21);
  const w = 7, h = 5;
  for (const channels of [1, 2, 3, 4] as const) {
    const data = new Uint8Array(w * h * channels).map(() => Math.floor(256 * next()));
    const image = decodeImage(encodePng({ width: w, height: h, data, channels }), "x.png");
    if (channels === 2) {
      equal(image.channels, 4);
      for (let p = 0; p < w * h; p++) {
        deepEqual(Array.from(image.data.subarray(4 * p, 4 * p + 4)), [
          data[2 * p]!,
          data[2 * p]!,
          data[2 * p]!,
          data[2 * p + 1]!,
        ]);
      }
    } else {
      equal(image.channels, channels);
      deepEqual(image.data, data);
    }
  }
  const deep = new Uint16Array(w * h * 3).map(() => Math.floor(65536 * next()));
  const d16 = decodeImage(encodePng({ width: w, height: h, data: deep, channels: 3, depth: 16 }));
  deepEqual(Array.from(d16.data), Array.from(deep, (v) => v >> 8));
  const indexed = new Uint8Array(w * h).map(() => Math.floor(3 * next()));
  const palette: [number, number, number][] = [[255, 0, 0], [0, 255, 0], [0, 0, 255]];
  const pal = decodeImage(encodePng({ width: w, height: h, data: indexed, channels: 1, palette }));
  equal(pal.channels, 3);
  deepEqual(Array.from(pal.data.subarray(0, 3)), palette[indexed[0]!]);
  // a smooth RGBA picture through JPEG at quality 95: close, RGB out
  const rgba = new Uint8Array(32 * 24 * 4);
  for (let p = 0; p < 32 * 24; p++) {
    rgba.set([(p % 32) * 8, Math.floor(p / 32) * 10, 128, 255], 4 * p);
  }
  const jpg = jpeg.encode({ width: 32, height: 24, data: rgba }, 95).data;
  const decoded = decodeImage(new Uint8Array(jpg), "x.jpg");
  deepEqual([decoded.width, decoded.height, decoded.channels], [32, 24, 3]);
  let err = 0;
  for (let p = 0; p < 32 * 24; p++) {
    for (let c = 0; c < 3; c++) err += Math.abs(decoded.data[3 * p + c]! - rgba[4 * p + c]!);
  }
  ok(err / (32 * 24 * 3) < 3, `mean error ${err / (32 * 24 * 3)}`);
});

Deno.test("decodeImage: one-line errors for other files and corrupt data", () => {
  throws(() => decodeImage(new TextEncoder().encode("GIF89a..."), "a.gif"), {
    name: "Error",
    message: 'Cannot decode image "a.gif": it is neither a PNG nor a JPEG file',
  });
  const png = encodePng({ width: 4, height: 4, data: new Uint8Array(48), channels: 3 });
  const broken = png.slice(0, 30);
  const e = (() => {
    try {
      decodeImage(broken, "cut.png");
    } catch (error) {
      return error as Error;
    }
    throw new Error("no error");
  })();
  ok(
    e.message.startsWith('Cannot decode image "cut.png": ') && !e.message.includes("\n"),
    e.message,
  );
  throws(
    () => decodeImage(new Uint8Array([0xff, 0xd8, 0xff, 0, 1, 2]), "cut.jpg"),
    /Cannot decode image "cut.jpg": /,
  );
  throws(() => decodeImage([1, 2] as unknown as Uint8Array), TypeError);
});

/** A 68-point face: a jaw arc and features in a w x h image, with some jitter. */
function face68(next: () => number, cx: number, cy: number, r: number): Float64Array {
  const lm = new Float64Array(136);
  for (let k = 0; k < 68; k++) {
    const t = (k / 68) * 2 * Math.PI;
    const rr = k < 17 ? r : 0.55 * r;
    lm[2 * k] = cx + rr * Math.cos(t) + (next() - 0.5) * 0.1 * r;
    lm[2 * k + 1] = cy + rr * Math.sin(t) + (next() - 0.5) * 0.1 * r;
  }
  return lm;
}

/** An RGB image, grey 40, with Gaussian marks (given sigma) of 255 in one channel each. */
function markedRgb(
  w: number,
  h: number,
  marks: readonly [x: number, y: number, channel: number][],
  sigma: number,
): Uint8Array {
  const data = new Uint8Array(w * h * 3).fill(40);
  for (const [x, y, ch] of marks) {
    const r = Math.ceil(4 * sigma);
    for (let i = Math.max(0, Math.floor(y - r)); i <= Math.min(h - 1, y + r); i++) {
      for (let j = Math.max(0, Math.floor(x - r)); j <= Math.min(w - 1, x + r); j++) {
        const v = 40 + 215 * Math.exp(-((j - x) ** 2 + (i - y) ** 2) / (2 * sigma * sigma));
        data[3 * (i * w + j) + ch] = Math.round(v);
      }
    }
  }
  return data;
}

Deno.test({
  name:
    `loadPtsFolder reads generated PNG and JPEG files with their .pts, 0-based and sorted${FILES.why}`,
  ignore: FILES.ignore,
}, async () => {
  await withTempDir("awing_data_", async (dir) => {
    const next = rng(22);
    const faces = [face68(next, 50, 50, 30), face68(next, 60, 40, 25), face68(next, 40, 45, 20)];
    const img = encodePng({
      width: 100,
      height: 90,
      data: new Uint8Array(100 * 90 * 3),
      channels: 3,
    });
    await Deno.writeFile(join(dir, "b.png"), img);
    await Deno.writeTextFile(join(dir, "b.pts"), ptsText(faces[1]!));
    await Deno.writeFile(join(dir, "a.PNG"), img);
    await Deno.writeTextFile(join(dir, "a.pts"), ptsText(faces[0]!));
    const jpg = jpeg.encode({ width: 100, height: 90, data: new Uint8Array(100 * 90 * 4) }, 90);
    await Deno.writeFile(join(dir, "c.jpg"), new Uint8Array(jpg.data));
    await Deno.writeTextFile(join(dir, "c.pts"), ptsText(faces[2]!).replace(/\n/g, "\r\n"));
    await Deno.writeTextFile(join(dir, "notes.txt"), "not an image");
    const set = await loadPtsFolder(dir);
    deepEqual(set.images.map((p) => p.slice(dir.length + 1)), ["a.PNG", "b.png", "c.jpg"]);
    equal(set.count, 3);
    equal(set.numPoints, 68);
    equal(set.boxes, null);
    for (let i = 0; i < 3; i++) {
      const got = set.landmarks.subarray(i * 136, (i + 1) * 136);
      ok(got.every((v, j) => Math.abs(v - faces[i]![j]!) < 1e-9));
    }
    const raw = await loadPtsFolder(dir, { origin: 0 });
    ok(Math.abs(raw.landmarks[0]! - (faces[0]![0]! + 1)) < 1e-9);
    // sub-folders only when asked, each .pts beside its image
    await Deno.mkdir(join(dir, "02_Outdoor"));
    await Deno.writeFile(join(dir, "02_Outdoor", "a.png"), img);
    await Deno.writeTextFile(join(dir, "02_Outdoor", "a.pts"), ptsText(faces[2]!));
    equal((await loadPtsFolder(dir)).count, 3);
    const deep = await loadPtsFolder(dir, { recursive: true });
    deepEqual(deep.images.map((p) => p.slice(dir.length + 1)), [
      "02_Outdoor/a.png",
      "a.PNG",
      "b.png",
      "c.jpg",
    ]);
    deepEqual(deep.landmarks.subarray(0, 136), set.landmarks.subarray(272));
    await Deno.remove(join(dir, "02_Outdoor", "a.pts"));
    await rejects(
      loadPtsFolder(dir, { recursive: true }),
      /image "02_Outdoor\/a\.png" has no landmarks/,
    );
  });
});

Deno.test({
  name:
    `loadPtsFolder: one-line errors for a missing or wrong folder, missing or bad landmarks${FILES.why}`,
  ignore: FILES.ignore,
}, async () => {
  await withTempDir("awing_data_", async (dir) => {
    await rejects(loadPtsFolder(join(dir, "nope")), {
      name: "Error",
      message: `Cannot load image folder "${join(dir, "nope")}": folder "${
        join(dir, "nope")
      }" was not found`,
    });
    await Deno.writeTextFile(join(dir, "file.txt"), "x");
    await rejects(loadPtsFolder(join(dir, "file.txt")), /is not a folder$/);
    await rejects(loadPtsFolder(dir), /it holds no \.jpg, \.jpeg or \.png image$/);
    await Deno.writeFile(join(dir, "a.png"), new Uint8Array(8));
    await rejects(loadPtsFolder(dir), {
      message: `Cannot load image folder "${dir}": image "a.png" has no landmarks ("a.pts")`,
    });
    await Deno.writeTextFile(join(dir, "a.pts"), "version: 1\nn_points: 2\n{\n1 2\n3\n}\n");
    await rejects(loadPtsFolder(dir), {
      message:
        `Cannot load image folder "${dir}": Cannot parse PTS "a.pts": line 5 has 1 fields but expected 2 (x y)`,
    });
    await Deno.writeTextFile(join(dir, "a.pts"), ptsText([1, 2, 3, 4]));
    await Deno.writeFile(join(dir, "b.png"), new Uint8Array(8));
    await Deno.writeTextFile(join(dir, "b.pts"), ptsText([1, 2, 3, 4, 5, 6]));
    await rejects(loadPtsFolder(dir), /"b\.pts": n_points is 3 but expected 2/);
    await Deno.writeTextFile(join(dir, "b.pts"), ptsText([1, 2, 3, 4]));
    await Deno.writeTextFile(join(dir, "c.pts"), ptsText([1, 2, 3, 4]));
    await rejects(loadPtsFolder(dir), /landmarks "c\.pts" have no image beside them$/);
    await rejects(loadPtsFolder(""), TypeError);
  });
});

Deno.test({
  name:
    `loadWflwFolder: full list with boxes, subset list without; missing images and bad lines${FILES.why}`,
  ignore: FILES.ignore,
}, async () => {
  await withTempDir("awing_data_", async (dir) => {
    const images = join(dir, "WFLW_images");
    await Deno.mkdir(join(images, "2--Demonstration"), { recursive: true });
    await Deno.writeFile(join(images, "2--Demonstration", "a.jpg"), new Uint8Array(8));
    const coords = (base: number): string =>
      Array.from({ length: 196 }, (_, i) => (base + i * 0.5).toFixed(6)).join(" ");
    const full = `${coords(10)} 8 9 120 140 0 1 0 0 0 1 2--Demonstration/a.jpg\n` +
      `${coords(20)} 18 19 130 150 1 0 0 0 0 0 2--Demonstration/a.jpg\n`;
    await Deno.writeTextFile(join(dir, "full.txt"), full);
    const set = await loadWflwFolder({ list: join(dir, "full.txt"), images });
    equal(set.count, 2);
    equal(set.numPoints, 98);
    deepEqual(Array.from(set.boxes!), [8, 9, 112, 131, 18, 19, 112, 131]);
    equal(set.landmarks[196], 20);
    equal(set.images[1], join(images, "2--Demonstration", "a.jpg"));
    await Deno.writeTextFile(join(dir, "subset.txt"), `${coords(10)} 2--Demonstration/a.jpg\n`);
    equal((await loadWflwFolder({ list: join(dir, "subset.txt"), images })).boxes, null);
    await Deno.writeTextFile(join(dir, "missing.txt"), `${coords(10)} 2--Demonstration/b.jpg\n`);
    await rejects(loadWflwFolder({ list: join(dir, "missing.txt"), images }), {
      message: `Cannot load WFLW list "${
        join(dir, "missing.txt")
      }": image of face 1 "2--Demonstration/b.jpg" was not found`,
    });
    await Deno.writeTextFile(join(dir, "bad.txt"), "1 2 3 a.jpg\n");
    await rejects(loadWflwFolder({ list: join(dir, "bad.txt"), images }), /line 1 has 4 fields/);
    await rejects(
      loadWflwFolder({ list: join(dir, "none.txt"), images }),
      /list ".*none\.txt" was not found$/,
    );
    await rejects(
      loadWflwFolder({ list: join(dir, "full.txt"), images: join(dir, "x") }),
      /image folder .* was not found$/,
    );
  });
});

/** The centroid of one channel's excess over the background within a window. */
function markCentroid(
  images: Float32Array,
  n: number,
  s: number,
  ch: number,
  x: number,
  y: number,
): [number, number] {
  let sum = 0, sx = 0, sy = 0;
  for (let i = Math.max(0, Math.round(y) - 6); i <= Math.min(s - 1, Math.round(y) + 6); i++) {
    for (let j = Math.max(0, Math.round(x) - 6); j <= Math.min(s - 1, Math.round(x) + 6); j++) {
      const p = ((n * s + i) * s + j) * 3;
      const v = Math.max(
        0,
        images[p + ch]! - Math.max(images[p + (ch + 1) % 3]!, images[p + (ch + 2) % 3]!),
      );
      sum += v;
      sx += v * j;
      sy += v * i;
    }
  }
  return [sx / sum, sy / sum];
}

Deno.test({
  name:
    `createImageBatchSource: marks at landmarks land on the batch landmarks (crop, shrink, augmentation, flips); worker = thread${FILES.why}`,
  ignore: FILES.ignore,
}, async () => {
  await withTempDir("awing_data_", async (dir) => {
    const next = rng(23);
    const tracked = [[36, 0], [30, 1], [54, 2]] as const;
    // a small photo (no shrink) and a large one (shrunk 4x or more before the crop)
    const specs = [
      { name: "small", w: 160, h: 140, r: 45, sigma: 3 },
      { name: "large", w: 560, h: 480, r: 180, sigma: 9 },
    ];
    for (const spec of specs) {
      const lm = face68(next, spec.w / 2, spec.h / 2, spec.r);
      const marks = tracked.map(([k, ch]) =>
        [lm[2 * k]!, lm[2 * k + 1]!, ch] as [number, number, number]
      );
      const data = markedRgb(spec.w, spec.h, marks, spec.sigma);
      await Deno.writeFile(
        join(dir, `${spec.name}.png`),
        encodePng({ width: spec.w, height: spec.h, data, channels: 3 }),
      );
      await Deno.writeTextFile(join(dir, `${spec.name}.pts`), ptsText(lm));
    }
    const faces = await loadPtsFolder(dir);
    const options = { faces, batch: 8, inputSize: 64, heatmapSize: 16, seed: 4, enlarge: 1.6 };
    const inThread = await createImageBatchSource({ ...options, worker: false });
    const worker = await createImageBatchSource({ ...options, prefetch: 1 });
    try {
      let flips = 0;
      for (let b = 0; b < 2; b++) {
        const [batch, fromWorker] = await Promise.all([inThread.next(), worker.next()]);
        deepEqual(fromWorker, batch);
        for (let n = 0; n < 8; n++) {
          flips += batch.flipped[n]!;
          for (const [k, ch] of tracked) {
            const kk = batch.flipped[n] ? LAYOUT_300W.flipPermutation[k]! : k;
            const x = batch.landmarks[(n * 68 + kk) * 2]!,
              y = batch.landmarks[(n * 68 + kk) * 2 + 1]!;
            if (x < 6 || y < 6 || x > 57 || y > 57) continue;
            const [cx, cy] = markCentroid(batch.images, n, 64, ch, x, y);
            ok(
              Math.hypot(cx - x, cy - y) < 0.5,
              `batch ${b} sample ${n} point ${k}: (${cx}, ${cy}) vs (${x}, ${y})`,
            );
          }
        }
      }
      ok(flips > 0 && flips < 16);
      ok(batchImagesInRange(inThread.batchAt(0).images));
    } finally {
      inThread.close();
      worker.close();
    }
  });
});

function batchImagesInRange(images: Float32Array): boolean {
  return images.every((v) => v >= 0 && v <= 1);
}

Deno.test({
  name:
    `createImageBatchSource: WFLW boxes and boundary; unreadable images fail with one line${FILES.why}`,
  ignore: FILES.ignore,
}, async () => {
  await withTempDir("awing_data_", async (dir) => {
    const images = join(dir, "img");
    await Deno.mkdir(images);
    const data = new Uint8Array(120 * 100 * 3).fill(128);
    await Deno.writeFile(
      join(images, "a.png"),
      encodePng({ width: 120, height: 100, data, channels: 3 }),
    );
    await Deno.writeFile(join(images, "bad.png"), new TextEncoder().encode("not a png"));
    const coords = Array.from({ length: 196 }, (_, i) => (30 + (i % 40)).toFixed(1)).join(" ");
    await Deno.writeTextFile(join(dir, "list.txt"), `${coords} 20 20 90 90 0 0 0 0 0 0 a.png\n`);
    const set = await loadWflwFolder({ list: join(dir, "list.txt"), images });
    const source = await createImageBatchSource({
      faces: set,
      batch: 2,
      inputSize: 32,
      boundary: true,
      augment: false,
      worker: false,
    });
    deepEqual(source.shapes.heatmaps, [2, 8, 8, 99]);
    // the given box [20, 20, 70, 70] enlarged 1.25: a 87.5 px square about (55, 55)
    const m = source.batchAt(0).matrices;
    ok(Math.abs(m[0]! - 32 / 87.5) < 1e-12 && Math.abs(m[2]! - (15.5 - 55 * 32 / 87.5)) < 1e-9);
    source.close();
    await rejects(
      createImageBatchSource({ faces: set, box: "given" as const, cacheMegabytes: -1 }),
      RangeError,
    );
    await rejects(
      createImageBatchSource({ faces: { ...set, boxes: null }, box: "given" }),
      TypeError,
    );
    const broken = { ...set, images: [join(images, "bad.png")] };
    await rejects(createImageBatchSource({ faces: broken, worker: false }), {
      message: `Cannot decode image "${
        join(images, "bad.png")
      }": it is neither a PNG nor a JPEG file`,
    });
    const gone = { ...set, images: [join(images, "gone.png")] };
    await rejects(createImageBatchSource({ faces: gone }), {
      message: `Cannot read image "${join(images, "gone.png")}": it was not found`,
    });
  });
});
