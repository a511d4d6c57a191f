// Outputs of the losses and of weightMap that share memory with inputs or with each other.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { type LossOptions, weightMap } from "../src/loss/mod.ts";
import type { Shape4 } from "../src/types.ts";
import { heatmapPair } from "./_random.ts";
import { KINDS } from "./_losses.ts";

Deno.test("losses: grad or lossMap may be pred itself, and then equal the separate result", () => {
  for (const layout of ["nchw", "nhwc"] as const) {
    // a batch in bands of rows (the halo reads target, never pred) and one in whole planes
    for (const shape of [[1, 3, 301, 257], [4, 5, 6, 7]] as Shape4[]) {
      const size = shape[0] * shape[1] * shape[2] * shape[3];
      const { pred, target } = heatmapPair(size, 3);
      for (const { name, run } of KINDS) {
        for (const reduction of ["mean", "sum", "none"] as const) {
          const separate = run(pred, target, { shape, layout, reduction });
          const what = `${name} ${layout} ${reduction}`;
          const inPlace = pred.slice();
          const r = run(inPlace, target, { shape, layout, reduction, out: { grad: inPlace } });
          ok(r.grad === inPlace);
          equal(r.loss, separate.loss, what);
          deepEqual(inPlace, separate.grad, what);
          if (reduction === "none") {
            const mapInPlace = pred.slice();
            const m = run(mapInPlace, target, {
              shape,
              layout,
              reduction,
              out: { lossMap: mapInPlace },
            });
            ok(m.lossMap === mapInPlace);
            deepEqual(mapInPlace, separate.lossMap, what);
            deepEqual(m.grad, separate.grad, what);
          }
        }
      }
    }
  }
});

Deno.test("losses: every other overlap of an output is a TypeError, inputs may overlap", () => {
  const shape: Shape4 = [1, 2, 3, 4];
  const n = 24;
  for (const { name, run } of KINDS) {
    const buf = new Float32Array(4 * n + 2);
    const { pred, target } = heatmapPair(n, 7);
    const p = buf.subarray(0, n), t = buf.subarray(n, 2 * n);
    p.set(pred);
    t.set(target);
    const spare = buf.subarray(2 * n, 3 * n), spare2 = buf.subarray(3 * n, 4 * n);
    const cases: [string, Partial<LossOptions>, string, string][] = [
      ["grad = target", { out: { grad: t } }, "out.grad", "target"],
      ["grad on pred + 1", { out: { grad: buf.subarray(1, n + 1) } }, "out.grad", "pred"],
      ["grad on pred - 1", { out: { grad: buf.subarray(n - 1, 2 * n - 1) } }, "out.grad", "pred"],
      [
        "grad across pred and target",
        { out: { grad: buf.subarray(12, 12 + n) } },
        "out.grad",
        "pred",
      ],
      [
        "grad 1 element into target",
        { out: { grad: buf.subarray(2 * n - 1, 3 * n - 1) } },
        "out.grad",
        "target",
      ],
      [
        "lossMap = grad",
        { reduction: "none", out: { grad: spare, lossMap: spare } },
        "out.lossMap",
        "out.grad",
      ],
      [
        "lossMap on grad + 1",
        { reduction: "none", out: { grad: spare, lossMap: buf.subarray(2 * n + 1, 3 * n + 1) } },
        "out.lossMap",
        "out.grad",
      ],
      [
        "lossMap on pred + 2",
        { reduction: "none", out: { lossMap: buf.subarray(2, n + 2) } },
        "out.lossMap",
        "pred",
      ],
      [
        "lossMap on target",
        { reduction: "none", out: { lossMap: buf.subarray(n + 3, 2 * n + 3) } },
        "out.lossMap",
        "target",
      ],
      [
        "grad and lossMap both = pred",
        { reduction: "none", out: { grad: p, lossMap: p } },
        "out.lossMap",
        "out.grad",
      ],
      [
        "landmarkWeights in grad",
        { out: { grad: spare2 }, landmarkWeights: buf.subarray(3 * n + 5, 3 * n + 7) },
        "out.grad",
        "landmarkWeights",
      ],
      [
        "landmarkWeights in lossMap",
        {
          reduction: "none",
          out: { lossMap: spare2 },
          landmarkWeights: buf.subarray(4 * n - 1, 4 * n + 1),
        },
        "out.lossMap",
        "landmarkWeights",
      ],
    ];
    for (const [what, options, output, other] of cases) {
      const before = buf.slice();
      throws(() => run(p, t, { shape, ...options }), {
        name: "TypeError",
        message:
          `Cannot compute loss: "${output}" shares memory with "${other}" (give separate buffers)`,
      }, `${name}: ${what}`);
      deepEqual(buf, before, `${name}: ${what} wrote nothing`);
    }
    // options that switch an output off switch its check off too
    run(p, t, { shape, gradient: false, out: { grad: t } });
    run(p, t, { shape, reduction: "sum", out: { grad: spare, lossMap: t } });
    // pred and target may overlap: computed as on copies
    const q = buf.subarray(1, n + 1);
    const shared = run(p, q, { shape, reduction: "none", out: { grad: spare, lossMap: spare2 } });
    const copies = run(p.slice(), q.slice(), { shape, reduction: "none" });
    equal(shared.loss, copies.loss, name);
    deepEqual(spare, copies.grad);
    deepEqual(spare2, copies.lossMap);
  }
});

Deno.test("weightMap: out must not share memory with target, even exactly", () => {
  const shape: Shape4 = [1, 2, 3, 4];
  const buf = new Float32Array(50);
  const { target } = heatmapPair(24, 8);
  const t = buf.subarray(0, 24);
  t.set(target);
  for (const out of [t, buf.subarray(1, 25), buf.subarray(23, 47)]) {
    throws(() => weightMap(t, { shape, out }), {
      name: "TypeError",
      message:
        'Cannot compute weight map: "out" shares memory with "target" (give separate buffers)',
    });
  }
  const out = buf.subarray(24, 48);
  weightMap(t, { shape, out });
  deepEqual(out, weightMap(target, { shape }));
});
