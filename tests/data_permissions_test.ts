// Without read permission, the batch sources' worker cannot load its module: a one-line error
// at creation that names the flag, and the calling-thread path still works. (Revoking is
// for the rest of this file's process, so this file holds only this test.)
import { equal, rejects } from "node:assert/strict";
import { createBatchSource, type FaceSet } from "../src/data/mod.ts";

Deno.test("createBatchSource without read permission: the worker's need is named, worker: false works", async () => {
  const landmarks = new Float64Array(136);
  for (let k = 0; k < 68; k++) {
    landmarks[2 * k] = 100 + 40 * Math.cos(k / 10);
    landmarks[2 * k + 1] = 100 + 50 * Math.sin(k / 10);
  }
  const faces: FaceSet = { landmarks, count: 1, numPoints: 68, sources: ["oval"] };
  await Deno.permissions.revoke({ name: "read" });
  await rejects(createBatchSource({ faces, batch: 1, inputSize: 16 }), {
    name: "Error",
    message: `Cannot create batch source: its worker needs --allow-read to load ${
      new URL("../src/data/_batch_worker.ts", import.meta.url).href
    } (or pass worker: false)`,
  });
  const source = await createBatchSource({ faces, batch: 1, inputSize: 16, worker: false });
  equal((await source.next()).images.length, 16 * 16 * 3);
  source.close();
});
