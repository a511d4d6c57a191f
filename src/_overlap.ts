// Shared-memory checks of the functions that take output buffers: an output that shares bytes
// with an input or with another output would be read after it is written (or written twice),
// which gives a wrong number, so such calls are rejected with a TypeError naming both arrays.

/** A named array of a call, or undefined when the caller did not give it. */
export type NamedView = readonly [name: string, view: ArrayBufferView | undefined];

/** Whether `a` and `b` share at least one byte of the same buffer. */
export function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.buffer === b.buffer && a.byteLength > 0 && b.byteLength > 0 &&
    a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/** Whether `a` and `b` are the same elements: one buffer, offset, length and element type. */
export function sameElements(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.buffer === b.buffer && a.byteOffset === b.byteOffset &&
    a.byteLength === b.byteLength && a.constructor === b.constructor;
}

/**
 * Throws a TypeError when an output shares memory with an input or with another output.
 * `exact` names the inputs an output may alias exactly (same elements, see
 * {@link sameElements}): an element-wise computation that reads element i before it writes
 * element i is correct in place.
 */
export function checkNoOverlap(
  outputs: readonly NamedView[],
  inputs: readonly NamedView[],
  action: string,
  exact: readonly string[] = [],
): void {
  for (let o = 0; o < outputs.length; o++) {
    const [name, out] = outputs[o]!;
    if (out === undefined) continue;
    for (let p = 0; p < o; p++) {
      const [other, view] = outputs[p]!;
      if (view !== undefined && overlaps(out, view)) throwOverlap(name, other, action);
    }
    for (const [other, view] of inputs) {
      if (view === undefined || !overlaps(out, view)) continue;
      if (exact.includes(other) && sameElements(out, view)) continue;
      throwOverlap(name, other, action);
    }
  }
}

function throwOverlap(name: string, other: string, action: string): never {
  throw new TypeError(
    `Cannot ${action}: "${name}" shares memory with "${other}" (give separate buffers)`,
  );
}
