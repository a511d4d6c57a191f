// Internal: builds, checks and deep-freezes a LandmarkLayout from a plain spec.
import type { Boundary, FlipPair, LandmarkLayout } from "./types.ts";

/** Spec of a layout: everything except the derived flip permutation. */
export type _LayoutSpec = Omit<LandmarkLayout, "flipPermutation">;

/** Integers from `start` to `end` inclusive. */
export function _range(start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start; i <= end; i++) out.push(i);
  return out;
}

function checkIndex(spec: _LayoutSpec, where: string, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= spec.numPoints) {
    throw new RangeError(
      `Cannot build layout "${spec.name}": ${where} has index ${index} outside 0..${
        spec.numPoints - 1
      }`,
    );
  }
}

/** Validates the spec, derives the flip permutation and returns a deeply frozen layout. */
export function _makeLayout(spec: _LayoutSpec): LandmarkLayout {
  const k = spec.numPoints;
  const permutation = _range(0, k - 1);
  const seen = new Set<number>();
  for (const [a, b] of spec.flipPairs) {
    checkIndex(spec, "a flip pair", a);
    checkIndex(spec, "a flip pair", b);
    if (a === b || seen.has(a) || seen.has(b)) {
      throw new RangeError(
        `Cannot build layout "${spec.name}": flip pair [${a}, ${b}] repeats an index`,
      );
    }
    seen.add(a);
    seen.add(b);
    permutation[a] = b;
    permutation[b] = a;
  }
  for (const boundary of spec.boundaries) {
    for (const i of boundary.indices) checkIndex(spec, `boundary "${boundary.name}"`, i);
  }
  for (const i of spec.outerEyeCorners) checkIndex(spec, "outerEyeCorners", i);
  for (const group of spec.eyeCentres) {
    if (group.length === 0) {
      throw new RangeError(`Cannot build layout "${spec.name}": an eye centre has no points`);
    }
    for (const i of group) checkIndex(spec, "eyeCentres", i);
  }
  const boundaries: Boundary[] = spec.boundaries.map((b) =>
    Object.freeze({ name: b.name, indices: Object.freeze([...b.indices]) })
  );
  const flipPairs: FlipPair[] = spec.flipPairs.map((p) => Object.freeze([p[0], p[1]] as const));
  return Object.freeze({
    name: spec.name,
    numPoints: k,
    description: spec.description,
    boundaries: Object.freeze(boundaries),
    outerEyeCorners: Object.freeze([spec.outerEyeCorners[0], spec.outerEyeCorners[1]] as const),
    eyeCentres: Object.freeze(
      [
        Object.freeze([...spec.eyeCentres[0]]),
        Object.freeze([...spec.eyeCentres[1]]),
      ] as const,
    ),
    flipPairs: Object.freeze(flipPairs),
    flipPermutation: Object.freeze(permutation),
  });
}
