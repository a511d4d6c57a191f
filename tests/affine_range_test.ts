// Affine transforms at the ends of float64: large and tiny entries invert and compose right,
// and a result float64 cannot hold is a RangeError, never Infinity, NaN or zeros.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  type Affine,
  applyAffine,
  centerScaleAffine,
  composeAffine,
  faceBoxAffine,
  invertAffine,
  warpAffine,
} from "../src/data/mod.ts";
import { rng } from "./_random.ts";

/** |a b; d e| . |a' b'; d' e'| - I, relative to the entries' scale: 0 for an exact inverse. */
function identityError(m: Affine, inv: Affine): number {
  const [a, b, c, d, e, f] = m, [ia, ib, ic, id, ie, iff] = inv;
  // m after inv, in the units of each factor (no product of two extremes is formed)
  const unit = Math.max(Math.abs(a), Math.abs(b), Math.abs(d), Math.abs(e));
  const iunit = Math.max(Math.abs(ia), Math.abs(ib), Math.abs(id), Math.abs(ie));
  const n = (x: number) => x / unit, k = (x: number) => x / iunit;
  const p = [
    n(a) * k(ia) + n(b) * k(id),
    n(a) * k(ib) + n(b) * k(ie),
    n(d) * k(ia) + n(e) * k(id),
    n(d) * k(ib) + n(e) * k(ie),
  ];
  const s = 1 / (unit * iunit); // the identity in these units
  let err = Math.max(
    Math.abs(p[0]! - s),
    Math.abs(p[1]!),
    Math.abs(p[2]!),
    Math.abs(p[3]! - s),
  ) / s;
  // the inverse's translation brings the translation back: inv(m(0)) = 0
  const [x, y] = applyAffine(new Float64Array([c, f]), [ia, ib, 0, id, ie, 0]);
  const scale = Math.max(Math.abs(x!), Math.abs(y!), Math.abs(ic), Math.abs(iff), 1e-300);
  err = Math.max(err, Math.abs(x! + ic) / scale, Math.abs(y! + iff) / scale);
  return err;
}

Deno.test("invertAffine inverts well-conditioned matrices of any magnitude", () => {
  const next = rng(41);
  for (const exponent of [-300, -200, -160, -1, 0, 1, 150, 200, 300]) {
    for (let t = 0; t < 20; t++) {
      const s = 10 ** exponent;
      const angle = 2 * Math.PI * next(), zoom = 0.5 + next();
      const m: Affine = [
        s * zoom * Math.cos(angle),
        s * zoom * Math.sin(angle),
        s * 100 * (next() - 0.5),
        -s * zoom * Math.sin(angle),
        s * zoom * Math.cos(angle),
        s * 100 * (next() - 0.5),
      ];
      const inv = invertAffine(m);
      ok(inv.every(Number.isFinite), `1e${exponent}: ${inv}`);
      ok(identityError(m, inv) < 1e-12, `1e${exponent}: error ${identityError(m, inv)}`);
    }
  }
  // the example of the issue: the determinant (1e400) overflows, the inverse does not
  deepEqual(invertAffine([1e200, 0, 0, 0, 1e200, 0]), [1e-200, 0, 0, 0, 1e-200, 0]);
  deepEqual(invertAffine([1e-200, 0, 0, 0, 1e-200, 0]), [1e200, 0, 0, 0, 1e200, 0]);
  deepEqual(invertAffine([4e-300, 0, 0, 0, 4e-300, 0]), [2.5e299, 0, 0, 0, 2.5e299, 0]);
  // an inverse in float64's subnormal range is still an inverse
  const huge = invertAffine([1.7e308, 0, 0, 0, 1.7e308, 0]);
  ok(Math.abs(huge[0] * 1.7e308 - 1) < 1e-12 && huge[0] === huge[4], String(huge));
  // ordinary matrices keep their exact results
  deepEqual(invertAffine([2, 0, 3, 0, 2, 4]), [0.5, 0, -1.5, 0, 0.5, -2]);
});

Deno.test("invertAffine refuses singular matrices and inverses float64 cannot hold", () => {
  for (const m of [[1, 2, 0, 2, 4, 0], [0, 0, 1, 0, 0, 1], [1e300, 1e300, 0, 1e300, 1e300, 0]]) {
    throws(() => invertAffine(m as unknown as Affine), {
      name: "RangeError",
      message: "Cannot invert affine as matrix must be invertible: its determinant is 0",
    });
  }
  // 1e-200 scale, 1e200 shift: the inverse's shift is 1e400
  throws(() => invertAffine([1e-200, 0, 1e200, 0, 1e-200, 0]), {
    name: "RangeError",
    message: /^Cannot invert affine as its inverse must be finite: element 2 is -Infinity/,
  });
  // 1 / 1e-309 is past the largest float64
  throws(() => invertAffine([1e308, 0, 0, 0, 1e-309, 0]), {
    name: "RangeError",
    message: /^Cannot invert affine as its inverse must be finite/,
  });
});

