// Run by train_workers_test.ts as a process of its own: trainModel with Workers that succeeds,
// fails in a Worker, and stops on a hook's or the source's error. A Worker left running would
// keep this process alive, so the test sees it as a timeout. With "no-read", only the error
// of starting Workers without --allow-read is printed.
import { useWasmBackend } from "../src/tfjs/mod.ts";
import { trainModel } from "../src/train/mod.ts";
import { batchOf, smallModel, sourceOf } from "./_train.ts";

const model = smallModel();
const run = (options: object) =>
  trainModel(model, {
    loss: "awing",
    steps: 3,
    learningRate: 1e-2,
    workers: 2,
    source: sourceOf((i) => batchOf(4, i)),
    ...options,
  }).then(() => "done", (e: Error) => e.message);
if (Deno.args[0] === "no-read") {
  console.log(await run({}));
} else {
  await useWasmBackend();
  const bad = batchOf(4, 9);
  bad.heatmaps[0] = 5;
  console.log(await run({ validate: () => Promise.resolve(), validateEvery: 1 }));
  console.log(await run({ source: sourceOf((i) => (i === 2 ? bad : batchOf(4, i))) }));
  console.log(
    await run({
      onStep: () => {
        throw new Error("stopped by onStep");
      },
    }),
  );
  console.log(await run({ source: { next: () => Promise.reject(new Error("no data")) } }));
}
model.dispose();