Deno.test("composeAffine gives finite products or a RangeError", () => {
  // the direct products would overflow on the way to a finite result
  deepEqual(composeAffine([1e200, 0, 0, 0, 1e200, 0], [1e-200, 0, 1, 0, 1e-200, 2]), [
    1,
    0,
    1,
    0,
    1,
    2,
  ]);
  const m = composeAffine([1e300, 0, 5, 0, 1e300, 0], [1e-300, 0, 0, 0, 1e-300, 0]);
  ok(Math.abs(m[0] - 1) < 1e-15 && Math.abs(m[2] - 5e-300) < 1e-314, String(m));
  throws(() => composeAffine([1e200, 0, 0, 0, 1e200, 0], [1e200, 0, 0, 0, 1e200, 0]), {
    name: "RangeError",
    message: /^Cannot compose affine as the product of transforms 0 to 1 must be finite/,
  });
  throws(() => composeAffine([1e-200, 0, 0, 0, 1e-200, 0], [1e-200, 0, 0, 0, 1e-200, 0]), {
    name: "RangeError",
    message: /underflow/,
  });
  // a singular factor gives a singular product, as it should
  deepEqual(composeAffine([1, 0, 0, 0, 0, 0], [2, 0, 0, 0, 2, 0]), [2, 0, 0, 0, 0, 0]);
  // random ordinary matrices: the same numbers as the plain formula
  const next = rng(43);
  for (let t = 0; t < 50; t++) {
    const a = Array.from({ length: 6 }, () => 10 * next() - 5) as unknown as Affine;
    const b = Array.from({ length: 6 }, () => 10 * next() - 5) as unknown as Affine;
    deepEqual(composeAffine(a, b), [
      b[0] * a[0] + b[1] * a[3],
      b[0] * a[1] + b[1] * a[4],
      b[0] * a[2] + b[1] * a[5] + b[2],
      b[3] * a[0] + b[4] * a[3],
      b[3] * a[1] + b[4] * a[4],
      b[3] * a[2] + b[4] * a[5] + b[5],
    ]);
  }
});

Deno.test("crops, applyAffine and warpAffine never return Infinity or NaN", () => {
  // a crop of a box far smaller than a pixel: the scale overflows
  throws(() => faceBoxAffine({ box: [0, 0, 1e-320, 1e-320], size: 256 }), {
    name: "RangeError",
    message: /^Cannot compute face-box crop as the crop of side .* must be finite/,
  });
  throws(
    () => centerScaleAffine({ center: [1e300, 0], scale: 1e-300, size: 256 }),
    RangeError,
  );
  // a finite point mapped past float32
  throws(() => applyAffine(new Float32Array([1e30, 0]), [1e10, 0, 0, 0, 1, 0]), {
    name: "RangeError",
    message: /^Cannot apply affine as the mapped landmarks must be finite: point 0/,
  });
  // a missing landmark (NaN) stays missing
  ok(Number.isNaN(applyAffine(new Float64Array([NaN, NaN]), [2, 0, 0, 0, 2, 0])[0]));
  const image = {
    data: new Uint8Array([10, 20, 30, 40]),
    width: 2,
    height: 2,
    channels: 1 as const,
  };
  // every output pixel's source is astronomically far (past float64 for some): fill
  const far = warpAffine(image, [1e-308, 1e-308, -1, -1e-308, 1e-308, -1], {
    width: 4,
    height: 4,
    fill: 7,
  });
  deepEqual(Array.from(far.data), new Array(16).fill(7));
  throws(() => warpAffine(image, [1, 0, 0, 0, 1, 0], { width: 2, height: 2, scale: 1e37 }), {
    name: "RangeError",
    message: /^Cannot warp image as scale times fill \(or 255\) must fit a float32/,
  });
  const float = {
    data: new Float32Array([1e38, 1, 1, 1]),
    width: 2,
    height: 2,
    channels: 1 as const,
  };
  throws(() => warpAffine(float, [1, 0, 0, 0, 1, 0], { width: 2, height: 2, scale: 10 }), {
    name: "RangeError",
    message: /^Cannot warp image as the output must be finite: pixel \(0, 0\) is Infinity/,
  });
  // large but well-conditioned transforms warp as their small twins do
  const small = warpAffine(image, [2, 0, 0.5, 0, 2, 0.5], { width: 4, height: 4 });
  const big = warpAffine(
    image,
    composeAffine([2, 0, 0.5, 0, 2, 0.5], [1e250, 0, 0, 0, 1e250, 0], [1e-250, 0, 0, 0, 1e-250, 0]),
    { width: 4, height: 4 },
  );
  for (let i = 0; i < 16; i++) ok(Math.abs(small.data[i]! - big.data[i]!) < 1e-4);
  equal(big.data.length, 16);
});
